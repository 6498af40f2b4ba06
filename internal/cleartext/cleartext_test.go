package cleartext

import "testing"

func TestOffLoopback(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:4319":        false,
		"http://[::1]:4319":            false,
		"http://localhost:4319":        false,
		"https://central.example:4319": false,
		"https://central.example.org":  false,
		"http://central.example:4319":  true,
		"http://central.example.org":   true,
		"http://10.0.0.7:4319":         true,
		"http://10.0.0.7:4318/base":    true,
	} {
		if got := OffLoopback(endpoint); got != want {
			t.Errorf("OffLoopback(%q) = %v, want %v", endpoint, got, want)
		}
	}
}

package agentid

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for id, want := range map[string]bool{
		"local":                 true,
		"eu-west":               true,
		"eu_west":               true,
		"a.b":                   true,
		"9":                     true,
		"":                      false,
		"-eu":                   false,
		"EU":                    false,
		"eu west":               false,
		strings.Repeat("a", 63): true,
		strings.Repeat("a", 64): false,
	} {
		if got := Valid(id); got != want {
			t.Errorf("Valid(%q) = %v, want %v", id, got, want)
		}
	}
}

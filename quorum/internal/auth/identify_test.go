package auth

import (
	"crypto/subtle"
	"fmt"
	"testing"
)

// countingCompare wraps the constant-time comparison and counts its calls.
func countingCompare(calls *int) func(x, y []byte) int {
	return func(x, y []byte) int {
		*calls++
		return subtle.ConstantTimeCompare(x, y)
	}
}

func TestIdentifyComparesEveryToken(t *testing.T) {
	cfg := parseConfig(t,
		agentSpec{id: "local"}, // in process: no token
		agentSpec{id: "eu", token: "token-eu-0123456789"},
		agentSpec{id: "us", token: "token-us-0123456789"},
		agentSpec{id: "ap", token: "token-ap-0123456789"},
	)
	const tokenAgents = 3
	tests := []struct {
		name   string
		token  string
		want   string
		wantOK bool
	}{
		{name: "first agent", token: "token-eu-0123456789", want: "eu", wantOK: true},
		{name: "middle agent", token: "token-us-0123456789", want: "us", wantOK: true},
		{name: "last agent", token: "token-ap-0123456789", want: "ap", wantOK: true},
		{name: "unknown token of the same length", token: "token-xx-0123456789"},
		{name: "prefix of a token", token: "token-eu"},
		{name: "token with a suffix", token: "token-eu-0123456789x"},
		{name: "case differs", token: "TOKEN-EU-0123456789"},
		{name: "agent id is not a token", token: "eu"},
		{name: "local agent has no token", token: "local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(cfg)
			calls := 0
			a.compare = countingCompare(&calls)
			got, ok := a.Identify(tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Identify = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
			if calls != tokenAgents {
				t.Errorf("compared against %d tokens, want all %d whether or not one matches", calls, tokenAgents)
			}
		})
	}
}

func TestIdentifyRejectsEmptyToken(t *testing.T) {
	a := New(parseConfig(t, agentSpec{id: "local"}, agentSpec{id: "eu", token: "t-eu"}))
	if id, ok := a.Identify(""); ok {
		t.Errorf("empty token identified as %q", id)
	}
}

func TestIdentifyWithoutConfig(t *testing.T) {
	a := New(nil)
	if id, ok := a.Identify("anything"); ok {
		t.Errorf("identified %q with no agents", id)
	}
	if ok, retry := a.Allow("eu", refTime); ok || retry != 0 {
		t.Errorf("Allow with no agents = %v, %s; want false, 0", ok, retry)
	}
}

func TestUpdateSwapsTokens(t *testing.T) {
	a := New(parseConfig(t, agentSpec{id: "eu", token: "old-eu"}, agentSpec{id: "us", token: "t-us"}))
	a.Update(parseConfig(t, agentSpec{id: "eu", token: "new-eu"}, agentSpec{id: "ap", token: "t-ap"}))
	tests := []struct {
		name   string
		token  string
		want   string
		wantOK bool
	}{
		{name: "replaced token no longer matches", token: "old-eu"},
		{name: "new token matches", token: "new-eu", want: "eu", wantOK: true},
		{name: "removed agent no longer matches", token: "t-us"},
		{name: "added agent matches", token: "t-ap", want: "ap", wantOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := a.Identify(tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Identify = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// BenchmarkIdentify100Agents measures one identification among 100 agents:
// the cost is the same for a match and a miss, by design.
func BenchmarkIdentify100Agents(b *testing.B) {
	agents := make([]agentSpec, 100)
	for i := range agents {
		agents[i] = agentSpec{id: fmt.Sprintf("agent-%03d", i), token: fmt.Sprintf("token-%03d-a1b2c3d4e5f60718293a4b5c6d7e8f90", i)}
	}
	a := New(parseConfig(b, agents...))
	for _, bc := range []struct{ name, token string }{
		{name: "match", token: agents[99].token},
		{name: "miss", token: "token-xxx-a1b2c3d4e5f60718293a4b5c6d7e8f90"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.Identify(bc.token)
			}
		})
	}
}

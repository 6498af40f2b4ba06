package auth

import (
	"sync"
	"testing"
	"time"
)

var refTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestBurst(t *testing.T) {
	tests := []struct {
		rate float64
		want int
	}{
		{rate: 0.1, want: 1},
		{rate: 0.5, want: 1},
		{rate: 1, want: 1},
		{rate: 1.01, want: 2},
		{rate: 2.5, want: 3},
		{rate: 50, want: 50},
		{rate: 1e12, want: 1<<31 - 1},
	}
	for _, tt := range tests {
		if got := Burst(tt.rate); got != tt.want {
			t.Errorf("Burst(%v) = %d, want %d", tt.rate, got, tt.want)
		}
	}
}

// drain takes the whole burst at now and checks the next request is refused.
func drain(t *testing.T, a *Authenticator, agentID string, burst int, now time.Time) time.Duration {
	t.Helper()
	for i := range burst {
		if ok, _ := a.Allow(agentID, now); !ok {
			t.Fatalf("request %d of a burst of %d refused", i+1, burst)
		}
	}
	ok, retry := a.Allow(agentID, now)
	if ok {
		t.Fatalf("request %d allowed beyond the burst of %d", burst+1, burst)
	}
	return retry
}

func TestAllowTokenBucket(t *testing.T) {
	tests := []struct {
		name      string
		rate      float64
		burst     int
		wantRetry time.Duration // with the bucket just emptied
	}{
		{name: "one per second", rate: 1, burst: 1, wantRetry: time.Second},
		{name: "below one per second", rate: 0.25, burst: 1, wantRetry: 4 * time.Second},
		{name: "fractional rate rounds the burst up", rate: 2.5, burst: 3, wantRetry: 400 * time.Millisecond},
		{name: "default rate", rate: 50, burst: 50, wantRetry: 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(parseConfig(t, agentSpec{id: "eu", token: "t-eu", rate: tt.rate}))
			retry := drain(t, a, "eu", tt.burst, refTime)
			if diff := retry - tt.wantRetry; diff < -time.Microsecond || diff > time.Microsecond {
				t.Errorf("retryAfter = %s, want %s", retry, tt.wantRetry)
			}
			// Just before the wait is over: still refused.
			if ok, _ := a.Allow("eu", refTime.Add(tt.wantRetry-time.Millisecond)); ok {
				t.Error("allowed before retryAfter passed")
			}
			if ok, _ := a.Allow("eu", refTime.Add(tt.wantRetry)); !ok {
				t.Error("refused after retryAfter passed")
			}
		})
	}
}

func TestAllowIsPerAgent(t *testing.T) {
	a := New(parseConfig(t, agentSpec{id: "eu", token: "t-eu", rate: 1}, agentSpec{id: "us", token: "t-us", rate: 1}))
	drain(t, a, "eu", 1, refTime)
	if ok, _ := a.Allow("us", refTime); !ok {
		t.Error("an agent's empty bucket limited another agent")
	}
}

func TestAllowUnknownAgent(t *testing.T) {
	a := New(parseConfig(t, agentSpec{id: "eu", token: "t-eu"}))
	if ok, retry := a.Allow("nobody", refTime); ok || retry != 0 {
		t.Errorf("Allow(unknown) = %v, %s; want false, 0", ok, retry)
	}
}

func TestUpdateLimiterState(t *testing.T) {
	base := []agentSpec{{id: "eu", token: "t-eu", rate: 1}, {id: "us", token: "t-us", rate: 1}}
	tests := []struct {
		name        string
		next        []agentSpec
		wantAllowed bool
	}{
		{name: "same config keeps the empty bucket", next: base, wantAllowed: false},
		{name: "new token with the same rate keeps the bucket", next: []agentSpec{{id: "eu", token: "t-eu-2", rate: 1}, base[1]}, wantAllowed: false},
		{name: "another agent's change keeps the bucket", next: []agentSpec{base[0], {id: "us", token: "t-us", rate: 9}}, wantAllowed: false},
		{name: "higher rate starts a full bucket", next: []agentSpec{{id: "eu", token: "t-eu", rate: 5}, base[1]}, wantAllowed: true},
		{name: "lower rate starts a full bucket", next: []agentSpec{{id: "eu", token: "t-eu", rate: 0.5}, base[1]}, wantAllowed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(parseConfig(t, base...))
			drain(t, a, "eu", 1, refTime)
			a.Update(parseConfig(t, tt.next...))
			if ok, _ := a.Allow("eu", refTime); ok != tt.wantAllowed {
				t.Errorf("after Update, Allow = %v, want %v", ok, tt.wantAllowed)
			}
		})
	}
}

func TestUpdateRemovesAgentLimiter(t *testing.T) {
	a := New(parseConfig(t, agentSpec{id: "eu", token: "t-eu"}, agentSpec{id: "us", token: "t-us"}))
	a.Update(parseConfig(t, agentSpec{id: "eu", token: "t-eu"}))
	if ok, _ := a.Allow("us", refTime); ok {
		t.Error("removed agent still allowed")
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int
	}{
		{in: 0, want: 1},
		{in: time.Nanosecond, want: 1},
		{in: 20 * time.Millisecond, want: 1},
		{in: time.Second, want: 1},
		{in: time.Second + time.Nanosecond, want: 2},
		{in: 4 * time.Second, want: 4},
	}
	for _, tt := range tests {
		if got := RetryAfterSeconds(tt.in); got != tt.want {
			t.Errorf("RetryAfterSeconds(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestConcurrentUse runs identification, limiting and reloads at once, for
// the race detector.
func TestConcurrentUse(t *testing.T) {
	one := parseConfig(t, agentSpec{id: "eu", token: "t-eu", rate: 1000})
	two := parseConfig(t, agentSpec{id: "eu", token: "t-eu", rate: 1000}, agentSpec{id: "us", token: "t-us", rate: 3})
	a := New(one)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				if id, ok := a.Identify("t-eu"); !ok || id != "eu" {
					t.Errorf("goroutine %d: Identify(t-eu) = %q, %v", g, id, ok)
					return
				}
				a.Allow("eu", refTime.Add(time.Duration(i)*time.Millisecond))
			}
		})
	}
	wg.Go(func() {
		for i := range 100 {
			if i%2 == 0 {
				a.Update(two)
			} else {
				a.Update(one)
			}
		}
	})
	wg.Wait()
}

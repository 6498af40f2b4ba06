package main

import (
	"testing"
	"time"
)

func TestPlannedOffsetMatchesTheScheduler(t *testing.T) {
	// Values printed by scheduler.Offset (receiver/internal/scheduler/slots.go)
	// for the same inputs; update both together.
	tests := []struct {
		agent, key string
		interval   time.Duration
		want       time.Duration
	}{
		{"bench", "agentscale_endpoint-00000", time.Minute, 14516019967},
		{"local", "_api", 30 * time.Second, 22641693026},
		{"agent-1", "g_x", time.Hour, 2688717491358},
		{"a", "k", 0, 0},
	}
	for _, tt := range tests {
		if got := plannedOffset(tt.agent, tt.key, tt.interval); got != tt.want {
			t.Errorf("plannedOffset(%q, %q, %s) = %d, want %d", tt.agent, tt.key, tt.interval, got, tt.want)
		}
	}
}

func TestLatenessIsTheDistancePastTheLatestSlot(t *testing.T) {
	epoch := time.Unix(1_700_000_040, 0) // a multiple of 60s
	iv, off := time.Minute, 7*time.Second
	tests := []struct {
		name    string
		started time.Time
		want    time.Duration
	}{
		{"on the slot", epoch.Add(off), 0},
		{"just after the slot", epoch.Add(off + 1500*time.Microsecond), 1500 * time.Microsecond},
		{"in a later interval", epoch.Add(3*iv + off + 2*time.Millisecond), 2 * time.Millisecond},
		{"before the offset in its interval", epoch.Add(iv + time.Second), iv - 6*time.Second},
		{"before the epoch", time.Unix(-53, 1000), 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lateness(tt.started, iv, off); got != tt.want {
				t.Errorf("lateness = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestQuantilesUseNearestRankAndCountTheSlowOnes(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*100*time.Microsecond)
	}
	q := quantilesOf(d)
	want := quantiles{n: 100, p50: 5100 * time.Microsecond, p90: 9000 * time.Microsecond, p99: 9900 * time.Microsecond,
		p999: 10 * time.Millisecond, max: 10 * time.Millisecond, over5ms: 50}
	if q != want {
		t.Errorf("quantilesOf = %+v, want %+v", q, want)
	}
	if (quantilesOf(nil) != quantiles{}) {
		t.Error("no values must give zero quantiles")
	}
}

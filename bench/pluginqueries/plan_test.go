package main

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

var planNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestNewPlanRefusesTooSmallAPlan(t *testing.T) {
	tests := []struct {
		name                       string
		endpoints, agents, results int
	}{
		{"two endpoints", 2, 5, 1000},
		{"fewer agents than K+1", 10, agentQuorum, 1000},
		{"fewer results than pairs", 10, 5, 49},
	}
	for _, tt := range tests {
		if _, err := newPlan(tt.endpoints, tt.agents, tt.results, time.Minute, 0.02, planNow, 1); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestPlanIsDeterministic(t *testing.T) {
	a, err := newPlan(20, 5, 100_000, time.Minute, 0.02, planNow, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newPlan(20, 5, 100_000, time.Minute, 0.02, planNow, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two plans from the same seed differ")
	}
	c, _ := newPlan(20, 5, 100_000, time.Minute, 0.02, planNow, 8)
	if reflect.DeepEqual(a.ep, c.ep) {
		t.Error("plans from different seeds are the same")
	}
}

// TestPlanFailureRate generates every verdict of a plan spanning weeks,
// as the seeder does, and checks the failure share and the present state.
func TestPlanFailureRate(t *testing.T) {
	p, err := newPlan(20, 5, 20*5*5000, 5*time.Minute, 0.02, planNow, 1)
	if err != nil {
		t.Fatal(err)
	}
	if days := p.span().Hours() / 24; days < 14 {
		t.Fatalf("span %.1f days, want weeks", days)
	}
	if p.outageShare() <= 0 || p.outageShare() >= p.failureRate {
		t.Fatalf("outage share %.4f: want some outages, below the failure rate", p.outageShare())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var total, failed, outage int
	for i := range p.perPair {
		for e := range p.endpoints {
			for a := range p.agents {
				v := p.decide(rng, e, a, p.resultTime(e, a, i), p.isolatedRate())
				total++
				if !v.success {
					failed++
					if len(v.conditions) == 0 || v.conditions[0].success && v.conditions[1].success && v.conditions[2].success {
						t.Fatalf("failed result without a failed condition: %+v", v)
					}
				}
				if v.outage {
					outage++
				}
			}
		}
	}
	share := float64(failed) / float64(total)
	if share < 0.018 || share > 0.022 {
		t.Errorf("failure share %.4f, want 0.02 within 10%%", share)
	}
	if got := float64(outage) / float64(total); got < p.outageShare()*0.9 || got > p.outageShare()*1.1+0.0001 {
		t.Errorf("outage results %.4f, plan says %.4f", got, p.outageShare())
	}
}

func TestPlanPresent(t *testing.T) {
	p, err := newPlan(10, 5, 10*5*100, time.Minute, 0.02, planNow, 1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	last := func(e, a int) verdict { return p.decide(rng, e, a, p.resultTime(e, a, p.perPair-1), 0) }
	for a := range p.agents {
		lt := p.resultTime(0, a, p.perPair-1)
		switch {
		case lt.After(p.lastSeen(a)):
			t.Errorf("agent %d: last result at %s after its last contact %s", a, lt, p.lastSeen(a))
		case a == p.staleAgent && p.now.Sub(p.lastSeen(a)) < staleAfter:
			t.Errorf("the stale agent was seen %s ago, less than its stale-after", p.now.Sub(p.lastSeen(a)))
		case a != p.staleAgent && last(0, a).success:
			t.Errorf("endpoint 0 is down now, but agent %d's last result succeeded", a)
		}
	}
	degraded := 0
	for a := range p.agents {
		if !last(1, a).success {
			degraded++
		}
	}
	if degraded == 0 || degraded >= agentQuorum {
		t.Errorf("endpoint 1: %d agents failing now, want some, fewer than %d", degraded, agentQuorum)
	}
	if left := p.ep[2].certExpiry.Sub(p.now); left > 14*24*time.Hour {
		t.Errorf("endpoint 2's certificate expires in %s, want under 14 days", left)
	}
}

func TestSummarizeTakesNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 20; i++ {
		ds = append(ds, time.Duration(21-i)*time.Millisecond) // 20 ms down to 1 ms
	}
	q := summarize(ds)
	if q.n != 20 || q.p50 != 10*time.Millisecond || q.p95 != 19*time.Millisecond || q.max != 20*time.Millisecond {
		t.Errorf("summarize = %+v, want n 20, p50 10ms, p95 19ms, max 20ms", q)
	}
	if got := thousands(10_000_000); got != "10,000,000" {
		t.Errorf("thousands = %s", got)
	}
}

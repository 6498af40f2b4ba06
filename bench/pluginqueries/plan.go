package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// plan is the synthetic history the seeder writes: E endpoints, each
// probed by every one of A agents every interval, going back from now far
// enough for `results` results in all. It decides every result from a
// seeded random source, so the same flags give the same data.
type plan struct {
	endpoints, agents int
	perPair           int // results per (endpoint, agent)
	interval          time.Duration
	now               time.Time
	failureRate       float64

	// staleAgent stops reporting staleFor before now.
	staleAgent int
	staleFor   time.Duration

	ep []endpointPlan
}

// Agents' stale-after, and K of the quorum (of all A agents).
const (
	staleAfter  = 3 * time.Minute
	agentQuorum = 3
	// failureThreshold results in a row trigger an agent, as Gatus's
	// failure-threshold.
	failureThreshold = 3
)

type endpointPlan struct {
	key, name, group string
	checksum         string
	baseMS           float64       // typical probe duration
	certExpiry       time.Time     // zero: not TLS
	phase            time.Duration // of agent 0; others follow
	outages          []window      // every agent fails
	// degradedAgents fail during the last degradedFor (fewer than K).
	degradedAgents int
}

type window struct{ from, to time.Time }

func (w window) contains(t time.Time) bool { return !t.Before(w.from) && t.Before(w.to) }

var groups = []string{"core", "payments", "search", "edge", "internal"}

func newPlan(endpoints, agents, results int, interval time.Duration, failureRate float64, now time.Time, seed uint64) (*plan, error) {
	if endpoints < 3 || agents < agentQuorum+1 {
		return nil, fmt.Errorf("need at least 3 endpoints and %d agents (got %d, %d)", agentQuorum+1, endpoints, agents)
	}
	pairs := endpoints * agents
	if results < pairs {
		return nil, fmt.Errorf("results %d: want at least one per (endpoint, agent), %d", results, pairs)
	}
	p := &plan{
		endpoints: endpoints, agents: agents, perPair: results / pairs, interval: interval,
		now: now.UTC().Truncate(time.Second), failureRate: failureRate,
		staleAgent: agents - 1, staleFor: 30 * time.Minute,
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	span := p.span()
	// Outages: on average one every three days per endpoint, 5 to 40
	// minutes long, every agent failing.
	for i := range endpoints {
		g := groups[i%len(groups)]
		name := fmt.Sprintf("svc-%03d", i)
		e := endpointPlan{
			key: g + "_" + name, name: name, group: g, checksum: fmt.Sprintf("cfg-%03d", i),
			baseMS: 20 + rng.Float64()*180,
			phase:  time.Duration(rng.Int64N(int64(interval))),
		}
		if i%10 < 7 {
			e.certExpiry = p.now.Add(time.Duration(20+rng.IntN(70)) * 24 * time.Hour)
		}
		n := int(math.Round(span.Hours() / 72 * (0.5 + rng.Float64())))
		for range n {
			from := p.now.Add(-span).Add(time.Duration(rng.Int64N(int64(span - time.Hour))))
			e.outages = append(e.outages, window{from, from.Add(5*time.Minute + time.Duration(rng.Int64N(int64(35*time.Minute))))})
		}
		p.ep = append(p.ep, e)
	}
	// The present: endpoint 0 is down now (quorum firing), endpoint 1 is
	// failing for two agents (degraded), endpoint 2's certificate expires
	// in 5 days.
	p.ep[0].outages = append(p.ep[0].outages, window{p.now.Add(-20 * time.Minute), p.now.Add(time.Hour)})
	p.ep[1].degradedAgents = agentQuorum - 1
	p.ep[2].certExpiry = p.now.Add(5 * 24 * time.Hour)
	return p, nil
}

// span is how far back the results go.
func (p *plan) span() time.Duration { return time.Duration(p.perPair) * p.interval }

// outageShare is the share of results that fall in outages.
func (p *plan) outageShare() float64 {
	var down time.Duration
	for _, e := range p.ep {
		for _, w := range e.outages {
			from, to := w.from, w.to
			if start := p.now.Add(-p.span()); from.Before(start) {
				from = start
			}
			if to.After(p.now) {
				to = p.now
			}
			if to.After(from) {
				down += to.Sub(from)
			}
		}
	}
	return down.Seconds() / (p.span().Seconds() * float64(len(p.ep)))
}

// isolatedRate is the chance of a failure outside outages that makes the
// failure rate come out as asked.
func (p *plan) isolatedRate() float64 {
	o := p.outageShare()
	return max(0, (p.failureRate-o)/(1-o))
}

// resultTime is the time of the i-th result (0 = oldest) of a pair.
func (p *plan) resultTime(e, a, i int) time.Time {
	phase := p.ep[e].phase + time.Duration(a)*p.interval/time.Duration(p.agents)
	phase %= p.interval
	t := p.now.Add(-phase - time.Duration(p.perPair-1-i)*p.interval)
	if a == p.staleAgent {
		t = t.Add(-p.staleFor)
	}
	return t
}

// lastSeen is when an agent last reported: at or after its last result.
func (p *plan) lastSeen(a int) time.Time {
	if a == p.staleAgent {
		return p.now.Add(-p.staleFor)
	}
	return p.now
}

func agentID(a int) string { return fmt.Sprintf("agent-%d", a+1) }

// degradedFor is how long the degraded endpoint's agents have failed.
const degradedFor = 15 * time.Minute

// verdict is one generated result.
type verdict struct {
	success    bool
	status     int
	durationMS float64
	errors     []string
	conditions []condition // of failed results only
	outage     bool
}

type condition struct {
	text    string
	success bool
}

// decide makes the result of endpoint e by agent a at t. isolated is the
// chance of a failure outside outages.
func (p *plan) decide(rng *rand.Rand, e, a int, t time.Time, isolated float64) verdict {
	ep := &p.ep[e]
	d := ep.baseMS * (0.7 + 0.6*rng.Float64()) * (1 + 0.1*float64(a))
	inOutage := false
	for _, w := range ep.outages {
		if w.contains(t) {
			inOutage = true
			break
		}
	}
	if !inOutage && ep.degradedAgents > a && t.After(p.now.Add(-degradedFor)) {
		inOutage = true
	}
	switch {
	case inOutage:
		return verdict{status: 503, durationMS: d * 0.5, outage: true,
			errors: nil,
			conditions: []condition{
				{"[STATUS] (503) == 200", false},
				{fmt.Sprintf("[RESPONSE_TIME] (%.0f) < 500", d*0.5), true},
				{"[BODY].status (DOWN) == UP", false},
			}}
	case rng.Float64() < isolated:
		return verdict{status: 0, durationMS: 5000,
			errors: []string{"Get \"https://" + ep.name + ".example.com/health\": context deadline exceeded"},
			conditions: []condition{
				{"[CONNECTED] == true", false},
				{"[STATUS] (0) == 200", false},
				{"[RESPONSE_TIME] (5000) < 500", false},
			}}
	}
	return verdict{success: true, status: 200, durationMS: d}
}

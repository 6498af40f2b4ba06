package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"

	"github.com/quorate/quorate/quorum/internal/monitoring"
)

// Authenticator identifies agents by bearer token and rate-limits them. It
// is safe for concurrent use; Update swaps its agents atomically.
type Authenticator struct {
	// mu serializes Update, so that two reloads cannot both carry over the
	// same limiters from an older snapshot.
	mu      sync.Mutex
	current atomic.Pointer[snapshot]
	// compare is subtle.ConstantTimeCompare; tests count its calls.
	compare func(x, y []byte) int
}

// snapshot is the immutable view built from one monitoring config.
type snapshot struct {
	tokens   []tokenEntry
	limiters map[string]*agentLimiter
}

// tokenEntry holds a digest, never the token itself.
type tokenEntry struct {
	agentID string
	digest  [sha256.Size]byte
}

type agentLimiter struct {
	ratePerSecond float64
	limiter       *rate.Limiter
}

// New builds an Authenticator for the agents of cfg (nil: no agents).
func New(cfg *monitoring.Config) *Authenticator {
	a := &Authenticator{compare: subtle.ConstantTimeCompare}
	a.current.Store(build(cfg, nil))
	return a
}

// Update switches to the agents of a reloaded config. Agents whose
// rate-per-second is unchanged keep their bucket; see the package doc.
func (a *Authenticator) Update(cfg *monitoring.Config) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.current.Store(build(cfg, a.current.Load()))
}

func build(cfg *monitoring.Config, previous *snapshot) *snapshot {
	s := &snapshot{limiters: map[string]*agentLimiter{}}
	if cfg == nil {
		return s
	}
	for _, agent := range cfg.Agents {
		if agent.Token != "" {
			s.tokens = append(s.tokens, tokenEntry{agentID: agent.ID, digest: sha256.Sum256([]byte(agent.Token))})
		}
		if previous != nil {
			if old, ok := previous.limiters[agent.ID]; ok && old.ratePerSecond == agent.RatePerSecond {
				s.limiters[agent.ID] = old
				continue
			}
		}
		s.limiters[agent.ID] = newAgentLimiter(agent.RatePerSecond)
	}
	return s
}

// Identify returns the agent whose token this is. It compares the token's
// digest with every agent's digest, whatever matches, and succeeds only
// when exactly one matches (the config forbids duplicate tokens).
func (a *Authenticator) Identify(token string) (agentID string, ok bool) {
	if token == "" {
		return "", false
	}
	presented := sha256.Sum256([]byte(token))
	s := a.current.Load()
	matches, index := 0, 0
	for i := range s.tokens {
		eq := a.compare(presented[:], s.tokens[i].digest[:])
		matches += eq
		index = subtle.ConstantTimeSelect(eq, i, index)
	}
	if matches != 1 {
		return "", false
	}
	return s.tokens[index].agentID, true
}

package agentexporter

import (
	"math/rand/v2"
	"time"
)

// backoff doubles the wait after each failure, from initial to max, and
// spreads each wait by the randomization factor. Only the sender uses it.
type backoff struct {
	cfg  RetryConfig
	next time.Duration
	rand func() float64 // in [0, 1)
}

func newBackoff(cfg RetryConfig) *backoff {
	return &backoff{cfg: cfg, next: cfg.InitialInterval, rand: rand.Float64}
}

// Next returns the wait before the next attempt and doubles the one after.
func (b *backoff) Next() time.Duration {
	d := b.next
	b.next = min(2*b.next, b.cfg.MaxInterval)
	return b.jitter(d)
}

// Max is a wait at the top of the range, for when waiting longer is the
// point (central refuses the credentials).
func (b *backoff) Max() time.Duration { return b.jitter(b.cfg.MaxInterval) }

// Reset starts over from the initial interval after a success.
func (b *backoff) Reset() { b.next = b.cfg.InitialInterval }

func (b *backoff) jitter(d time.Duration) time.Duration {
	f := b.cfg.RandomizationFactor
	j := time.Duration(float64(d) * (1 + f*(2*b.rand()-1)))
	return max(min(j, b.cfg.MaxInterval), time.Millisecond)
}

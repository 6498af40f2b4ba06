package auth

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// Burst is the bucket size for a rate: one second's worth of requests,
// at least 1.
func Burst(ratePerSecond float64) int {
	if !(ratePerSecond > 1) {
		return 1
	}
	if ratePerSecond >= math.MaxInt32 {
		return math.MaxInt32
	}
	return int(math.Ceil(ratePerSecond))
}

func newAgentLimiter(ratePerSecond float64) *agentLimiter {
	return &agentLimiter{
		ratePerSecond: ratePerSecond,
		limiter:       rate.NewLimiter(rate.Limit(ratePerSecond), Burst(ratePerSecond)),
	}
}

// Allow takes one request from the agent's bucket at now. When the bucket
// is empty it returns false and how long until the next request would be
// allowed. An agent that is not in the config is never allowed and gets a
// zero retryAfter: identify the agent first.
func (a *Authenticator) Allow(agentID string, now time.Time) (ok bool, retryAfter time.Duration) {
	l, found := a.current.Load().limiters[agentID]
	if !found {
		return false, 0
	}
	if l.limiter.AllowN(now, 1) {
		return true, 0
	}
	missing := 1 - l.limiter.TokensAt(now)
	retryAfter = time.Duration(missing / l.ratePerSecond * float64(time.Second))
	if retryAfter <= 0 {
		// A concurrent request moved the bucket in between; a zero
		// wait would read as "allowed", so report the smallest one.
		retryAfter = time.Nanosecond
	}
	return false, retryAfter
}

// RetryAfterSeconds is the value of a Retry-After header for a wait:
// whole seconds, rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		return 1
	}
	return secs
}

// Package auth authenticates agents on the central and rate-limits them.
//
// # Tokens
//
// Every agent of the monitoring config except the in-process local agent
// has a bearer token of its own (the config rejects empty and duplicate
// tokens). Identify maps a token to exactly one agent id. It hashes the
// presented token with SHA-256 and compares the digest with the digest of
// every agent's token using crypto/subtle, without stopping at a match, so
// neither which agent matched nor how long the real tokens are shows in the
// time it takes. Agents without a token never match: only the central's own
// probe receiver reports as them, in process.
//
// Tokens never appear in logs or errors; this package logs nothing.
//
// # Rate limiting
//
// Each agent has a token bucket (golang.org/x/time/rate) refilled at its
// rate-per-second, with a burst of max(1, ceil(rate-per-second)): one
// second's worth of requests, and at least one so that a rate below 1/s
// still lets a request through. Allow takes the time as an argument, so
// callers and tests decide the clock.
//
// On reload, Update keeps the bucket of every agent whose rate did not
// change, so a reload is no way around the limit; an agent whose rate
// changed, or a new agent, starts with a full bucket, so that raising a
// rate takes effect at once.
package auth

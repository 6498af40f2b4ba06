package auth

import "errors"

// Errors for callers that turn an authentication outcome into a status
// (401, 429). They never carry the token.
var (
	ErrUnauthenticated = errors.New("unauthenticated: missing or unknown bearer token")
	ErrRateLimited     = errors.New("rate limited: the agent sent more requests than its rate-per-second allows")
)

package auth

import (
	"net/http"
	"strings"
)

const bearerScheme = "bearer"

// BearerToken extracts the token of an "Authorization: Bearer <token>"
// header. The scheme is case-insensitive (RFC 9110 section 11.1); blanks
// around the token are ignored. It fails when the header is missing,
// repeated, uses another scheme, or carries an empty token or one with
// blanks inside.
func BearerToken(h http.Header) (token string, ok bool) {
	values := h.Values("Authorization")
	if len(values) != 1 {
		return "", false
	}
	scheme, rest, found := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !found || !strings.EqualFold(scheme, bearerScheme) {
		return "", false
	}
	token = strings.TrimSpace(rest)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

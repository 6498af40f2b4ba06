package push

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Kind is what the sender does after a failed request.
type Kind int

const (
	// Retryable: send the same batch again after a backoff (network
	// errors, 408, 429, 5xx).
	Retryable Kind = iota
	// Unauthorized: central refuses the agent (401, 403). Retrying at once
	// cannot help; the token or agent id has to be fixed, on either side.
	Unauthorized
	// Permanent: central will never take this batch (other 4xx); retrying
	// it would block the queue forever.
	Permanent
)

func (k Kind) String() string {
	switch k {
	case Retryable:
		return "retryable"
	case Unauthorized:
		return "unauthorized"
	default:
		return "permanent"
	}
}

// Error is a request that central did not take.
type Error struct {
	Kind Kind
	// StatusCode is the HTTP status; 0 when no response arrived.
	StatusCode int
	// RetryAfter is central's Retry-After on a 429 or 503, 0 without one.
	RetryAfter time.Duration
	// Message is central's explanation (a google.rpc.Status message or
	// the start of a plain body), made a single printable line.
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.StatusCode == 0 {
		return fmt.Sprintf("sending to central: %v", e.Err)
	}
	if e.Message == "" {
		return fmt.Sprintf("central answered HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("central answered HTTP %d: %s", e.StatusCode, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// maxRetryAfter caps a Retry-After so that a broken header cannot stop the
// agent from sending for days.
const maxRetryAfter = 5 * time.Minute

func classify(resp *http.Response, body []byte) *Error {
	e := &Error{
		StatusCode: resp.StatusCode,
		Message:    statusMessage(resp.Header.Get("Content-Type"), body),
		Err:        errEmpty,
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Kind = Unauthorized
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		e.Kind = Retryable
	default:
		e.Kind = Permanent
	}
	if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

// parseRetryAfter reads delay-seconds or an HTTP-date (RFC 9110 10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// statusMessage extracts a short explanation from an error body: OTLP/HTTP
// servers answer a google.rpc.Status in the request's encoding.
func statusMessage(contentType string, body []byte) string {
	if len(body) == 0 {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	var st rpcstatus.Status
	switch {
	case mt == protobufContentType:
		if proto.Unmarshal(body, &st) == nil {
			return oneLine(st.GetMessage())
		}
	case isJSON(contentType):
		if protojson.Unmarshal(body, &st) == nil {
			return oneLine(st.GetMessage())
		}
	}
	if strings.HasPrefix(mt, "text/") {
		return oneLine(string(body))
	}
	return ""
}

func isJSON(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "application/json"
}

// oneLine keeps log lines single and short whatever central sent.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	const maxLen = 200
	if len(s) > maxLen {
		cut := maxLen
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

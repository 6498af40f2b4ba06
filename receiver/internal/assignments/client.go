package assignments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
)

// maxBodyBytes bounds what one answer may hold: thousands of endpoints fit
// easily, a runaway server does not exhaust the agent's memory.
const maxBodyBytes = 32 << 20

// maxMessageBytes bounds the error text quoted from a refusal.
const maxMessageBytes = 512

// ErrInvalidResponse marks a 200 answer the agent cannot use: not JSON, too
// large, or for another agent.
var ErrInvalidResponse = errors.New("invalid assignments response")

// StatusError is a non-200, non-304 answer of the central.
type StatusError struct {
	Code int
	// RetryAfter is the Retry-After header as a delay; 0 when absent.
	RetryAfter time.Duration
	// Message is the central's {"error": "..."} text, if any.
	Message string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("central answered %d %s", e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Client fetches one agent's assignments.
type Client struct {
	http      *http.Client
	url       string
	agentID   string
	token     string
	userAgent string
}

// NewClient returns a client of the central whose agent API is at baseURL
// (scheme, host and an optional path prefix). The token is only ever sent
// in the Authorization header.
func NewClient(hc *http.Client, baseURL, agentID, token, userAgent string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("central endpoint %q must be an http(s) URL, e.g. https://central.example:4319", endpoint.RedactURL(baseURL))
	}
	return &Client{
		http:      hc,
		url:       u.JoinPath("api/v1/agents", agentID, "assignments").String(),
		agentID:   agentID,
		token:     token,
		userAgent: userAgent,
	}, nil
}

// URL is where the client fetches, for logs; it holds no credentials
// unless the configured endpoint did, and those are redacted.
func (c *Client) URL() string { return endpoint.RedactURL(c.url) }

// CloseIdleConnections releases kept-alive connections, on shutdown.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Fetch asks for the assignments. With a checksum it sends If-None-Match and
// returns (nil, nil) when the central answers 304 Not Modified. Other
// answers are a *StatusError, an error wrapping ErrInvalidResponse, or a
// transport error.
func (c *Client) Fetch(ctx context.Context, checksum string) (*Snapshot, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("building the assignments request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if checksum != "" {
		req.Header.Set("If-None-Match", strconv.Quote(checksum))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		// Drain so the connection is reused for the next poll.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyBytes))
		_ = resp.Body.Close()
	}()

	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, nil
	case http.StatusOK:
		return c.decode(resp)
	default:
		return nil, &StatusError{
			Code:       resp.StatusCode,
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Message:    errorMessage(resp.Body),
		}
	}
}

func (c *Client) decode(resp *http.Response) (*Snapshot, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the assignments: %w", err)
	}
	if len(body) > maxBodyBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidResponse, maxBodyBytes)
	}
	var s Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidResponse, err)
	}
	if s.AgentID != c.agentID {
		return nil, fmt.Errorf("%w: it is for agent %q, not %q", ErrInvalidResponse, s.AgentID, c.agentID)
	}
	if s.Checksum == "" {
		s.Checksum = unquoteETag(resp.Header.Get("ETag"))
	}
	if s.Endpoints == nil {
		s.Endpoints = []endpoint.Endpoint{}
	}
	return &s, nil
}

// unquoteETag turns `W/"abc"` or `"abc"` into abc.
func unquoteETag(tag string) string {
	tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
	if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
		return tag[1 : len(tag)-1]
	}
	return tag
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date (RFC 9110
// section 10.2.3); 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return min(at.Sub(now), maxRetryAfter)
	}
	return 0
}

// errorMessage is the central's JSON error text, shortened; empty when the
// body is something else.
func errorMessage(body io.Reader) string {
	var e struct {
		Error string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&e); err != nil {
		return ""
	}
	msg := strings.TrimSpace(e.Error)
	if len(msg) > maxMessageBytes {
		msg = msg[:maxMessageBytes] + "..."
	}
	return msg
}

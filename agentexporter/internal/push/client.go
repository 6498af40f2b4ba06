package push

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

const (
	// LogsPath is appended to the configured endpoint, as OTLP/HTTP does.
	LogsPath = "/v1/logs"

	protobufContentType = "application/x-protobuf"
	// maxResponseBytes bounds what is read of central's answer: an export
	// response or an error status is small.
	maxResponseBytes = 64 << 10
)

// Client posts log batches to one central. The http.Client brings TLS,
// timeouts and compression (confighttp); Client adds the bearer token.
type Client struct {
	http      *http.Client
	url       string
	auth      string
	userAgent string
}

// New returns a client posting to endpoint + /v1/logs. An empty token
// sends no Authorization header (an auth extension may set one).
func New(hc *http.Client, endpoint, token, userAgent string) *Client {
	c := &Client{
		http:      hc,
		url:       strings.TrimRight(endpoint, "/") + LogsPath,
		userAgent: userAgent,
	}
	if token != "" {
		c.auth = "Bearer " + token
	}
	return c
}

// URL is where batches are posted.
func (c *Client) URL() string { return c.url }

// PartialSuccess is what central reported refusing of an accepted request.
type PartialSuccess struct {
	Rejected int64
	Message  string
}

// Send posts ld once. A nil error means central took the request; it may
// still have refused some records (PartialSuccess). Any other outcome is an
// *Error saying whether to retry.
func (c *Client) Send(ctx context.Context, ld plog.Logs) (PartialSuccess, error) {
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		return PartialSuccess{}, &Error{Kind: Permanent, Err: fmt.Errorf("encoding the batch as OTLP protobuf: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return PartialSuccess{}, &Error{Kind: Permanent, Err: fmt.Errorf("building the request to %s: %w", c.url, err)}
	}
	req.Header.Set("Content-Type", protobufContentType)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		// The token is in a header, never in the URL, so the error is safe
		// to log.
		return PartialSuccess{}, &Error{Kind: Retryable, Err: err}
	}
	defer func() {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, maxResponseBytes)
		_ = resp.Body.Close()
	}()
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if readErr != nil {
			// Central answered 2xx: the batch is in. Only the partial
			// success details are lost.
			return PartialSuccess{Message: fmt.Sprintf("reading the response: %v", readErr)}, nil
		}
		return parsePartialSuccess(resp.Header.Get("Content-Type"), data), nil
	}
	return PartialSuccess{}, classify(resp, data)
}

func parsePartialSuccess(contentType string, data []byte) PartialSuccess {
	if len(data) == 0 {
		return PartialSuccess{}
	}
	er := plogotlp.NewExportResponse()
	var err error
	if isJSON(contentType) {
		err = er.UnmarshalJSON(data)
	} else {
		err = er.UnmarshalProto(data)
	}
	if err != nil {
		return PartialSuccess{Message: fmt.Sprintf("undecodable export response (%s): %v", contentType, err)}
	}
	ps := er.PartialSuccess()
	return PartialSuccess{Rejected: ps.RejectedLogRecords(), Message: ps.ErrorMessage()}
}

// IsZero reports a full success: nothing refused, nothing to say.
func (p PartialSuccess) IsZero() bool { return p.Rejected == 0 && p.Message == "" }

// errEmpty is the Err of an *Error built from a status code alone.
var errEmpty = errors.New("no details")

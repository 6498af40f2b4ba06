package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// AlertsPath is Alertmanager's API v2 endpoint for posting alerts.
const AlertsPath = "/api/v2/alerts"

// Client posts alerts to one Alertmanager.
type Client struct {
	http *http.Client
	url  string
	// shown is the URL with any password redacted, for errors and logs.
	shown string
}

// NewClient posts to baseURL + AlertsPath with hc (confighttp's client, or
// http.DefaultClient in tests).
func NewClient(hc *http.Client, baseURL string) (*Client, error) {
	if err := checkURL(baseURL); err != nil {
		return nil, err
	}
	u, _ := url.Parse(baseURL) // checked above
	u.Path = strings.TrimSuffix(u.Path, "/") + AlertsPath
	u.RawPath = ""
	return &Client{http: hc, url: u.String(), shown: u.Redacted()}, nil
}

// String is the alerts URL, password redacted.
func (c *Client) String() string { return c.shown }

// StatusError is an answer other than 2xx.
type StatusError struct {
	Code int
	// Body is the start of Alertmanager's answer, which says what it
	// refused.
	Body string
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Body)
}

// Post sends alerts in one request.
func (c *Client) Post(ctx context.Context, alerts []Alert) error {
	body, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("encode %d alerts: %w", len(alerts), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post alerts to %s: %w", c.shown, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error repeats the URL; keep only the cause, the URL we show
		// is redacted.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("post %d alerts to %s: %w", len(alerts), c.shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("post %d alerts to %s: %w", len(alerts), c.shown,
		&StatusError{Code: resp.StatusCode, Body: strings.TrimSpace(string(msg))})
}

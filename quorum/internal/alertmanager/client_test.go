package alertmanager

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientPostsTheAPIv2JSON(t *testing.T) {
	var got struct {
		path, contentType, user, pass string
		body                          []byte
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.contentType = r.URL.Path, r.Header.Get("Content-Type")
		got.user, got.pass, _ = r.BasicAuth()
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()

	base := strings.Replace(srv.URL, "http://", "http://am:pw@", 1) + "/prefix/"
	c, err := NewClient(http.DefaultClient, base)
	require.NoError(t, err)
	assert.Equal(t, strings.Replace(srv.URL, "http://", "http://am:xxxxx@", 1)+"/prefix/api/v2/alerts", c.String())

	start := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	require.NoError(t, c.Post(context.Background(), []Alert{
		{Labels: map[string]string{"alertname": "A"}, StartsAt: start},
		{Labels: map[string]string{"alertname": "B"}, Annotations: map[string]string{"summary": "s"},
			StartsAt: start, EndsAt: start.Add(time.Minute)},
	}))
	assert.Equal(t, "/prefix/api/v2/alerts", got.path)
	assert.Equal(t, "application/json", got.contentType)
	assert.Equal(t, "am", got.user, "basic auth from the URL is sent")
	assert.Equal(t, "pw", got.pass)

	var raw []map[string]any
	require.NoError(t, json.Unmarshal(got.body, &raw))
	require.Len(t, raw, 2)
	assert.Equal(t, map[string]any{"labels": map[string]any{"alertname": "A"}, "startsAt": "2025-03-14T12:00:00Z"}, raw[0],
		"a firing alert without endsAt or annotations leaves them out")
	assert.Equal(t, "2025-03-14T12:01:00Z", raw[1]["endsAt"])
	assert.Equal(t, map[string]any{"summary": "s"}, raw[1]["annotations"])
}

func TestClientErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `"start time must be before end time"`, http.StatusBadRequest)
	}))
	defer srv.Close()

	c, err := NewClient(http.DefaultClient, srv.URL)
	require.NoError(t, err)
	err = c.Post(context.Background(), []Alert{{Labels: map[string]string{"a": "b"}}})
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusBadRequest, se.Code)
	assert.Contains(t, err.Error(), "start time must be before end time", "Alertmanager's reason is kept")
	assert.True(t, refused(err))

	srv.Close()
	secret, err := NewClient(http.DefaultClient, strings.Replace(srv.URL, "http://", "http://u:topsecret@", 1))
	require.NoError(t, err)
	err = secret.Post(context.Background(), []Alert{{Labels: map[string]string{"a": "b"}}})
	require.Error(t, err)
	assert.False(t, refused(err), "a network error is retried")
	assert.NotContains(t, err.Error(), "topsecret")
	assert.Contains(t, err.Error(), "u:xxxxx@")

	for _, code := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable} {
		assert.False(t, refused(&StatusError{Code: code}), "%d is retried", code)
	}
	assert.False(t, refused(errors.New("timeout")))
}

func TestNewClientRejectsWhatIsNotABaseURL(t *testing.T) {
	tests := []struct{ url, want string }{
		{"127.0.0.1:9093", "must start with http:// or https://"},
		{"ftp://am:9093", "must start with http:// or https://"},
		{"http://", "has no host"},
		{"http://am:9093/?x=1", "must not have a query"},
		{"http://u:hunter2@am:9093/#x", "must not have a query or fragment"},
		{"http://am:9093/%zz", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := NewClient(http.DefaultClient, tt.url)
			require.ErrorContains(t, err, tt.want)
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

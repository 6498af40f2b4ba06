package assignments

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/receiver/internal/assignments/assignmentstest"
)

func TestFetchSendsTheAgentsCredentialsAndDecodesEndpoints(t *testing.T) {
	eps := []endpoint.Endpoint{httpEndpoint("api"), {
		Name: "resolver", URL: "127.0.0.1:53", Interval: 2 * time.Minute,
		DNS:        &endpoint.DNSConfig{QueryType: "A", QueryName: "example.org"},
		Conditions: []string{"[DNS_RCODE] == NOERROR"},
		Client:     &endpoint.ClientConfig{Timeout: 5 * time.Second},
	}}
	central := assignmentstest.New(t, agentID, token, eps...)
	snap, err := newClient(t, central.URL(), agentID, token).Fetch(context.Background(), "")
	require.NoError(t, err)
	require.NotNil(t, snap)
	assert.Equal(t, &Snapshot{AgentID: agentID, Checksum: central.Checksum(), Endpoints: eps}, snap)

	reqs := central.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/v1/agents/eu/assignments", reqs[0].Path)
	assert.Equal(t, "Bearer "+token, reqs[0].Authorization)
	assert.Equal(t, userAgent, reqs[0].UserAgent)
	assert.Empty(t, reqs[0].IfNoneMatch, "nothing to revalidate on the first fetch")
}

// The central encodes api.AssignmentsResponse with encoding/json: durations
// are integer nanoseconds and the endpoint keys are Gatus's.
func TestFetchReadsTheCentralsWireFormat(t *testing.T) {
	const body = `{"agent_id":"eu","checksum":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","endpoints":[` +
		`{"name":"api","group":"core","url":"https://api.example.test/health","method":"POST",` +
		`"headers":{"Content-Type":"application/json"},"body":"{}","interval":30000000000,` +
		`"conditions":["[STATUS] == 200","[RESPONSE_TIME] < 300"],"client":{"timeout":5000000000,"insecure":true},` +
		`"extra-labels":{"team":"sre"},"ui":{"hide-url":true}}]}` + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("ETag", `"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()

	snap, err := newClient(t, srv.URL, agentID, token).Fetch(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", snap.Checksum)
	require.Len(t, snap.Endpoints, 1)
	ep := snap.Endpoints[0]
	assert.Equal(t, "core_api", ep.Key())
	assert.Equal(t, 30*time.Second, ep.Interval)
	assert.Equal(t, &endpoint.ClientConfig{Timeout: 5 * time.Second, Insecure: true}, ep.Client)
	assert.Equal(t, map[string]string{"Content-Type": "application/json"}, ep.Headers)
	assert.Equal(t, map[string]string{"team": "sre"}, ep.ExtraLabels)
	assert.True(t, ep.UI.HideURL)
}

func TestFetchRevalidatesWithTheQuotedChecksum(t *testing.T) {
	central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
	sum := central.Checksum()
	c := newClient(t, central.URL(), agentID, token)

	snap, err := c.Fetch(context.Background(), sum)
	require.NoError(t, err)
	assert.Nil(t, snap, "304 Not Modified means no new snapshot")

	central.SetEndpoints(httpEndpoint("api"), httpEndpoint("web"))
	snap, err = c.Fetch(context.Background(), sum)
	require.NoError(t, err)
	require.NotNil(t, snap, "a changed checksum must bring the new assignments")
	assert.Len(t, snap.Endpoints, 2)

	reqs := central.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, strconv.Quote(sum), r.IfNoneMatch)
	}
	assert.Equal(t, []int{http.StatusNotModified, http.StatusOK}, []int{reqs[0].Status, reqs[1].Status})
}

func TestFetchReportsRefusalsAsStatusErrors(t *testing.T) {
	tests := []struct {
		name           string
		agent, tok     string
		pathPrefix     string
		fail           *assignmentstest.Failure
		wantCode       int
		wantRetryAfter time.Duration
	}{
		{name: "unknown token", agent: agentID, tok: "not-the-token", wantCode: 401},
		{name: "another agent's assignments", agent: "us", tok: token, wantCode: 403},
		{name: "rate limited", agent: agentID, tok: token, fail: &assignmentstest.Failure{Status: 429, RetryAfter: "7"},
			wantCode: 429, wantRetryAfter: 7 * time.Second},
		{name: "config not loaded", agent: agentID, tok: token, fail: &assignmentstest.Failure{Status: 503, RetryAfter: "1"},
			wantCode: 503, wantRetryAfter: time.Second},
		{name: "wrong base path", agent: agentID, tok: token, pathPrefix: "/nope", wantCode: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			central := assignmentstest.New(t, agentID, token, httpEndpoint("api"))
			if tt.fail != nil {
				central.Fail(*tt.fail)
			}
			_, err := newClient(t, central.URL()+tt.pathPrefix, tt.agent, tt.tok).Fetch(context.Background(), "")
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.wantCode, se.Code)
			assert.Equal(t, tt.wantRetryAfter, se.RetryAfter)
			assert.NotEmpty(t, se.Message, "the central's error text helps the operator")
			assert.NotContains(t, err.Error(), token)
		})
	}
}

func TestFetchRefusesAnswersItCannotUse(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "not json", body: "<html>proxy login</html>"},
		{name: "another agent's answer", body: `{"agent_id":"us","checksum":"x","endpoints":[]}`},
		{name: "wrong shape", body: `{"agent_id":"eu","checksum":"x","endpoints":{"name":"api"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := newClient(t, srv.URL, agentID, token).Fetch(context.Background(), "")
			require.ErrorIs(t, err, ErrInvalidResponse)
		})
	}
}

func TestFetchFallsBackToTheETagWithoutABodyChecksum(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("ETag", `W/"abc123"`)
		_, _ = w.Write([]byte(`{"agent_id":"eu","endpoints":null}`))
	}))
	defer srv.Close()
	snap, err := newClient(t, srv.URL, agentID, token).Fetch(context.Background(), "")
	require.NoError(t, err)
	assert.Equal(t, "abc123", snap.Checksum)
	assert.NotNil(t, snap.Endpoints, "no endpoints is an empty assignment, not a missing one")
}

func TestFetchFromAStoppedCentralIsATransportError(t *testing.T) {
	central := assignmentstest.New(t, agentID, token)
	central.Stop()
	_, err := newClient(t, central.URL(), agentID, token).Fetch(context.Background(), "")
	require.Error(t, err)
	var se *StatusError
	assert.False(t, errors.As(err, &se))
	assert.NotErrorIs(t, err, ErrInvalidResponse)
}

func TestNewClientBuildsTheAssignmentsURL(t *testing.T) {
	tests := []struct {
		base, want string
	}{
		{base: "https://central.example:4319", want: "https://central.example:4319/api/v1/agents/eu/assignments"},
		{base: "https://central.example:4319/", want: "https://central.example:4319/api/v1/agents/eu/assignments"},
		{base: "https://proxy.example/quorate/", want: "https://proxy.example/quorate/api/v1/agents/eu/assignments"},
		{base: "https://user:pw@central.example", want: "https://user:xxxxx@central.example/api/v1/agents/eu/assignments"},
	}
	for _, tt := range tests {
		c, err := NewClient(http.DefaultClient, tt.base, agentID, token, userAgent)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.URL(), "the URL is for logs: credentials redacted")
	}
	for _, bad := range []string{"", "central.example:4319", "ftp://central.example", "https://"} {
		_, err := NewClient(http.DefaultClient, bad, agentID, token, userAgent)
		assert.Error(t, err, "base %q", bad)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{name: "absent", header: "", want: 0},
		{name: "seconds", header: "7", want: 7 * time.Second},
		{name: "zero", header: "0", want: 0},
		{name: "negative", header: "-3", want: 0},
		{name: "garbage", header: "soon", want: 0},
		{name: "absurd seconds are capped", header: "99999999999", want: maxRetryAfter},
		{name: "http date", header: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second},
		{name: "http date in the past", header: now.Add(-time.Minute).Format(http.TimeFormat), want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, parseRetryAfter(tt.header, now))
		})
	}
}

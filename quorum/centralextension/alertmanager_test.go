package centralextension

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/quorum/internal/alertmanager"
)

// alertsServer keeps the alerts posted to /api/v2/alerts.
type alertsServer struct {
	mu     sync.Mutex
	alerts []alertmanager.Alert
	header http.Header
}

func (s *alertsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var batch []alertmanager.Alert
	if r.URL.Path != alertmanager.AlertsPath || json.NewDecoder(r.Body).Decode(&batch) != nil {
		http.Error(w, "want a JSON array at "+alertmanager.AlertsPath, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, batch...)
	s.header = r.Header.Clone()
}

func (s *alertsServer) got() ([]alertmanager.Alert, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]alertmanager.Alert(nil), s.alerts...), s.header
}

func TestTheExtensionPostsFiredQuorumsToAlertmanager(t *testing.T) {
	am := &alertsServer{}
	srv := httptest.NewServer(am)
	defer srv.Close()

	cfg := testConfig(t)
	cfg.Alertmanager.URL = srv.URL
	cfg.Alertmanager.Headers.Set("X-Scope-OrgID", "quorate")
	cfg.Alertmanager.Labels = map[string]string{"severity": "critical"}
	c := startCentral(t, cfg)
	eng := c.Engine()

	// core/api: eu and us with agent-quorum 2 and the default
	// failure-threshold of 3.
	for range 3 {
		for _, agent := range []string{"eu", "us"} {
			res, err := eng.Ingest(context.Background(), agent, []resultschema.Decoded{failed(agent, "core_api")})
			require.NoError(t, err)
			require.Equal(t, 1, res.Accepted)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if alerts, _ := am.got(); len(alerts) > 0 {
			break
		}
		require.False(t, time.Now().After(deadline), "no alert posted")
		time.Sleep(5 * time.Millisecond)
	}
	alerts, header := am.got()
	require.Len(t, alerts, 1, "one alert for the endpoint, not one per agent")
	assert.Equal(t, "core_api", alerts[0].Labels["endpoint_key"])
	assert.Equal(t, "critical", alerts[0].Labels["severity"])
	assert.Equal(t, "eu,us", alerts[0].Annotations["triggered_agents"])
	assert.Equal(t, "quorate", header.Get("X-Scope-OrgID"), "the confighttp client settings apply")
}

func failed(agent, key string) resultschema.Decoded {
	now := time.Now()
	return resultschema.Decoded{
		AgentID:       agent,
		SchemaVersion: resultschema.Version,
		Key:           key,
		Name:          key,
		Type:          endpoint.TypeHTTP,
		Result: result.Result{
			Timestamp:        now,
			HTTPStatus:       503,
			ConditionResults: []result.ConditionResult{{Condition: "[STATUS] (503) == 200"}},
		},
		Observed: now,
	}
}

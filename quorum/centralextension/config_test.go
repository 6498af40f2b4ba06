package centralextension

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/centralextension/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	t.Run("defaults fill what is left out", func(t *testing.T) {
		cfg := loadConfig(t, "")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "testdata/monitoring.yaml", cfg.MonitoringFile)
		assert.Equal(t, DefaultAPIEndpoint, cfg.API.NetAddr.Endpoint)
		assert.Equal(t, DefaultMetricsEndpoint, cfg.Metrics.NetAddr.Endpoint)
		assert.Equal(t, store.DriverSQLite, cfg.Storage.Driver)
		assert.Equal(t, "quorate.db", cfg.Storage.Path)
		assert.Equal(t, 7*24*time.Hour, cfg.Storage.Retention.MaxResultAge)
		assert.Equal(t, time.Second, cfg.TickInterval)
		assert.False(t, cfg.Alertmanager.Enabled(), "no alertmanager unless its url is set")
	})

	t.Run("every knob loads", func(t *testing.T) {
		cfg := loadConfig(t, "custom")
		assert.Equal(t, 5*time.Second, cfg.TickInterval)
		assert.Equal(t, "0.0.0.0:14319", cfg.API.NetAddr.Endpoint)
		require.True(t, cfg.API.TLS.HasValue())
		assert.Equal(t, "testdata/does-not-matter.crt", cfg.API.TLS.Get().CertFile)
		assert.Equal(t, "127.0.0.1:19464", cfg.Metrics.NetAddr.Endpoint)
		assert.Equal(t, store.DriverPostgres, cfg.Storage.Driver)
		assert.Equal(t, "postgres://quorate@db.internal:5432/quorate", string(cfg.Storage.DSN))
		assert.Equal(t, int32(8), cfg.Storage.MaxConns)
		assert.Equal(t, 72*time.Hour, cfg.Storage.Retention.MaxResultAge)
		assert.Equal(t, 1000, cfg.Storage.Retention.MaxResultsPerAgent)
		assert.Equal(t, 500, cfg.Storage.Batching.MaxBatchSize)
		assert.Equal(t, 100*time.Millisecond, cfg.Storage.Batching.FlushInterval)
		require.NoError(t, confmap.Validate(cfg.Alertmanager))
		assert.Equal(t, "http://alertmanager.internal:9093", cfg.Alertmanager.URL)
		assert.Equal(t, 5*time.Second, cfg.Alertmanager.Timeout)
		assert.Equal(t, 30*time.Second, cfg.Alertmanager.ResendInterval)
		v, ok := cfg.Alertmanager.Headers.Get("X-Scope-OrgID")
		assert.True(t, ok)
		assert.Equal(t, "quorate", string(v))
		assert.Equal(t, map[string]string{"severity": "critical"}, cfg.Alertmanager.Labels)
	})
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "missing_file", want: []string{"monitoring_file: required"}},
		{name: "nonexistent_file", want: []string{"monitoring_file: read monitoring config", "nope.yaml"}},
		{name: "bad_file", want: []string{`monitoring_file: monitoring config testdata/bad-monitoring.yaml`, `unknown agent "mars"`}},
		{name: "bad_knobs", want: []string{
			"tick_interval: 0s must be greater than 0",
			`api.endpoint and metrics.endpoint are both "127.0.0.1:9999"`,
			`storage: driver: "mysql" is not supported`,
		}},
		{name: "bad_alertmanager", want: []string{
			"alertmanager: endpoint: not used here; write Alertmanager's address as url",
			"url: must start with http:// or https://",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Equal(t, 1, strings.Count(err.Error(), w), "want %q once in:\n%s", w, err)
			}
		})
	}
}

package receiver

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/receiver/internal/metadata"
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
		assert.Equal(t, "local", cfg.AgentID)
		assert.True(t, cfg.AgentHeader)
		assert.Equal(t, 256, cfg.MaxConcurrentProbes)
		assert.Empty(t, cfg.RDAPBaseURL)
		require.Len(t, cfg.Endpoints, 1)
		assert.Equal(t, "http://127.0.0.1:8080/health", cfg.Endpoints[0].URL)
		assert.True(t, cfg.MetricsBuilderConfig.Metrics.QuorateProbeConnected.Enabled)
	})

	t.Run("every knob and gatus key loads", func(t *testing.T) {
		cfg := loadConfig(t, "custom")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, "eu-west-1.a", cfg.AgentID)
		assert.False(t, cfg.AgentHeader)
		assert.Equal(t, 16, cfg.MaxConcurrentProbes)
		assert.Equal(t, "https://rdap.example.test/", cfg.RDAPBaseURL)
		assert.False(t, cfg.MetricsBuilderConfig.Metrics.QuorateProbeConnected.Enabled)
		assert.True(t, cfg.MetricsBuilderConfig.ResourceAttributes.QuorateAgentID.Enabled)
		require.Len(t, cfg.Endpoints, 3)

		api := cfg.Endpoints[0].Endpoint()
		assert.Equal(t, "core_api", api.Key())
		assert.Equal(t, "POST", api.Method)
		assert.Equal(t, 30*time.Second, api.Interval)
		assert.Equal(t, map[string]string{"Content-Type": "application/json"}, api.Headers)
		assert.Equal(t, `{"ping": true}`, api.Body)
		assert.Equal(t, []string{"[STATUS] == 200", "[BODY].status == UP", "[RESPONSE_TIME] < 300"}, api.Conditions)
		assert.Equal(t, &endpoint.ClientConfig{Timeout: 5 * time.Second, Insecure: true}, api.Client)
		assert.Equal(t, map[string]string{"team": "sre"}, api.ExtraLabels)
		assert.True(t, api.UI.HideURL)
		assert.Len(t, api.Alerts, 1)

		dns := cfg.Endpoints[1].Endpoint()
		assert.Equal(t, endpoint.TypeDNS, dns.Type())
		assert.Equal(t, &endpoint.DNSConfig{QueryType: "A", QueryName: "example.org"}, dns.DNS)

		assert.False(t, cfg.Endpoints[2].Endpoint().IsEnabled())
	})
}

func TestLoadCentralConfig(t *testing.T) {
	t.Run("without central: the agent probes only its static list", func(t *testing.T) {
		cfg := loadConfig(t, "")
		assert.False(t, cfg.Central.HasValue())
	})

	t.Run("every central knob loads", func(t *testing.T) {
		cfg := loadConfig(t, "central")
		require.NoError(t, confmap.Validate(cfg))
		require.True(t, cfg.Central.HasValue())
		c := cfg.Central.Get()
		assert.Equal(t, "https://central.example.test:4319", c.Endpoint)
		assert.Equal(t, configopaque.String("tok-eu-5f1c2a"), c.Token)
		assert.Equal(t, 10*time.Second, c.RefreshInterval)
		assert.Equal(t, "/var/lib/quorate/assignments.json", c.CacheFile)
		assert.Equal(t, 3*time.Second, c.Timeout)
		assert.Equal(t, "central.internal", c.TLS.ServerName)
		assert.Equal(t, "1.3", c.TLS.MinVersion)
		assert.Empty(t, cfg.Endpoints, "central alone is enough")
		assert.NotContains(t, fmt.Sprint(c.Token), "tok-eu", "the token prints redacted")
	})

	t.Run("central defaults", func(t *testing.T) {
		cfg := loadConfig(t, "central_defaults")
		require.NoError(t, confmap.Validate(cfg))
		c := cfg.Central.Get()
		require.NotNil(t, c)
		assert.Equal(t, 30*time.Second, c.RefreshInterval)
		assert.Equal(t, 10*time.Second, c.Timeout)
		assert.Empty(t, c.CacheFile, "empty means the per-agent file in the user cache directory")
	})

	t.Run("central and static endpoints together", func(t *testing.T) {
		cfg := loadConfig(t, "central_and_static")
		require.NoError(t, confmap.Validate(cfg))
		assert.True(t, cfg.Central.HasValue())
		assert.Len(t, cfg.Endpoints, 1)
	})
}

func TestValidateConfig(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{name: "no_endpoints", want: []string{"endpoints: at least one endpoint is required unless central: is set"}},
		{name: "bad_central", want: []string{
			`central.endpoint "central.example.test:4319" must be the http(s) base URL of the central's agent API`,
			"central.token is required",
			"central.refresh_interval 10ms must be at least 100ms",
			"central.timeout -1s must not be negative",
			`central.cache_file "testdata" is a directory`,
		}},
		{name: "bad_knobs", want: []string{
			`agent_id "Bad_Agent" must be`,
			"max_concurrent_probes 0 must be at least 1",
			`rdap_base_url "ftp://rdap.example.test" must be an http(s) URL`,
		}},
		{name: "bad_endpoints", want: []string{
			`endpoints[1] "api": condition "": `,
			`endpoints[2] "nourl": url is required`,
			`endpoints[2] "nourl": client.network "tcp" must be ip, ip4 or ip6`,
			`endpoints[3] "disabled but checked": url "gopher://127.0.0.1": unknown endpoint type`,
		}},
		{name: "missing_client_certificate", want: []string{
			`endpoints[0] "mtls": client: client.tls: loading certificate-file "testdata/does-not-exist.crt"`,
		}},
		{name: "duplicate_keys", want: []string{
			`endpoints[1] "core/api": key "core_api" is also the key of endpoints[0] "Core/API"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, w := range tt.want {
				// Once: the collector walks the config and calls every
				// Validate it finds; endpoint errors must not come twice.
				assert.Equal(t, 1, strings.Count(err.Error(), w), "want %q once in:\n%s", w, err)
			}
			assert.NotContains(t, err.Error(), `endpoints[0] "ok"`)
		})
	}
}

func TestValidateConfigNamesTheBadCondition(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "condition_syntax"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `endpoints[2] "api": condition "[STATUS] 200": `)
}

// examples/*.yaml use ${env:...} defaults that only the collector resolves;
// test/binary validates them with the built binary.

func TestLoadConnectivityConfig(t *testing.T) {
	t.Run("off unless set", func(t *testing.T) {
		assert.False(t, loadConfig(t, "").Connectivity.HasValue())
	})

	tests := []struct {
		name, config string
		want         ConnectivityCheck
	}{
		{"flat form", "connectivity", ConnectivityCheck{Target: "1.1.1.1:53", Interval: 30 * time.Second}},
		{"gatus form with the default interval", "connectivity_gatus", ConnectivityCheck{Target: "1.1.1.1:53", Interval: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadConfig(t, tt.config)
			require.NoError(t, confmap.Validate(cfg))
			conn := cfg.Connectivity.Get()
			require.NotNil(t, conn)
			got, _ := conn.effective()
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValidateConnectivityConfig(t *testing.T) {
	files := []struct {
		name string
		want []string
	}{
		{"bad_connectivity", []string{
			`connectivity.target "1.1.1.1" must be host:port with a port from 1 to 65535, e.g. 1.1.1.1:53`,
			"connectivity.interval -5s must be at least 10ms",
		}},
		{"bad_connectivity_gatus", []string{
			"connectivity.checker.target is required",
			"connectivity.checker.interval 1ns must be at least 10ms",
		}},
		{"connectivity_both_forms", []string{"connectivity: set target and interval either directly or under checker: (Gatus's form), not both"}},
	}
	for _, tt := range files {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Equal(t, 1, strings.Count(err.Error(), w), "want %q once in:\n%s", w, err)
			}
		})
	}

	targets := []struct {
		target string
		ok     bool
	}{
		{"1.1.1.1:53", true},
		{"one.one.one.one:443", true},
		{"[2606:4700:4700::1111]:53", true},
		{"127.0.0.1:65535", true},
		{"", false},
		{"1.1.1.1", false},
		{":53", false},
		{"1.1.1.1:0", false},
		{"1.1.1.1:65536", false},
		{"1.1.1.1:domain", false},
		{"2606:4700:4700::1111:53", false},
	}
	for _, tt := range targets {
		t.Run("target "+tt.target, func(t *testing.T) {
			cc := ConnectivityConfig{ConnectivityCheck: ConnectivityCheck{Target: tt.target}}
			errs := cc.validate()
			if tt.ok {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].Error(), "connectivity.target")
		})
	}
}

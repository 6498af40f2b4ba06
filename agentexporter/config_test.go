package agentexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/quorate/quorate/agentexporter/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	id := component.NewID(metadata.Type)
	if name != "" {
		id = component.NewIDWithName(metadata.Type, name)
	}
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfigAppliesDefaults(t *testing.T) {
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "https://central.example.org:4318", cfg.Endpoint)
	assert.Equal(t, "eu-west-1", cfg.AgentID)
	assert.Equal(t, configopaque.String("s3cret-token"), cfg.Token)
	assert.Equal(t, DefaultQueueSize, cfg.QueueSize)
	assert.Equal(t, DefaultMaxBatchSize, cfg.MaxBatchSize)
	assert.Equal(t, RetryConfig{InitialInterval: time.Second, MaxInterval: 30 * time.Second, RandomizationFactor: 0.5}, cfg.Retry)
	assert.Equal(t, DefaultFlushTimeout, cfg.FlushTimeout)
	assert.Equal(t, DefaultTimeout, cfg.Timeout)
	assert.Equal(t, configcompression.TypeGzip, cfg.Compression)
	assert.Nil(t, cfg.Storage)
}

func TestLoadConfigReadsEveryKey(t *testing.T) {
	cfg := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, "https://central.example.org:4318/base", cfg.Endpoint)
	assert.Equal(t, 5000, cfg.QueueSize)
	assert.Equal(t, 200, cfg.MaxBatchSize)
	assert.Equal(t, 2*time.Second, cfg.FlushTimeout)
	assert.Equal(t, RetryConfig{InitialInterval: 500 * time.Millisecond, MaxInterval: time.Minute, RandomizationFactor: 0.2}, cfg.Retry)
	assert.Equal(t, 5*time.Second, cfg.Timeout)
	assert.Equal(t, configcompression.TypeZstd, cfg.Compression)
	assert.Equal(t, "1.3", cfg.TLS.MinVersion)
}

func TestLoadConfigReportsEveryProblemAtOnce(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "invalid"))
	require.Error(t, err)
	for _, want := range []string{
		`endpoint "central.example.org" must be an http(s) URL`,
		"token: required",
		`agent_id "EU West"`,
		"queue_size 0 must be at least 1",
		"max_batch_size 0 must be at least 1",
		"retry.initial_interval 0s must be positive",
		"retry.max_interval -1s must be at least",
		"retry.randomization_factor 1.5",
		"flush_timeout -1s must not be negative",
	} {
		assert.ErrorContains(t, err, want)
	}
}

func TestValidate(t *testing.T) {
	valid := func() *Config {
		cfg := createDefaultConfig().(*Config)
		cfg.Endpoint = "http://127.0.0.1:4318"
		cfg.AgentID = "agent-1"
		cfg.Token = "tok"
		return cfg
	}
	storageID := component.MustNewID("file_storage")
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{name: "valid", mutate: func(*Config) {}},
		{name: "endpoint missing", mutate: func(c *Config) { c.Endpoint = "" }, wantErr: "endpoint: required"},
		{name: "endpoint without scheme", mutate: func(c *Config) { c.Endpoint = "127.0.0.1:4318" }, wantErr: "must be an http(s) URL"},
		{name: "endpoint with credentials is refused without printing them", mutate: func(c *Config) { c.Endpoint = "https://u:pw@central" }, wantErr: "must not carry credentials"},
		{name: "endpoint with query", mutate: func(c *Config) { c.Endpoint = "https://central/?a=b" }, wantErr: "without query"},
		{name: "token missing", mutate: func(c *Config) { c.Token = "" }, wantErr: "token: required"},
		{name: "token missing but an auth extension set", mutate: func(c *Config) {
			c.Token = ""
			c.Auth = configoptional.Some(configauth.Config{AuthenticatorID: component.MustNewID("oauth2client")})
		}},
		{name: "token with trailing newline", mutate: func(c *Config) { c.Token = "tok\n" }, wantErr: "control characters"},
		{name: "Authorization header conflicts with token", mutate: func(c *Config) { c.Headers.Set("authorization", "Bearer x") }, wantErr: "headers: Authorization conflicts"},
		{name: "agent_id missing", mutate: func(c *Config) { c.AgentID = "" }, wantErr: `agent_id ""`},
		{name: "agent_id uppercase", mutate: func(c *Config) { c.AgentID = "Agent" }, wantErr: `agent_id "Agent"`},
		{name: "batch larger than queue", mutate: func(c *Config) { c.QueueSize = 10; c.MaxBatchSize = 11 }, wantErr: "max_batch_size 11 must not exceed queue_size 10"},
		{name: "batch equal to queue", mutate: func(c *Config) { c.QueueSize = 10; c.MaxBatchSize = 10 }},
		{name: "no jitter", mutate: func(c *Config) { c.Retry.RandomizationFactor = 0 }},
		{name: "flush_timeout zero", mutate: func(c *Config) { c.FlushTimeout = 0 }},
		{name: "storage", mutate: func(c *Config) { c.Storage = &storageID }},
		{name: "storage without room", mutate: func(c *Config) { c.Storage = &storageID; c.SpillSize = 0 }, wantErr: `spill_size 0 must be at least 1 with storage "file_storage"`},
		{name: "spill_size is ignored without storage", mutate: func(c *Config) { c.SpillSize = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.mutate(cfg)
			err := confmap.Validate(cfg)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), "pw@")
			assert.NotContains(t, err.Error(), string(cfg.Token)+"\n")
		})
	}
}

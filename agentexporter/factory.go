package agentexporter

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/exporter"

	"github.com/quorate/quorate/agentexporter/internal/metadata"
)

// Defaults of the knobs.
const (
	DefaultQueueSize       = 100000
	DefaultSpillSize       = 1000000
	DefaultMaxBatchSize    = 1000
	DefaultInitialInterval = time.Second
	DefaultMaxInterval     = 30 * time.Second
	DefaultRandomization   = 0.5
	DefaultFlushTimeout    = 5 * time.Second
	DefaultTimeout         = 10 * time.Second
)

// NewFactory returns the factory of the `agent` exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = DefaultTimeout
	client.Compression = configcompression.TypeGzip
	return &Config{
		ClientConfig: client,
		QueueSize:    DefaultQueueSize,
		MaxBatchSize: DefaultMaxBatchSize,
		Retry: RetryConfig{
			InitialInterval:     DefaultInitialInterval,
			MaxInterval:         DefaultMaxInterval,
			RandomizationFactor: DefaultRandomization,
		},
		FlushTimeout: DefaultFlushTimeout,
		SpillSize:    DefaultSpillSize,
	}
}

func createLogs(_ context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("agent exporter: config is %T, want *Config", cfg)
	}
	return newAgentExporter(c, set)
}

package receiver

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/quorate/quorate/receiver/internal/metadata"
	"github.com/quorate/quorate/receiver/internal/shared"
)

// Defaults of the knobs.
const (
	DefaultAgentID             = "local"
	DefaultMaxConcurrentProbes = 256
	// DefaultRefreshInterval is how often an agent asks the central for
	// its assignments: a change reaches the agents within it.
	DefaultRefreshInterval = 30 * time.Second
	// DefaultCentralTimeout bounds one assignments request, so a hung
	// connection cannot hold up the next poll for long.
	DefaultCentralTimeout = 10 * time.Second
)

// NewFactory returns the factory of the `probe` receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithLogs(createLogs, metadata.LogsStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = DefaultCentralTimeout
	return &Config{
		AgentID:             DefaultAgentID,
		AgentHeader:         true,
		MaxConcurrentProbes: DefaultMaxConcurrentProbes,
		// Off unless a central: section is present; its keys then start
		// from these defaults.
		Central:              configoptional.Default(CentralConfig{ClientConfig: client, RefreshInterval: DefaultRefreshInterval}),
		MetricsBuilderConfig: metadata.DefaultMetricsBuilderConfig(),
	}
}

// receivers lets a logs and a metrics pipeline using the same `probe`
// config share one receiver, hence one scheduler and one probe per slot.
var receivers = shared.NewMap[*Config, *probeReceiver]()

func sharedReceiver(set receiver.Settings, cfg component.Config) (*shared.Component[*probeReceiver], error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("probe receiver: config is %T, want *Config", cfg)
	}
	return receivers.LoadOrStore(c, func() (*probeReceiver, error) { return newProbeReceiver(c, set) })
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	r, err := sharedReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	r.Unwrap().setLogs(next)
	return r, nil
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r, err := sharedReceiver(set, cfg)
	if err != nil {
		return nil, err
	}
	r.Unwrap().setMetrics(next)
	return r, nil
}

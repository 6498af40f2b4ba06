package centralextension

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/alertmanager"
	"github.com/quorate/quorate/quorum/internal/monitoring"
)

// Default endpoints. Both listen on loopback only, like the collector's own
// defaults: set api.endpoint to an address agents can reach (with tls:) and
// metrics.endpoint to one Prometheus can reach.
const (
	// DefaultAPIEndpoint is next to the otlp receiver's 4317/4318.
	DefaultAPIEndpoint = "127.0.0.1:4319"
	// DefaultMetricsEndpoint is the port OpenTelemetry's Prometheus
	// exporters use by convention.
	DefaultMetricsEndpoint = "127.0.0.1:9464"
	DefaultTickInterval    = time.Second
)

// Config is the `quorate_central` extension's configuration.
type Config struct {
	// MonitoringFile is the monitoring config: Gatus endpoints and alerts
	// plus agents, monitored-by and agent-quorum. A relative path is
	// relative to the collector's working directory. It is reloaded when it
	// changes; an invalid change keeps the running config and is logged.
	MonitoringFile string `mapstructure:"monitoring_file"`
	// API is the agent API server (assignments, agents list).
	API confighttp.ServerConfig `mapstructure:"api"`
	// Metrics is the server of the Prometheus product metrics (/metrics).
	Metrics confighttp.ServerConfig `mapstructure:"metrics"`
	// Storage is the database: sqlite (default, file quorate.db in the
	// working directory) or postgres.
	Storage store.Config `mapstructure:"storage"`
	// TickInterval is how often staleness, ended maintenance windows and
	// the saving of moved runs are handled.
	TickInterval time.Duration `mapstructure:"tick_interval"`
	// Alertmanager posts fired, reminder and resolved transitions to
	// Alertmanager's API v2; off unless url is set.
	Alertmanager alertmanager.Config `mapstructure:"alertmanager"`
}

func createDefaultConfig() *Config {
	api := confighttp.NewDefaultServerConfig()
	api.NetAddr.Endpoint = DefaultAPIEndpoint
	met := confighttp.NewDefaultServerConfig()
	met.NetAddr.Endpoint = DefaultMetricsEndpoint
	return &Config{
		API:          api,
		Metrics:      met,
		Storage:      store.DefaultConfig(),
		TickInterval: DefaultTickInterval,
		Alertmanager: alertmanager.DefaultConfig(),
	}
}

// Validate loads the monitoring file, so that `quorate validate` reports
// its errors; the storage and alertmanager settings are validated by their
// own Validate, which the collector calls on its own.
func (c *Config) Validate() error {
	var errs []error
	if c.MonitoringFile == "" {
		errs = append(errs, errors.New("monitoring_file: required: the path of the monitoring config (Gatus endpoints plus agents), e.g. monitoring_file: /etc/quorate/monitoring.yaml"))
	} else if _, err := monitoring.Load(c.MonitoringFile); err != nil {
		errs = append(errs, fmt.Errorf("monitoring_file: %w", err))
	}
	if c.API.NetAddr.Endpoint == "" {
		errs = append(errs, fmt.Errorf("api.endpoint: required, e.g. %s", DefaultAPIEndpoint))
	}
	if c.Metrics.NetAddr.Endpoint == "" {
		errs = append(errs, fmt.Errorf("metrics.endpoint: required, e.g. %s", DefaultMetricsEndpoint))
	}
	if c.API.NetAddr.Endpoint != "" && c.API.NetAddr.Endpoint == c.Metrics.NetAddr.Endpoint {
		errs = append(errs, fmt.Errorf("api.endpoint and metrics.endpoint are both %q; give each its own port", c.API.NetAddr.Endpoint))
	}
	if c.TickInterval <= 0 {
		errs = append(errs, fmt.Errorf("tick_interval: %s must be greater than 0, e.g. 1s", c.TickInterval))
	}
	return errors.Join(errs...)
}

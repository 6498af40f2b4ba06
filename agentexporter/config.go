package agentexporter

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/quorate/quorate/internal/agentid"
	"github.com/quorate/quorate/internal/endpoint"
)

// Config is the `agent` exporter's configuration. The HTTP client settings
// (endpoint, tls, timeout, compression, headers, proxy_url, ...) are
// confighttp's, at the top level as in the otlp_http exporter.
type Config struct {
	confighttp.ClientConfig `mapstructure:",squash"`

	// Token is the agent's bearer token on central (Authorization: Bearer).
	Token configopaque.String `mapstructure:"token"`
	// AgentID is stamped as resource attribute quorate.agent.id on every
	// result; it must equal the probe receiver's agent_id and the id central
	// knows the token by.
	AgentID string `mapstructure:"agent_id"`
	// QueueSize is the most results (log records) held while central is
	// unreachable; beyond it the oldest are dropped.
	QueueSize int `mapstructure:"queue_size"`
	// MaxBatchSize is the most records in one request to central.
	MaxBatchSize int `mapstructure:"max_batch_size"`
	// Retry is the backoff between attempts to deliver the same batch.
	Retry RetryConfig `mapstructure:"retry"`
	// FlushTimeout bounds how long shutdown keeps trying to deliver what is
	// queued, when the shutdown context allows longer.
	FlushTimeout time.Duration `mapstructure:"flush_timeout"`
	// Storage names a storage extension (file_storage) to spill to when the
	// memory queue is full, and to keep the queue in across restarts.
	Storage *component.ID `mapstructure:"storage"`
	// SpillSize is the most results kept in storage, on top of queue_size;
	// beyond both the oldest are dropped. Used only with storage.
	SpillSize int `mapstructure:"spill_size"`

	_ struct{}
}

// RetryConfig is an exponential backoff (doubling) with jitter. There is no
// give-up time: a batch is retried until central takes it, while the
// bounded queue keeps memory in check.
type RetryConfig struct {
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	MaxInterval     time.Duration `mapstructure:"max_interval"`
	// RandomizationFactor spreads each wait over [d*(1-f), d*(1+f)], capped
	// at max_interval, so agents do not retry in step after an outage.
	RandomizationFactor float64 `mapstructure:"randomization_factor"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate reports every problem at once, each naming the key and the fix.
func (c *Config) Validate() error {
	var errs []error
	if err := validateEndpoint(c.Endpoint); err != nil {
		errs = append(errs, err)
	}
	switch {
	case c.Token == "" && !c.Auth.HasValue():
		errs = append(errs, errors.New("token: required; set the agent's bearer token from central's monitoring config, e.g. token: ${env:QUORATE_AGENT_TOKEN}"))
	case strings.ContainsFunc(string(c.Token), func(r rune) bool { return r <= ' ' || r == 0x7f }):
		// Never print the token itself.
		errs = append(errs, errors.New("token: must not contain spaces or control characters (a trailing newline from a file?)"))
	}
	if c.Token != "" {
		for name := range c.Headers.Iter {
			if http.CanonicalHeaderKey(name) == "Authorization" {
				errs = append(errs, errors.New("headers: Authorization conflicts with token; set one of them"))
			}
		}
	}
	if !agentid.Valid(c.AgentID) {
		errs = append(errs, fmt.Errorf("agent_id %q must be %s, and equal the probe receiver's agent_id", c.AgentID, agentid.Rule))
	}
	if c.QueueSize < 1 {
		errs = append(errs, fmt.Errorf("queue_size %d must be at least 1 (results held while central is unreachable)", c.QueueSize))
	}
	if c.MaxBatchSize < 1 {
		errs = append(errs, fmt.Errorf("max_batch_size %d must be at least 1", c.MaxBatchSize))
	} else if c.QueueSize >= 1 && c.MaxBatchSize > c.QueueSize {
		errs = append(errs, fmt.Errorf("max_batch_size %d must not exceed queue_size %d", c.MaxBatchSize, c.QueueSize))
	}
	errs = append(errs, c.Retry.validate()...)
	if c.FlushTimeout < 0 {
		errs = append(errs, fmt.Errorf("flush_timeout %s must not be negative", c.FlushTimeout))
	}
	if c.Storage != nil && c.SpillSize < 1 {
		errs = append(errs, fmt.Errorf("spill_size %d must be at least 1 with storage %q (results kept on disk beyond queue_size)", c.SpillSize, c.Storage.String()))
	}
	return errors.Join(errs...)
}

func validateEndpoint(raw string) error {
	if raw == "" {
		return errors.New("endpoint: required; set central's OTLP/HTTP base URL, e.g. https://central.example.org:4318 (results go to <endpoint>/v1/logs)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q must be an http(s) URL with a host, e.g. https://central.example.org:4318", endpoint.RedactURL(raw))
	}
	if u.User != nil {
		return fmt.Errorf("endpoint %q must not carry credentials; use token", endpoint.RedactURL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("endpoint %q must be a base URL without query or fragment; /v1/logs is appended", endpoint.RedactURL(raw))
	}
	return nil
}

func (r *RetryConfig) validate() []error {
	var errs []error
	if r.InitialInterval <= 0 {
		errs = append(errs, fmt.Errorf("retry.initial_interval %s must be positive", r.InitialInterval))
	}
	if r.MaxInterval < r.InitialInterval {
		errs = append(errs, fmt.Errorf("retry.max_interval %s must be at least retry.initial_interval %s", r.MaxInterval, r.InitialInterval))
	}
	if r.RandomizationFactor < 0 || r.RandomizationFactor >= 1 {
		errs = append(errs, fmt.Errorf("retry.randomization_factor %g must be at least 0 and below 1", r.RandomizationFactor))
	}
	return errs
}

package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.uber.org/zap"
)

// Driver names.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config selects and tunes the storage.
type Config struct {
	// Driver is "sqlite" (default) or "postgres".
	Driver string `mapstructure:"driver"`
	// Path is the SQLite database file.
	Path string `mapstructure:"path"`
	// DSN is the PostgreSQL connection string (URL or key=value). It is never
	// logged nor put in errors.
	DSN configopaque.String `mapstructure:"dsn"`
	// MaxConns bounds the PostgreSQL pool (0: pgx's default).
	MaxConns int32 `mapstructure:"max_conns"`

	Retention RetentionConfig `mapstructure:"retention"`
	Batching  BatchingConfig  `mapstructure:"batching"`

	// Logger receives migration progress and background write failures.
	Logger *zap.Logger `mapstructure:"-"`
	// OnWriteError, when set, is told about every batch the background
	// writer gave up on (after retries) and how many results it held.
	OnWriteError func(err error, dropped int) `mapstructure:"-"`
}

// RetentionConfig bounds what Prune keeps. Zero means unlimited.
type RetentionConfig struct {
	// MaxResultAge removes results older than this.
	MaxResultAge time.Duration `mapstructure:"max_result_age"`
	// MaxResultsPerAgent keeps at most this many newest results per
	// (endpoint, agent).
	MaxResultsPerAgent int `mapstructure:"max_results_per_agent"`
	// MaxEventAge removes events older than this.
	MaxEventAge time.Duration `mapstructure:"max_event_age"`
	// MaxUptimeAge removes uptime buckets older than this.
	MaxUptimeAge time.Duration `mapstructure:"max_uptime_age"`
}

// BatchingConfig tunes how results are grouped into transactions.
type BatchingConfig struct {
	// MaxBatchSize is the most results written in one transaction.
	MaxBatchSize int `mapstructure:"max_batch_size"`
	// FlushInterval is the longest an enqueued result waits to be written.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// QueueSize is how many enqueued results may wait before Enqueue blocks.
	QueueSize int `mapstructure:"queue_size"`
	// Workers is how many batches are written at once (0: 2 for PostgreSQL,
	// whose server then uses two cores; 1 for SQLite, which has one writer).
	Workers int `mapstructure:"workers"`
}

// DefaultConfig is an embedded SQLite database with a week of results.
func DefaultConfig() Config {
	return Config{
		Driver: DriverSQLite,
		Path:   "quorate.db",
		Retention: RetentionConfig{
			MaxResultAge: 7 * 24 * time.Hour,
			MaxEventAge:  90 * 24 * time.Hour,
			MaxUptimeAge: 90 * 24 * time.Hour,
		},
		Batching: BatchingConfig{
			MaxBatchSize:  2000,
			FlushInterval: 200 * time.Millisecond,
			QueueSize:     100000,
		},
	}
}

// Validate reports the first configuration error, naming the field.
func (c *Config) Validate() error {
	var errs []error
	switch c.Driver {
	case DriverSQLite:
		switch {
		case strings.TrimSpace(c.Path) == "":
			errs = append(errs, errors.New("path: required with driver sqlite (a database file, created if missing)"))
		case c.Path == ":memory:" || strings.HasPrefix(c.Path, "file::memory:"):
			errs = append(errs, errors.New("path: in-memory SQLite is not supported (readers and the writer use separate connections); use a file"))
		case strings.ContainsRune(c.Path, '?'):
			errs = append(errs, fmt.Errorf("path: %q contains '?'; use a path without query parameters", c.Path))
		}
	case DriverPostgres:
		if strings.TrimSpace(string(c.DSN)) == "" {
			errs = append(errs, errors.New("dsn: required with driver postgres (for example postgres://user@host:5432/db)"))
		}
	default:
		errs = append(errs, fmt.Errorf("driver: %q is not supported; use %q or %q", c.Driver, DriverSQLite, DriverPostgres))
	}
	if c.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("max_conns: %d must not be negative", c.MaxConns))
	}
	r := c.Retention
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"max_result_age", r.MaxResultAge},
		{"max_event_age", r.MaxEventAge},
		{"max_uptime_age", r.MaxUptimeAge},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("retention.%s: %s must not be negative (0 keeps everything)", d.name, d.v))
		}
	}
	if r.MaxResultsPerAgent < 0 {
		errs = append(errs, fmt.Errorf("retention.max_results_per_agent: %d must not be negative (0 keeps everything)", r.MaxResultsPerAgent))
	}
	b := c.Batching
	if b.MaxBatchSize < 0 {
		errs = append(errs, fmt.Errorf("batching.max_batch_size: %d must not be negative", b.MaxBatchSize))
	}
	if b.FlushInterval < 0 {
		errs = append(errs, fmt.Errorf("batching.flush_interval: %s must not be negative", b.FlushInterval))
	}
	if b.QueueSize < 0 {
		errs = append(errs, fmt.Errorf("batching.queue_size: %d must not be negative", b.QueueSize))
	}
	if b.Workers < 0 {
		errs = append(errs, fmt.Errorf("batching.workers: %d must not be negative", b.Workers))
	}
	return errors.Join(errs...)
}

// withDefaults fills zero batching values and the logger.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Batching.MaxBatchSize == 0 {
		c.Batching.MaxBatchSize = d.Batching.MaxBatchSize
	}
	if c.Batching.FlushInterval == 0 {
		c.Batching.FlushInterval = d.Batching.FlushInterval
	}
	if c.Batching.QueueSize == 0 {
		c.Batching.QueueSize = d.Batching.QueueSize
	}
	if c.Batching.QueueSize < c.Batching.MaxBatchSize {
		c.Batching.QueueSize = c.Batching.MaxBatchSize
	}
	if c.Batching.Workers == 0 {
		c.Batching.Workers = 1
		if c.Driver == DriverPostgres {
			c.Batching.Workers = 2
		}
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	return c
}

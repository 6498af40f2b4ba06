package store

import (
	"context"
	"fmt"
)

// Open validates cfg, connects, migrates the schema (upgrading a Gatus
// database in place) and starts the background writer.
func Open(ctx context.Context, cfg Config) (Store, error) {
	if cfg.Driver == "" {
		cfg.Driver = DriverSQLite
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	switch cfg.Driver {
	case DriverPostgres:
		return openPostgres(ctx, cfg)
	case DriverSQLite:
		return openSQLite(ctx, cfg)
	}
	return nil, fmt.Errorf("storage.driver: %q is not supported", cfg.Driver)
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"
)

// runVerify checks, after the central has stopped, that the store holds
// exactly the accepted results and two condition results for each.
func runVerify(args []string) error {
	var db database
	var want int64
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.StringVar(&db.driver, "driver", "postgres", "storage driver: postgres or sqlite")
	fs.StringVar(&db.dsn, "dsn", "", "PostgreSQL DSN (driver postgres)")
	fs.StringVar(&db.path, "db", "", "SQLite file (driver sqlite)")
	fs.Int64Var(&want, "want", -1, "accepted results, as printed by load")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if want < 0 {
		return errors.New("verify: -want is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := db.count(ctx, true)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Printf("verify             %s result rows (accepted %s), %s condition rows, %s events\n",
		thousands(c.results), thousands(want), thousands(c.conditions), thousands(c.events))
	var errs []error
	if c.results != want {
		errs = append(errs, fmt.Errorf("verify: the store holds %d results, %d were accepted", c.results, want))
	}
	// Every benchmark result carries two condition results.
	if c.conditions != 2*want {
		errs = append(errs, fmt.Errorf("verify: the store holds %d condition results, want %d (2 per result)", c.conditions, 2*want))
	}
	return errors.Join(errs...)
}

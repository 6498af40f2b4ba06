package plugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/quorate/quorate/internal/store"
)

// CheckHealth reports whether the store is reachable and at the schema
// version this build reads (store.LatestVersion), and what to do if not.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	failed := func(msg string) (*backend.CheckHealthResult, error) {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: msg}, nil
	}
	if d.settingsErr != nil {
		return failed("Data source settings are invalid:\n" + d.settingsErr.Error())
	}
	r, err := d.store(ctx)
	if err != nil {
		return failed(err.Error())
	}
	if err := r.Ping(ctx); err != nil {
		return failed(fmt.Sprintf("Cannot reach the Quorate store (%s): %v. Check the connection settings, and that the database server is running and reachable from Grafana.", d.settings, err))
	}
	want := store.LatestVersion()
	got, err := r.SchemaVersion(ctx)
	switch {
	case errors.Is(err, store.ErrNoSchema):
		where := "this database"
		if d.settings.Driver == store.DriverPostgres {
			where = "this database and schema"
			if d.settings.Schema == "" {
				where = "this database, in the user's search_path"
			}
		}
		return failed(fmt.Sprintf("No Quorate store in %s (%s): the table of schema versions is missing. "+
			"Point the data source at the database (and schema) the Quorate central writes; the central creates it on its first start.", where, d.settings))
	case err != nil:
		return failed(fmt.Sprintf("Reading the Quorate schema version (%s) failed: %v", d.settings, err))
	case got < want:
		return failed(fmt.Sprintf("The Quorate store is at schema version %d; this plugin reads version %d. "+
			"Upgrade the Quorate central (it migrates the store when it starts), or use the plugin release that matches your central.", got, want))
	case got > want:
		return failed(fmt.Sprintf("The Quorate store is at schema version %d, newer than this plugin reads (%d). "+
			"Upgrade the Quorate data source plugin to the release that matches your central.", got, want))
	}
	return &backend.CheckHealthResult{
		Status:  backend.HealthStatusOk,
		Message: fmt.Sprintf("Quorate store reachable (%s), schema version %d.", d.settings, got),
	}, nil
}

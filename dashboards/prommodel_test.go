package dashboards

import (
	"encoding/json"
	"os"
	"testing"

	sdkdashboard "github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// TestPrometheusDashboardDecodesAsGrafanaModel holds the PromQL dashboard
// to the same strict Grafana model as the plugin dashboards: the whole
// dashboard, then each panel but rows on its own (the SDK drops panels it decoded
// without error, see TestPluginDashboardsDecodeAsGrafanaModels).
const promDashboard = dashboardsDir + "/quorate-prometheus.json"

func TestPrometheusDashboardDecodesAsGrafanaModel(t *testing.T) {
	registerSDK()
	raw, err := os.ReadFile(promDashboard)
	if err != nil {
		t.Fatal(err)
	}
	var m sdkdashboard.Dashboard
	if err := sdkErr(m.UnmarshalJSONStrict(raw)); err != nil {
		t.Fatalf("%s: not a Grafana dashboard model: %v", promDashboard, err)
	}
	if err := sdkErr(m.Validate()); err != nil {
		t.Errorf("%s: %v", promDashboard, err)
	}
	var rawPanels struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(raw, &rawPanels); err != nil {
		t.Fatal(err)
	}
	for i, rp := range rawPanels.Panels {
		var kind struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(rp, &kind); err != nil {
			t.Fatal(err)
		}
		if kind.Type == "row" { // decoded as RowPanel with the dashboard
			continue
		}
		var p sdkdashboard.Panel
		if err := sdkErr(p.UnmarshalJSONStrict(rp)); err != nil {
			t.Errorf("%s: panels[%d]: %v", promDashboard, i, err)
		}
	}
}

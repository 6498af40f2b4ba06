package dashboards

import (
	"net/url"
	"path"
	"testing"
)

// The fields of Grafana's provisioning files these checks read.
type datasourceProvisioning struct {
	APIVersion  int `yaml:"apiVersion"`
	Datasources []struct {
		Name      string         `yaml:"name"`
		Type      string         `yaml:"type"`
		UID       string         `yaml:"uid"`
		Access    string         `yaml:"access"`
		URL       string         `yaml:"url"`
		IsDefault bool           `yaml:"isDefault"`
		JSONData  map[string]any `yaml:"jsonData"`
	} `yaml:"datasources"`
}

type dashboardProvisioning struct {
	APIVersion int `yaml:"apiVersion"`
	Providers  []struct {
		Name    string `yaml:"name"`
		Type    string `yaml:"type"`
		Folder  string `yaml:"folder"`
		Options struct {
			Path string `yaml:"path"`
		} `yaml:"options"`
	} `yaml:"providers"`
}

func TestDatasourceProvisioning(t *testing.T) {
	var p datasourceProvisioning
	readYAML(t, datasourceProv, &p)
	if p.APIVersion != 1 {
		t.Errorf("apiVersion %d, want 1", p.APIVersion)
	}
	if len(p.Datasources) != 1 {
		t.Fatalf("%d datasources, want the one Prometheus", len(p.Datasources))
	}
	ds := p.Datasources[0]
	// The dashboards' ${datasource} variable lists datasources of this type.
	if ds.Type != templatedPrometheus.Type {
		t.Errorf("type %q, want %q", ds.Type, templatedPrometheus.Type)
	}
	if ds.Name == "" || ds.UID == "" {
		t.Errorf("name %q uid %q: want both set", ds.Name, ds.UID)
	}
	if ds.Access != "proxy" {
		t.Errorf("access %q, want proxy (the browser need not reach Prometheus)", ds.Access)
	}
	if u, err := url.Parse(ds.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Errorf("url %q: want an absolute http(s) URL (err %v)", ds.URL, err)
	}
	if ds.IsDefault {
		t.Error("isDefault: true clashes with an instance's existing default datasource")
	}
	// $__rate_interval is derived from the scrape interval.
	if ds.JSONData["timeInterval"] == nil {
		t.Error("jsonData.timeInterval (the scrape interval) is not set")
	}
}

func TestDashboardProvisioning(t *testing.T) {
	var p dashboardProvisioning
	readYAML(t, dashboardProv, &p)
	if p.APIVersion != 1 {
		t.Errorf("apiVersion %d, want 1", p.APIVersion)
	}
	if len(p.Providers) == 0 {
		t.Fatal("no dashboard providers")
	}
	for _, pr := range p.Providers {
		if pr.Name == "" || pr.Type != "file" {
			t.Errorf("provider %q type %q: want a named file provider", pr.Name, pr.Type)
		}
		if !path.IsAbs(pr.Options.Path) {
			t.Errorf("provider %q: options.path %q: want an absolute path on the Grafana host", pr.Name, pr.Options.Path)
		}
	}
}

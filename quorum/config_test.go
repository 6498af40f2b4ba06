package quorum

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/quorate/quorate/quorum/internal/metadata"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestConfig(t *testing.T) {
	tests := []struct {
		name    string
		want    component.ID
		wantErr string
	}{
		{name: "", want: component.MustNewID("quorate_central")},
		{name: "named", want: component.MustNewIDWithName("quorate_central", "prod")},
		{name: "wrong_type", want: component.MustNewID("pprof"), wantErr: `central: "pprof" is not a quorate_central extension`},
	}
	for _, tt := range tests {
		t.Run("config "+tt.name, func(t *testing.T) {
			cfg := loadConfig(t, tt.name)
			assert.Equal(t, tt.want, cfg.Central)
			err := confmap.Validate(cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}

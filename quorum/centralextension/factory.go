package centralextension

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/quorate/quorate/quorum/centralextension/internal/metadata"
)

// NewFactory returns the factory of the `quorate_central` extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(
		metadata.Type,
		func() component.Config { return createDefaultConfig() },
		create,
		metadata.ExtensionStability,
	)
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("quorate_central: config is %T, want *Config", cfg)
	}
	return newCentral(c, set), nil
}

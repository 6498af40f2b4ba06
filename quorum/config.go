package quorum

import (
	"fmt"

	"go.opentelemetry.io/collector/component"
)

// centralType is the type of the quorate_central extension.
var centralType = component.MustNewType("quorate_central")

// Config is the `quorum` processor's configuration.
type Config struct {
	// Central is the component ID of the quorate_central extension whose
	// engine decides; default quorate_central. The extension must be listed
	// under service::extensions.
	Central component.ID `mapstructure:"central"`
}

func createDefaultConfig() component.Config {
	return &Config{Central: component.NewID(centralType)}
}

// Validate checks that central names a quorate_central extension. Whether
// it is configured is only known at Start, which `validate` does not run.
func (c *Config) Validate() error {
	if c.Central.Type() != centralType {
		return fmt.Errorf("central: %q is not a %s extension; name one, e.g. central: %s or central: %s/prod",
			c.Central, centralType, centralType, centralType)
	}
	return nil
}

// Package e2e runs Quorate the way it is deployed: a central and three
// agents, each its own bin/quorate process started from examples/central.yaml
// and examples/agent.yaml, probing loopback demo targets that fail for chosen
// agents. The tests break things (an agent failing, the central killed, the
// monitoring file edited, an agent stopped) and check what the central
// decides, stores and exports. They need QUORATE_BIN (set by `make test`) and
// skip without it.
package e2e

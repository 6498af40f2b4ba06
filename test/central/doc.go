// Package central tests the central collector over real OTLP/HTTP
// connections: an in-process collector built from the otlp receiver, the
// quorum processor, the quorate_central extension and a recording exporter,
// and, when QUORATE_BIN is set (make test), the built binary running
// examples/central.yaml.
package central

// Package otlpencodingextension stands in for the contrib module of the same
// path, which the Go module proxy refuses at v0.165.0. Only the tests of the
// contrib file exporter import it, so `go mod tidy` inside the ocb build needs
// the path to resolve; nothing of it is compiled into bin/quorate.
package otlpencodingextension

// Package agentid is the one rule for agent ids, shared by the probe
// receiver, the agent exporter and the central's agents registry: an id an
// agent can run with must be one the central can declare. Ids appear in
// URLs, metric labels, file names and database rows, so they stay plain.
package agentid

import "regexp"

var pattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Rule says in words what Valid checks, for error messages.
const Rule = "1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"

// Valid reports whether id follows Rule.
func Valid(id string) bool { return pattern.MatchString(id) }

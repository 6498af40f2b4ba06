package monitoring

import (
	"fmt"
	"slices"
	"strings"
)

// lookupFunc finds an environment variable; os.LookupEnv in production.
type lookupFunc func(name string) (string, bool)

// expandTree replaces ${VAR} and ${env:VAR} in every string of v (keys are
// left alone) and returns the new tree. Each unset variable adds an error
// that names the field and the variable, never a value.
func expandTree(v any, path string, lookup lookupFunc, errs *[]error) any {
	switch t := v.(type) {
	case string:
		s, missing := expandString(t, lookup)
		for _, name := range missing {
			*errs = append(*errs, fmt.Errorf("%s: environment variable %s is not set; export it or write the value in the file", path, name))
		}
		return s
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, c := range t {
			out[k] = expandTree(c, joinPath(path, k), lookup, errs)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, c := range t {
			out[i] = expandTree(c, fmt.Sprintf("%s[%d]", path, i), lookup, errs)
		}
		return out
	default:
		return v
	}
}

// expandString expands one value. A reference is ${NAME} or ${env:NAME}
// with NAME a shell-style identifier; anything else between ${ and } is
// kept literally, and $${ is an escaped ${.
func expandString(s string, lookup lookupFunc) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		ref := s[i+2 : i+end]
		name := strings.TrimPrefix(ref, "env:")
		if !isEnvName(name) {
			b.WriteString(s[i : i+end+1])
			i += end + 1
			continue
		}
		if val, ok := lookup(name); ok {
			b.WriteString(val)
		} else {
			// Keep the reference: the config is refused anyway, and an
			// empty value would add misleading errors (token is empty).
			b.WriteString(s[i : i+end+1])
			if !slices.Contains(missing, name) {
				missing = append(missing, name)
			}
		}
		i += end + 1
	}
	return b.String(), missing
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

package conditions

import (
	"strings"
	"time"
)

// patternShownRunes is how much of a value compared with pat() Gatus shows
// before cutting it: patterns usually match long bodies.
const patternShownRunes = 25

// describe is the condition with its resolved values, as Gatus shows a failed
// condition: each side that resolved to something else than its text gets
// the value in parentheses, e.g. `[STATUS] (503) == 200`.
func (c *Condition) describe(left, right *value) string {
	var l, r string
	if c.cmp == cmpEqual || c.cmp == cmpNotEqual {
		l, r = left.String(), right.String()
	} else {
		l, r = c.left.numericText(left.number()), c.right.numericText(right.number())
	}
	if isPatternCall(c.left.text) && len(r) > patternShownRunes {
		r = truncate(r)
	}
	if isPatternCall(c.right.text) && len(l) > patternShownRunes {
		l = truncate(l)
	}
	return side(c.left.text, l) + " " + c.cmp.String() + " " + side(c.right.text, r)
}

// side shows one operand: as written when it resolved to itself, as the
// resolved text when that is already "<text> (INVALID)", otherwise as
// "<text> (<resolved>)".
func side(text, resolved string) string {
	switch {
	case resolved == text:
		return text
	case len(resolved) == len(text)+len(invalidSuffix) && strings.HasPrefix(resolved, text) && strings.HasSuffix(resolved, invalidSuffix):
		return resolved
	default:
		return text + " (" + resolved + ")"
	}
}

func isPatternCall(text string) bool {
	return strings.HasPrefix(text, patPrefix) && strings.HasSuffix(text, functionSuffix)
}

// truncate keeps the first runes of s, counted like fmt's %.25s.
func truncate(s string) string {
	n := 0
	for i := range s {
		if n == patternShownRunes {
			return s[:i] + "...(truncated)"
		}
		n++
	}
	return s + "...(truncated)"
}

// formatDuration is Gatus's short duration text: whole seconds, with trailing
// zero seconds and then zero minutes removed (336h0m0s shows as 336h). Gatus
// removes the suffixes textually, so 10m0s shows as 1 and 20s as 2; kept so
// displays match.
func formatDuration(d time.Duration) string {
	s := d.Truncate(time.Second).String()
	if s == "0s" {
		return s
	}
	if strings.HasSuffix(s, "0s") {
		s = strings.TrimSuffix(strings.TrimSuffix(s, "0s"), "0m")
	}
	return s
}

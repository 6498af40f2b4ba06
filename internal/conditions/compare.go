package conditions

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// value is a resolved operand. Gatus resolves everything to text; integers
// from placeholders stay numbers here until text is needed, because their
// text is always exactly strconv.FormatInt(num) and formatting it on every
// probe would only cost allocations.
type value struct {
	text  string
	num   int64
	isNum bool
}

func textValue(s string) value { return value{text: s} }
func intValue(n int64) value   { return value{num: n, isNum: true} }

// String is the value as Gatus's text.
func (v *value) String() string {
	if v.isNum {
		return strconv.FormatInt(v.num, 10)
	}
	return v.text
}

// integer is the value read as an integer literal (Go syntax: 0x, 0o, 0b
// prefixes and underscores), as Gatus's equality tries first.
func (v *value) integer() (int64, bool) {
	if v.isNum {
		return v.num, true
	}
	return parseInt(v.text)
}

// number is the value the ordering comparators use: a non-zero duration in
// milliseconds, else an integer, else a float truncated, else 0.
func (v *value) number() int64 {
	if v.isNum {
		// The text of an integer is a duration only when it is "0", which
		// Gatus skips, so the integer is the number.
		return v.num
	}
	return textNumber(v.text)
}

// mayBeCall reports whether Gatus's equality would look for pat() or any().
func (v *value) mayBeCall() bool {
	return !v.isNum && strings.HasSuffix(v.text, functionSuffix)
}

// equal is Gatus's equality of two resolved values.
func equal(a, b *value) bool {
	if a.mayBeCall() || b.mayBeCall() {
		return equalText(a.String(), b.String())
	}
	x, xok := a.integer()
	y, yok := b.integer()
	if xok && yok {
		return x == y
	}
	if a.isNum || b.isNum {
		// A number's text always parses, so text that does not cannot equal it.
		return false
	}
	return a.text == b.text
}

// equalText is Gatus's equality on text: pat() on one side matches the other
// side against the pattern, any() on one side looks the other side up in the
// comma-separated list, otherwise two integers compare as numbers and
// anything else as text.
func equalText(first, second string) bool {
	firstCall := strings.HasSuffix(first, functionSuffix)
	secondCall := strings.HasSuffix(second, functionSuffix)
	if firstCall || secondCall {
		firstPat := firstCall && strings.HasPrefix(first, patPrefix)
		secondPat := secondCall && strings.HasPrefix(second, patPrefix)
		if firstPat {
			first = strings.TrimSuffix(strings.TrimPrefix(first, patPrefix), functionSuffix)
		}
		if secondPat {
			second = strings.TrimSuffix(strings.TrimPrefix(second, patPrefix), functionSuffix)
		}
		if firstPat != secondPat {
			if firstPat {
				return matchPattern(first, second)
			}
			return matchPattern(second, first)
		}
		// Gatus goes on with the pat()-stripped text but the suffix flags of
		// the original text; kept as is so odd inputs behave the same.
		firstAny := firstCall && strings.HasPrefix(first, anyPrefix)
		secondAny := secondCall && strings.HasPrefix(second, anyPrefix)
		if firstAny {
			first = strings.TrimSuffix(strings.TrimPrefix(first, anyPrefix), functionSuffix)
		}
		if secondAny {
			second = strings.TrimSuffix(strings.TrimPrefix(second, anyPrefix), functionSuffix)
		}
		if firstAny != secondAny {
			if firstAny {
				return isOneOf(second, first)
			}
			return isOneOf(first, second)
		}
	}
	x, xok := parseInt(first)
	y, yok := parseInt(second)
	if xok && yok {
		return x == y
	}
	return first == second
}

// isOneOf reports whether s is one of the comma-separated, space-trimmed options.
func isOneOf(s, options string) bool {
	for {
		option, rest, more := strings.Cut(options, ",")
		if strings.TrimSpace(option) == s {
			return true
		}
		if !more {
			return false
		}
		options = rest
	}
}

// matchPattern is Gatus's pat(): shell globbing where * also crosses path
// separators, because Gatus removes them from both sides first.
func matchPattern(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	sep := string(filepath.Separator)
	matched, _ := filepath.Match(strings.ReplaceAll(pattern, sep, ""), strings.ReplaceAll(s, sep, ""))
	return matched
}

// textNumber is Gatus's numeric reading of text for <, <=, >, >=.
func textNumber(s string) int64 {
	if d, ok := parseDuration(s); ok && d != 0 {
		return d.Milliseconds()
	}
	if n, ok := parseInt(s); ok {
		return n
	}
	if f, ok := parseFloat(s); ok {
		return int64(f) // Gatus truncates floats
	}
	return 0
}

// The parse helpers below call strconv and time only when the text could be
// accepted: their errors allocate, and most compared text (UP, john, ...) is
// plainly not a number. The screens accept a superset of what the real
// parsers accept, so the outcome is the real parser's.

func parseInt(s string) (int64, bool) {
	if !mayBeInt(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil
}

func parseFloat(s string) (float64, bool) {
	if !mayBeFloat(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func parseDuration(s string) (time.Duration, bool) {
	if !mayBeDuration(s) {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

// mayBeInt: optional sign, then digits, base prefixes and underscores.
func mayBeInt(s string) bool {
	if s == "" || !(isDigit(s[0]) || s[0] == '+' || s[0] == '-') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlnum(c) || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// mayBeFloat: optional sign, then a digit, a dot, or inf/infinity/nan.
func mayBeFloat(s string) bool {
	rest := trimSign(s)
	if rest == "" {
		return false
	}
	switch c := rest[0]; {
	case isDigit(c) || c == '.':
	case c == 'i' || c == 'I' || c == 'n' || c == 'N':
		return strings.EqualFold(rest, "inf") || strings.EqualFold(rest, "infinity") || strings.EqualFold(rest, "nan")
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlnum(c) || c == '_' || c == '.' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// mayBeDuration: optional sign, then "0", or numbers each followed by a unit
// (letters, or µ/μ which are not ASCII).
func mayBeDuration(s string) bool {
	rest := trimSign(s)
	if rest == "0" {
		return true
	}
	if rest == "" || !(isDigit(rest[0]) || rest[0] == '.') {
		return false
	}
	hasUnit := false
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case isDigit(c) || c == '.':
		case isLetter(c) || c >= 0x80:
			hasUnit = true
		default:
			return false
		}
	}
	return hasUnit
}

func trimSign(s string) string {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:]
	}
	return s
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }

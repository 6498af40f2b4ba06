// Package conditions implements Gatus's conditions language: a condition is
// `<VALUE> <COMPARATOR> <VALUE>` where each value is a placeholder such as
// [STATUS] or [BODY].data[0].name, a function of one (len, has), a pattern
// (pat, any) or literal text.
//
// Gatus re-reads the condition string on every evaluation; Parse does that
// work once so Evaluate only resolves placeholders and compares. The results,
// including the display strings users see in alerts, are Gatus's.
package conditions

import (
	"errors"
	"fmt"
	"strings"

	"github.com/quorate/quorate/internal/result"
)

// ErrInvalidFormat is wrapped by every Parse error. Its text is Gatus's.
var ErrInvalidFormat = errors.New("invalid condition format: does not match '<VALUE> <COMPARATOR> <VALUE>'")

// comparator is one of the six operators, in the order Gatus looks for them.
type comparator uint8

const (
	cmpEqual comparator = iota
	cmpNotEqual
	cmpLessOrEqual
	cmpGreaterOrEqual
	cmpGreater
	cmpLess
)

// comparators lists each operator with the spaces Gatus requires around it.
// The order matters: Gatus takes the first one the condition contains, so
// `a != b == c` is an equality between `a != b` and `c`.
var comparators = [...]struct {
	sep string
	cmp comparator
}{
	{" == ", cmpEqual},
	{" != ", cmpNotEqual},
	{" <= ", cmpLessOrEqual},
	{" >= ", cmpGreaterOrEqual},
	{" > ", cmpGreater},
	{" < ", cmpLess},
}

func (c comparator) String() string {
	return strings.TrimSpace(comparators[c].sep)
}

// Condition is one parsed condition such as `[STATUS] == 200`. It is
// immutable after Parse and safe for concurrent use.
type Condition struct {
	raw         string
	cmp         comparator
	left, right operand
}

// Parse reads a condition. It rejects what Gatus rejects: a condition without
// a comparator surrounded by single spaces. Unknown placeholders are not
// errors, Gatus compares them as literal text.
func Parse(raw string) (*Condition, error) {
	for _, c := range comparators {
		if !strings.Contains(raw, c.sep) {
			continue
		}
		// Gatus splits on every occurrence and compares the first two parts.
		parts := strings.SplitN(raw, c.sep, 3)
		return &Condition{
			raw:   raw,
			cmp:   c.cmp,
			left:  newOperand(strings.TrimSpace(parts[0])),
			right: newOperand(strings.TrimSpace(parts[1])),
		}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrInvalidFormat, diagnose(raw))
}

// diagnose says what is missing from a condition that has no comparator.
func diagnose(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "the condition is empty; write for example `[STATUS] == 200`"
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if strings.Contains(raw, op) {
			return fmt.Sprintf("comparator %q needs a value on each side, separated from it by one space, for example `[STATUS] %s 200`", op, op)
		}
	}
	return "no comparator found; use one of ==, !=, <, <=, >, >= between two values, for example `[STATUS] == 200`"
}

// String is the condition as configured.
func (c *Condition) String() string { return c.raw }

// UsesIP reports whether evaluating needs the target's IP resolved. It looks
// for the text "[IP]" exactly as Gatus does: a lower-case [ip] still
// resolves, to the empty IP Gatus has then, since Gatus does not look it up.
func (c *Condition) UsesIP() bool {
	return strings.Contains(c.raw, placeholderIP)
}

// UsesDomainExpiration reports whether evaluating needs an RDAP lookup,
// looking for "[DOMAIN_EXPIRATION]" as Gatus does (including for its rule
// that such endpoints need an interval of at least 5 minutes).
func (c *Condition) UsesDomainExpiration() bool {
	return strings.Contains(c.raw, placeholderDomainExpiration)
}

// UsesBody reports whether evaluating reads the response body, looking for
// "[BODY]" as Gatus does; Gatus's probers read bodies only then.
func (c *Condition) UsesBody() bool {
	return strings.Contains(c.raw, placeholderBody)
}

// Display chooses how a ConditionResult shows the condition; the fields are
// Gatus's endpoint `ui:` keys of the same names.
type Display struct {
	// DontResolveFailed shows a failed condition as configured instead of
	// with its resolved values (ui.dont-resolve-failed-conditions).
	DontResolveFailed bool
	// ResolveSuccessful shows a successful condition with its resolved
	// values instead of as configured (ui.resolve-successful-conditions).
	ResolveSuccessful bool
}

// Evaluate judges the condition against a result, appends its ConditionResult
// to r.ConditionResults and returns whether it held. dontResolveFailed keeps
// the raw condition as display string on failure (Gatus's
// ui.dont-resolve-failed-conditions).
func (c *Condition) Evaluate(r *result.Result, dontResolveFailed bool) bool {
	return c.EvaluateWith(r, Display{DontResolveFailed: dontResolveFailed})
}

// EvaluateWith is Evaluate with every display option Gatus has.
func (c *Condition) EvaluateWith(r *result.Result, d Display) bool {
	left, right := c.left.resolve(r), c.right.resolve(r)
	var ok bool
	switch c.cmp {
	case cmpEqual:
		ok = equal(&left, &right)
	case cmpNotEqual:
		ok = !equal(&left, &right)
	default:
		ok = c.cmp.holds(left.number(), right.number())
	}
	shown := c.raw
	if (ok && d.ResolveSuccessful) || (!ok && !d.DontResolveFailed) {
		shown = c.describe(&left, &right)
	}
	r.ConditionResults = append(r.ConditionResults, result.ConditionResult{Condition: shown, Success: ok})
	return ok
}

// holds applies an ordering comparator to Gatus's numeric forms of the values.
func (c comparator) holds(a, b int64) bool {
	switch c {
	case cmpLessOrEqual:
		return a <= b
	case cmpGreaterOrEqual:
		return a >= b
	case cmpGreater:
		return a > b
	default:
		return a < b
	}
}

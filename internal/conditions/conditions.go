// Package conditions implements Gatus's conditions language.
package conditions

import (
	"errors"

	"github.com/quorate/quorate/internal/result"
)

// Condition is one parsed condition such as `[STATUS] == 200`.
type Condition struct {
	raw string
}

// Parse validates a condition. STUB: replaced by the real implementation.
func Parse(raw string) (*Condition, error) {
	if raw == "" {
		return nil, errors.New("empty condition")
	}
	return &Condition{raw: raw}, nil
}

// String is the condition as configured.
func (c *Condition) String() string { return c.raw }

// UsesDomainExpiration reports whether evaluating needs an RDAP lookup.
func (c *Condition) UsesDomainExpiration() bool { return false }

// UsesIP reports whether evaluating needs the target's IP resolved.
func (c *Condition) UsesIP() bool { return false }

// Evaluate judges the condition against a result, appends its ConditionResult
// to r.ConditionResults and returns whether it held. dontResolveFailed keeps
// the raw condition as display string on failure (Gatus's
// ui.dont-resolve-failed-conditions).
func (c *Condition) Evaluate(r *result.Result, dontResolveFailed bool) bool {
	r.ConditionResults = append(r.ConditionResults, result.ConditionResult{Condition: c.raw, Success: false})
	return false
}

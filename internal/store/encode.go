package store

import (
	"database/sql"
	"strings"
	"time"
)

// errorSeparator joins a result's errors in one column, as Gatus does, so
// that upgraded and new rows read the same.
const errorSeparator = "|~|"

func joinErrors(errs []string) string { return strings.Join(errs, errorSeparator) }

func splitErrors(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, errorSeparator)
}

// nullTime is nil for the zero time, so optional timestamps are stored NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullString is nil for an empty string.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// endpointName is the name a result gives an endpoint it creates.
func (r *Result) endpointName() string {
	if r.EndpointName != "" {
		return r.EndpointName
	}
	return r.EndpointKey
}

// utcOrZero reads an optional timestamp.
func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

package store

import (
	"fmt"
	"strings"
	"time"
)

// dialect holds what the read queries write differently per driver.
type dialect struct {
	// anyOf adds "col is one of vals" to w: one array parameter on
	// PostgreSQL, an IN list on SQLite.
	anyOf func(w *where, col string, vals any)
	// epochMS is the Unix time of a timestamp column in milliseconds.
	epochMS func(col string) string
	// bucket is floor((ms - from) / width) for ms >= from, exactly, as an
	// integer; from and width are integer parameters.
	bucket func(ms, from, width string) string
	// least is the smaller of two integers.
	least func(a, b string) string
	// durationMS is a duration column (nanoseconds) in milliseconds.
	durationMS func(col string) string
	// oneIfTrue is 1.0 for a true boolean column and 0.0 otherwise.
	oneIfTrue func(col string) string
}

var postgresDialect = dialect{
	anyOf: func(w *where, col string, vals any) {
		switch v := vals.(type) {
		case []int64:
			w.add(col+" = ANY(?::bigint[])", v)
		case []string:
			w.add(col+" = ANY(?::text[])", v)
		default:
			panic(fmt.Sprintf("anyOf: unsupported %T", vals))
		}
	},
	// EXTRACT gives an exact numeric, so FLOOR of the division is exact.
	epochMS: func(col string) string { return "(EXTRACT(EPOCH FROM " + col + ") * 1000)" },
	bucket: func(ms, from, width string) string {
		return "CAST(FLOOR((" + ms + " - " + from + ") / " + width + ") AS BIGINT)"
	},
	least:      func(a, b string) string { return "LEAST(" + a + ", " + b + ")" },
	durationMS: func(col string) string { return "(" + col + "::float8 / 1000000)" },
	oneIfTrue:  func(col string) string { return "(CASE WHEN " + col + " THEN 1::float8 ELSE 0::float8 END)" },
}

var sqliteDialect = dialect{
	anyOf: func(w *where, col string, vals any) {
		var list []any
		switch v := vals.(type) {
		case []int64:
			for _, x := range v {
				list = append(list, x)
			}
		case []string:
			for _, x := range v {
				list = append(list, x)
			}
		default:
			panic(fmt.Sprintf("anyOf: unsupported %T", vals))
		}
		w.in(col, list)
	},
	// Times are stored as Go writes them ("2006-01-02 15:04:05.999999999
	// +0000 UTC"); julianday reads the part before the zone. SQLite keeps
	// julian days in whole milliseconds, so rounding the double gives them
	// back exactly.
	epochMS: func(col string) string {
		return "CAST(ROUND((julianday(CASE WHEN instr(" + col + ", ' +') > 0 THEN substr(" + col + ", 1, instr(" + col + ", ' +') - 1) ELSE " + col + " END) - 2440587.5) * 86400000.0) AS INTEGER)"
	},
	// Integer division truncates, which is floor for non-negative numbers.
	bucket: func(ms, from, width string) string {
		return "((" + ms + " - " + from + ") / " + width + ")"
	},
	least:      func(a, b string) string { return "MIN(" + a + ", " + b + ")" },
	durationMS: func(col string) string { return "(" + col + " / 1000000.0)" },
	oneIfTrue:  func(col string) string { return "(CASE WHEN " + col + " THEN 1.0 ELSE 0.0 END)" },
}

// anyTime scans a timestamp that a driver returns as time.Time, or, for
// SQLite expressions that lost the column's type, as text.
type anyTime struct {
	t     time.Time
	valid bool
}

// storedTimeLayouts are the text forms of timestamps in SQLite: Go's
// time.String (what the store writes) and SQLite's own.
var storedTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
}

func (a *anyTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*a = anyTime{}
		return nil
	case time.Time:
		*a = anyTime{t: x.UTC(), valid: true}
		return nil
	case []byte:
		return a.parse(string(x))
	case string:
		return a.parse(x)
	}
	return fmt.Errorf("timestamp: cannot read %T", v)
}

func (a *anyTime) parse(s string) error {
	s = strings.TrimSpace(s)
	for _, l := range storedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			*a = anyTime{t: t.UTC(), valid: true}
			return nil
		}
	}
	return fmt.Errorf("timestamp: cannot parse %q", s)
}

// endpointRow is an endpoint with its row id, which result tables use.
type endpointRow struct {
	id int64
	Endpoint
}

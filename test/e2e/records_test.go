package e2e

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	_ "modernc.org/sqlite" // the central's embedded database, read after it stops
)

// resultID names one probe result: who probed what, starting when. Agents
// probe each endpoint at most once at a time, so it is unique.
type resultID struct {
	agent, key string
	start      int64 // Unix nanoseconds
}

func (r resultID) String() string {
	return fmt.Sprintf("%s/%s@%s", r.agent, r.key, time.Unix(0, r.start).UTC().Format("15:04:05.000000000"))
}

// transition is one quorate.quorum.transition record or stored event.
type transition struct {
	key, kind string // kind as in the records: fired, resolved, degraded, ...
}

// readOTLPFile decodes a file exporter's output: one OTLP/JSON logs
// request per line.
func readOTLPFile(t testing.TB, path string) []plog.Logs {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []plog.Logs
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var u plog.JSONUnmarshaler
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		ld, err := u.UnmarshalLogs(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, ld)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// eachRecord calls fn with every log record and its resource's attributes.
func eachRecord(lds []plog.Logs, fn func(res plog.ResourceLogs, lr plog.LogRecord)) {
	for _, ld := range lds {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			rl := ld.ResourceLogs().At(i)
			for j := 0; j < rl.ScopeLogs().Len(); j++ {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					fn(rl, lrs.At(k))
				}
			}
		}
	}
}

// producedResults are the probe results in an agent's recording file.
func producedResults(t testing.TB, path string) []resultID {
	t.Helper()
	var out []resultID
	eachRecord(readOTLPFile(t, path), func(rl plog.ResourceLogs, lr plog.LogRecord) {
		if lr.EventName() != "quorate.probe.result" {
			return
		}
		agent, _ := rl.Resource().Attributes().Get("quorate.agent.id")
		key, _ := lr.Attributes().Get("quorate.endpoint.key")
		out = append(out, resultID{agent.AsString(), key.AsString(), lr.Timestamp().AsTime().UnixNano()})
	})
	return out
}

// transitionRecords are the quorum transitions the central exported.
func transitionRecords(t testing.TB, path string) []transition {
	t.Helper()
	var out []transition
	eachRecord(readOTLPFile(t, path), func(_ plog.ResourceLogs, lr plog.LogRecord) {
		if lr.EventName() != "quorate.quorum.transition" {
			return
		}
		key, _ := lr.Attributes().Get("quorate.endpoint.key")
		kind, _ := lr.Attributes().Get("quorate.transition")
		out = append(out, transition{key.AsString(), kind.AsString()})
	})
	return out
}

func count(ts []transition, key, kind string) int {
	n := 0
	for _, tr := range ts {
		if tr.key == key && tr.kind == kind {
			n++
		}
	}
	return n
}

// openDB opens the central's SQLite file read-only; the central must have
// stopped (the test reads what it left on disk).
func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// storedResults are the result rows of the database.
func storedResults(t testing.TB, path string) []resultID {
	t.Helper()
	rows, err := openDB(t, path).Query(`SELECT r.agent_id, e.endpoint_key, r.timestamp
		FROM endpoint_results r JOIN endpoints e ON e.endpoint_id = r.endpoint_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []resultID
	for rows.Next() {
		var r resultID
		var ts any
		if err := rows.Scan(&r.agent, &r.key, &ts); err != nil {
			t.Fatal(err)
		}
		at, err := asTime(ts)
		if err != nil {
			t.Fatalf("result %s/%s: %v", r.agent, r.key, err)
		}
		r.start = at.UnixNano()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// storedTransitions are the quorum events of the database, kinds lowered to
// match the transition records (FIRED is fired).
func storedTransitions(t testing.TB, path string) []transition {
	t.Helper()
	rows, err := openDB(t, path).Query(`SELECT e.endpoint_key, ev.event_type
		FROM endpoint_events ev JOIN endpoints e ON e.endpoint_id = ev.endpoint_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []transition
	for rows.Next() {
		var tr transition
		if err := rows.Scan(&tr.key, &tr.kind); err != nil {
			t.Fatal(err)
		}
		tr.kind = strings.ToLower(tr.kind)
		out = append(out, tr)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// asTime reads a TIMESTAMP column, which the driver hands over parsed or as
// text depending on how it was written.
func asTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if at, err := time.Parse(layout, x); err == nil {
				return at, nil
			}
		}
		return time.Time{}, fmt.Errorf("timestamp %q: unknown layout", x)
	default:
		return time.Time{}, fmt.Errorf("timestamp of type %T", v)
	}
}

package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// rebuildFixture is a SQLite table t(id, a, b) with rows; dup adds a row
// that duplicates (a, b) of another.
func rebuildFixture(t *testing.T, dup bool) db {
	t.Helper()
	d, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "r.db"), false))
	if err != nil {
		t.Fatal(err)
	}
	d.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = d.Close() })
	raw := sqlDB{q: d}
	stmts := []string{
		`CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)`,
		`CREATE INDEX t_a_idx ON t (a)`,
		`INSERT INTO t (a, b) VALUES ('x', '1'), ('x', '2'), ('y', NULL)`,
	}
	if dup {
		stmts = append(stmts, `INSERT INTO t (a, b) VALUES ('x', '1')`)
	}
	if err := execAll(context.Background(), raw, stmts...); err != nil {
		t.Fatal(err)
	}
	return raw
}

var uniqueAB = tableRebuild{
	Table: "t",
	Columns: []rebuildColumn{
		{Name: "id", Def: "INTEGER PRIMARY KEY"},
		{Name: "a", Def: "TEXT NOT NULL"},
		{Name: "b", Def: "TEXT NOT NULL", From: "COALESCE(b, '')", Sources: []string{"b"}},
		{Name: "c", Def: "TEXT NOT NULL", From: "'new'"},
	},
	Constraints:     []string{"UNIQUE(a, b)"},
	Indexes:         []string{`CREATE INDEX t_c_idx ON t (c)`},
	IgnoreConflicts: true,
}

func TestRebuildChangesConstraintsAndKeepsEveryRow(t *testing.T) {
	ctx := context.Background()
	raw := rebuildFixture(t, false)
	if err := raw.inTx(ctx, func(d db) error { return rebuildSQLiteTable(ctx, d, uniqueAB) }); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, raw, `SELECT COUNT(*) FROM t WHERE c = 'new'`); n != 3 {
		t.Errorf("%d rows after the rebuild, want 3", n)
	}
	if _, err := raw.exec(ctx, `INSERT INTO t (a, b, c) VALUES ('x', '1', 'z')`); err == nil {
		t.Error("the new UNIQUE(a, b) constraint is not enforced")
	}
	var sqlText string
	if err := queryOne(ctx, raw, `SELECT sql FROM sqlite_master WHERE name = 't_c_idx'`, nil, &sqlText); err != nil {
		t.Errorf("index t_c_idx was not created: %v", err)
	}
}

func TestRebuildAbortsWhenRowCountsDiffer(t *testing.T) {
	ctx := context.Background()
	raw := rebuildFixture(t, true) // the duplicate is dropped by OR IGNORE
	err := raw.inTx(ctx, func(d db) error { return rebuildSQLiteTable(ctx, d, uniqueAB) })
	if err == nil || !strings.Contains(err.Error(), "4 rows before, 3 copied") {
		t.Fatalf("rebuild = %v, want an abort naming the counts", err)
	}
	if n := rawCount(t, raw, `SELECT COUNT(*) FROM t`); n != 4 {
		t.Errorf("%d rows after the aborted rebuild, want the original 4", n)
	}
	if cols, _ := sqliteColumns(ctx, raw, "t"); strings.Join(cols, ",") != "id,a,b" {
		t.Errorf("columns after the aborted rebuild: %v", cols)
	}
	if ok, _ := sqliteCatalog.tableExists(ctx, raw, "t__rebuild"); ok {
		t.Error("temporary table left behind")
	}
}

func TestRebuildRefusesToDropAnUnmappedColumn(t *testing.T) {
	ctx := context.Background()
	raw := rebuildFixture(t, false)
	rb := uniqueAB
	rb.Columns = rb.Columns[:2] // b has no place
	err := raw.inTx(ctx, func(d db) error { return rebuildSQLiteTable(ctx, d, rb) })
	if err == nil || !strings.Contains(err.Error(), `column "b"`) {
		t.Errorf("rebuild = %v, want a refusal naming column b", err)
	}
}

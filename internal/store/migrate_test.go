package store

import (
	"testing"
)

func TestBothDriversHaveTheSameNumberedMigrations(t *testing.T) {
	if len(sqliteMigrations) != len(postgresMigrations) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL", len(sqliteMigrations), len(postgresMigrations))
	}
	for i, m := range sqliteMigrations {
		p := postgresMigrations[i]
		if m.version != i+1 || p.version != m.version || p.name != m.name {
			t.Errorf("migration %d: sqlite (%d %s), postgres (%d %s); want both numbered %d with one name", i, m.version, m.name, p.version, p.name, i+1)
		}
	}
}

func TestWhereNumbersPlaceholdersInOrder(t *testing.T) {
	var w where
	w.add("a = ?", 1)
	w.in("b", []any{"x", "y"})
	w.add("c BETWEEN ? AND ?", 2, 3)
	if got, want := w.String(), " WHERE a = $1 AND b IN ($2, $3) AND c BETWEEN $4 AND $5"; got != want {
		t.Errorf("where = %q, want %q", got, want)
	}
	if len(w.args) != 5 || w.next() != "$6" {
		t.Errorf("args %v, next %s", w.args, w.next())
	}
}

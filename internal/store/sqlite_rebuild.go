package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// rebuildColumn is one column of a rebuilt SQLite table.
type rebuildColumn struct {
	Name string
	// Def is the column definition after its name (type and constraints).
	Def string
	// From is the SQL expression over the old table that fills the column;
	// empty copies the old column of the same name.
	From string
	// Sources are the old columns From reads; with From empty it is Name.
	// Every old column must be the source of some new column, so that a
	// rebuild can never silently drop data.
	Sources []string
	// IfPresent keeps the column only when the old table has it (a column
	// some Gatus versions have).
	IfPresent bool
}

// tableRebuild changes a SQLite table's constraints the way SQLite requires:
// create the new table, copy, drop the old one, rename, all inside the
// caller's transaction (with foreign keys off on the connection, so that the
// drop does not cascade).
type tableRebuild struct {
	Table       string
	Columns     []rebuildColumn
	Constraints []string // table constraints, e.g. UNIQUE(a, b)
	Indexes     []string // CREATE INDEX statements, re-run after the rename
	// IgnoreConflicts copies with INSERT OR IGNORE: rows that violate a new
	// constraint are skipped, which the row count check then turns into an
	// abort naming the table.
	IgnoreConflicts bool
}

// rebuildSQLiteTable performs rb on d, which must be a transaction. It
// aborts when the new table does not hold exactly the old table's rows, or
// when foreign key violations appear.
func rebuildSQLiteTable(ctx context.Context, d db, rb tableRebuild) error {
	oldCols, err := sqliteColumns(ctx, d, rb.Table)
	if err != nil {
		return err
	}
	if len(oldCols) == 0 {
		return fmt.Errorf("rebuild %s: table does not exist", rb.Table)
	}
	var defs, names, exprs []string
	used := map[string]bool{}
	for _, c := range rb.Columns {
		if c.IfPresent && !slices.Contains(oldCols, c.Name) {
			continue
		}
		defs = append(defs, c.Name+" "+c.Def)
		names = append(names, c.Name)
		switch {
		case c.From == "":
			exprs = append(exprs, c.Name)
			used[c.Name] = true
		default:
			exprs = append(exprs, c.From)
			for _, s := range c.Sources {
				used[s] = true
			}
		}
	}
	for _, c := range oldCols {
		if !used[c] {
			return fmt.Errorf("rebuild %s: column %q has no place in the new table; refusing to drop its data", rb.Table, c)
		}
	}
	fkBefore, err := foreignKeyViolations(ctx, d)
	if err != nil {
		return err
	}
	before, err := countTable(ctx, d, rb.Table)
	if err != nil {
		return err
	}
	tmp := rb.Table + "__rebuild"
	create := "CREATE TABLE " + tmp + " (\n\t" + strings.Join(append(defs, rb.Constraints...), ",\n\t") + "\n)"
	insert := "INSERT"
	if rb.IgnoreConflicts {
		insert = "INSERT OR IGNORE"
	}
	copyRows := fmt.Sprintf("%s INTO %s (%s) SELECT %s FROM %s ORDER BY rowid",
		insert, tmp, strings.Join(names, ", "), strings.Join(exprs, ", "), rb.Table)
	if err := execAll(ctx, d, create, copyRows); err != nil {
		return fmt.Errorf("rebuild %s: %w", rb.Table, err)
	}
	copied, err := countTable(ctx, d, tmp)
	if err != nil {
		return err
	}
	if copied != before {
		return fmt.Errorf("rebuild %s: %d rows before, %d copied; aborted without changes", rb.Table, before, copied)
	}
	if err := execAll(ctx, d, "DROP TABLE "+rb.Table, "ALTER TABLE "+tmp+" RENAME TO "+rb.Table); err != nil {
		return fmt.Errorf("rebuild %s: %w", rb.Table, err)
	}
	if err := execAll(ctx, d, rb.Indexes...); err != nil {
		return fmt.Errorf("rebuild %s: indexes: %w", rb.Table, err)
	}
	after, err := countTable(ctx, d, rb.Table)
	if err != nil {
		return err
	}
	if after != before {
		return fmt.Errorf("rebuild %s: %d rows before, %d after; aborted without changes", rb.Table, before, after)
	}
	fkAfter, err := foreignKeyViolations(ctx, d)
	if err != nil {
		return err
	}
	if fkAfter > fkBefore {
		return fmt.Errorf("rebuild %s: %d foreign key violations before, %d after; aborted without changes", rb.Table, fkBefore, fkAfter)
	}
	return nil
}

// sqliteColumns lists the columns of a SQLite table (none when it does not
// exist).
func sqliteColumns(ctx context.Context, d db, table string) ([]string, error) {
	rs, err := d.query(ctx, `SELECT name FROM pragma_table_info($1) ORDER BY cid`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rs.Close()
	var cols []string
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	return cols, rs.Err()
}

// foreignKeyViolations counts rows that break a foreign key anywhere in the
// database; a rebuild may not add any.
func foreignKeyViolations(ctx context.Context, d db) (int, error) {
	rs, err := d.query(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return 0, fmt.Errorf("foreign key check: %w", err)
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		n++
	}
	return n, rs.Err()
}

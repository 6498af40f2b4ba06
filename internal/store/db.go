package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// db is what the queries shared by both drivers need. Both accept $N
// placeholders, ON CONFLICT upserts and window functions, so most SQL is
// written once; only schema and the bulk result path differ per driver.
type db interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	// inTx runs fn in a transaction (or in the current one).
	inTx(ctx context.Context, fn func(db) error) error
}

// rows is the common part of *sql.Rows and pgx.Rows.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// queryOne scans the single row of q into dest, returning sql.ErrNoRows when
// there is none.
func queryOne(ctx context.Context, d db, q string, args []any, dest ...any) error {
	rs, err := d.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	if !rs.Next() {
		if err := rs.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rs.Scan(dest...); err != nil {
		return err
	}
	return rs.Err()
}

// sqlDB adapts database/sql (SQLite): a *sql.DB, *sql.Conn or *sql.Tx.
type sqlDB struct {
	q interface {
		ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

func (d sqlDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := d.q.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d sqlDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	rs, err := d.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rs}, nil
}

func (d sqlDB) inTx(ctx context.Context, fn func(db) error) error {
	b, ok := d.q.(interface {
		BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
	})
	if !ok { // already a transaction
		return fn(d)
	}
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(sqlDB{q: tx}); err != nil {
		return errors.Join(err, ignoreDone(tx.Rollback()))
	}
	return tx.Commit()
}

// ignoreDone hides the error of rolling back a transaction that already ended.
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) || errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// pgxDB adapts pgx (PostgreSQL): a pool, a connection or a transaction.
type pgxDB struct {
	q interface {
		Exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, q string, args ...any) (pgx.Rows, error)
		Begin(ctx context.Context) (pgx.Tx, error)
	}
}

func (d pgxDB) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := d.q.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (d pgxDB) query(ctx context.Context, q string, args ...any) (rows, error) {
	return d.q.Query(ctx, q, args...)
}

func (d pgxDB) inTx(ctx context.Context, fn func(db) error) error {
	if _, ok := d.q.(pgx.Tx); ok {
		return fn(d)
	}
	return pgx.BeginFunc(ctx, d.q, func(tx pgx.Tx) error { return fn(pgxDB{q: tx}) })
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"go.uber.org/zap"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteStore writes through one connection (SQLite has one writer; WAL lets
// readers proceed meanwhile) and reads through a small read-only pool.
type sqliteStore struct {
	*core
	writer *sql.DB
	reader *sql.DB
}

// sqliteCatalog answers schema questions for SQLite.
var sqliteCatalog = catalog{
	tableExists: func(ctx context.Context, d db, table string) (bool, error) {
		var n int
		err := queryOne(ctx, d, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, []any{table}, &n)
		return n > 0, err
	},
	columns: sqliteColumns,
}

// sqliteDSN builds the modernc DSN: busy timeout first so that pragmas wait
// for a lock instead of failing, WAL, foreign keys (for Gatus's cascades),
// IMMEDIATE transactions (a writer never upgrades a read lock), a larger
// page cache for the writer, and times
// written as Gatus wrote them (UTC, time.Time.String without monotonic part).
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_time_format", "string_no_monotonic")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// 64 MiB of page cache keeps the indexes' hot pages in memory while
		// batches are written (SQLite's default is 2 MiB).
		q.Add("_pragma", "cache_size(-65536)")
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, cfg Config) (Store, error) {
	if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("storage.path %q: create directory: %w", cfg.Path, err)
		}
	}
	writer, err := sql.Open("sqlite", sqliteDSN(cfg.Path, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", cfg.Path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := sqliteMigrate(ctx, writer, cfg); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("sqlite %q: %w", cfg.Path, err)
	}
	reader, err := sql.Open("sqlite", sqliteDSN(cfg.Path, true))
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite %q for reading: %w", cfg.Path, err)
	}
	reader.SetMaxOpenConns(4)
	s := &sqliteStore{writer: writer, reader: reader}
	s.core = newCore(cfg, sqlDB{q: writer}, sqlDB{q: reader})
	s.core.writeBatch = s.writeBatch
	s.start()
	cfg.Logger.Info("storage ready", zap.String("driver", DriverSQLite), zap.String("path", cfg.Path))
	return s, nil
}

// sqliteMigrate runs the migrations on the writer's connection with foreign
// keys off, as SQLite's table rebuild procedure requires; each rebuild checks
// that it added no violation.
func sqliteMigrate(ctx context.Context, writer *sql.DB, cfg Config) (err error) {
	conn, err := writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() { err = errors.Join(err, conn.Close()) }()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("disable foreign keys for migrations: %w", err)
	}
	defer func() {
		if _, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); ferr != nil {
			err = errors.Join(err, fmt.Errorf("re-enable foreign keys: %w", ferr))
		}
	}()
	return migrate(ctx, sqlDB{q: conn}, sqliteCatalog, sqliteMigrations, cfg.Logger)
}

func (s *sqliteStore) Close(ctx context.Context) error {
	first, err := s.closeQueue(ctx)
	if !first {
		return nil
	}
	return errors.Join(err, s.reader.Close(), s.writer.Close())
}

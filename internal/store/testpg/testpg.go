// Package testpg gives tests a real PostgreSQL schema of their own.
//
// The server is the one at $QUORATE_TEST_POSTGRES, by default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When none answers
// the test fails and says how to start one (scripts/test-postgres.sh starts a
// disposable server); QUORATE_TEST_POSTGRES=skip skips such tests instead.
package testpg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EnvDSN names the environment variable holding the server's DSN.
const EnvDSN = "QUORATE_TEST_POSTGRES"

// DefaultDSN is the server tests use when EnvDSN is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// BaseDSN is the configured server DSN; it skips the test when EnvDSN is
// "skip".
func BaseDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "skip" {
		t.Skip(EnvDSN + "=skip: PostgreSQL tests skipped")
	}
	if dsn == "" {
		dsn = DefaultDSN
	}
	return dsn
}

// DSN creates a schema named test_<random> and returns the server's DSN with
// search_path set to it; the schema is dropped when the test ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := BaseDSN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn := connect(ctx, t, base)
	defer conn.Close(context.Background())
	schema := "test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithSearchPath(base, schema)
}

// Conn opens a connection working in the schema of dsn, closed at cleanup.
func Conn(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c := connect(ctx, t, dsn)
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// WithSearchPath returns dsn (URL or key=value form) with search_path set.
func WithSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema
}

// connect connects to dsn, creating its database when it does not exist yet
// (a fresh disposable server has only "postgres").
func connect(ctx context.Context, t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		if cerr := createDatabase(ctx, dsn); cerr != nil {
			t.Fatalf("create the test database: %v", cerr)
		}
		conn, err = pgx.Connect(ctx, dsn)
	}
	if err != nil {
		t.Fatalf("PostgreSQL is not reachable at %s (%v).\n"+
			"Start one and run the tests through it with: scripts/test-postgres.sh go test ./quorum/...\n"+
			"or point %s at a server (a DSN), or set %s=skip to skip PostgreSQL tests.",
			redact(dsn), err, EnvDSN, EnvDSN)
	}
	return conn
}

func createDatabase(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	name := cfg.Database
	cfg.Database = "postgres"
	delete(cfg.RuntimeParams, "search_path")
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by another test binary
		return nil
	}
	return err
}

// redact hides a password in a DSN (URL or key=value) for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return kvPassword.ReplaceAllString(dsn, "${1}xxxxx")
}

var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

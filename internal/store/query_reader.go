package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Reader defaults, the same as the Grafana data source's settings.
const (
	DefaultReaderHost     = "127.0.0.1:5432"
	DefaultReaderSSLMode  = "require"
	DefaultReaderMaxConns = 4
	// DefaultReaderApplicationName is the application_name of readers'
	// PostgreSQL sessions.
	DefaultReaderApplicationName = "quorate-reader"
)

// ReaderSSLModes are the sslmode values a Reader accepts.
var ReaderSSLModes = []string{"disable", "require", "verify-ca", "verify-full"}

// ErrNoSchema is returned by Reader.SchemaVersion when the database holds
// no Quorate schema (no migrations table where the reader looks).
var ErrNoSchema = errors.New("no Quorate schema: table " + migrationsTable + " does not exist")

// ReaderConfig says where a Reader finds the store a central writes. The
// PostgreSQL connection is given field by field, so that no connection
// string holding the password is ever built, logged or put in an error.
type ReaderConfig struct {
	// Driver is "postgres" or "sqlite".
	Driver string

	// Path is the SQLite database file; it must exist.
	Path string

	// Host is the PostgreSQL "host:port" (port 5432 when left out), or a
	// Unix socket directory; default DefaultReaderHost.
	Host     string
	Database string
	User     string
	// Password is never logged nor put in errors.
	Password string
	// SSLMode is one of ReaderSSLModes; default DefaultReaderSSLMode.
	SSLMode string
	// Schema holds Quorate's tables; empty uses the user's search_path.
	Schema string

	// MaxConns bounds the connection pool; default DefaultReaderMaxConns.
	MaxConns int
	// ApplicationName names PostgreSQL sessions in pg_stat_activity;
	// default DefaultReaderApplicationName.
	ApplicationName string
}

// Validate reports every configuration error, naming the field.
func (c *ReaderConfig) Validate() error {
	var errs []error
	switch c.Driver {
	case DriverPostgres:
		if strings.TrimSpace(c.Database) == "" {
			errs = append(errs, errors.New("database: required with driver postgres (the database the Quorate central writes)"))
		}
		if strings.TrimSpace(c.User) == "" {
			errs = append(errs, errors.New("user: required with driver postgres"))
		}
		if c.SSLMode != "" && !slices.Contains(ReaderSSLModes, c.SSLMode) {
			errs = append(errs, fmt.Errorf("sslMode: %q is not supported; use one of %s", c.SSLMode, strings.Join(ReaderSSLModes, ", ")))
		}
		if c.Host != "" {
			if _, _, err := splitHostPort(c.Host); err != nil {
				errs = append(errs, fmt.Errorf("host: %w", err))
			}
		}
	case DriverSQLite:
		switch {
		case strings.TrimSpace(c.Path) == "":
			errs = append(errs, errors.New("path: required with driver sqlite (the database file the Quorate central writes)"))
		case c.Path == ":memory:" || strings.HasPrefix(c.Path, "file:"):
			errs = append(errs, fmt.Errorf("path: %q is not a file path; give the path of the database file the central writes", c.Path))
		case strings.ContainsRune(c.Path, '?'):
			errs = append(errs, fmt.Errorf("path: %q contains '?'; use a path without query parameters", c.Path))
		}
	default:
		errs = append(errs, fmt.Errorf("driver: %q is not supported; use %q or %q", c.Driver, DriverPostgres, DriverSQLite))
	}
	if c.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("maxOpenConns: %d must not be negative (0 uses %d)", c.MaxConns, DefaultReaderMaxConns))
	}
	return errors.Join(errs...)
}

// Reader reads what a central wrote, for dashboards. It never migrates and
// never writes: SQLite is opened read-only (mode=ro, query_only) and every
// PostgreSQL session is read-only (default_transaction_read_only). It is
// safe for concurrent use.
type Reader struct {
	driver  string
	d       db
	dialect dialect
	close   func()
	secrets []string
}

// OpenReader prepares a connection pool without connecting: a database
// that is down makes queries and Ping fail, not OpenReader, so a data
// source can still report what is wrong. (ctx is not kept: the pool
// outlives the call.)
func OpenReader(_ context.Context, cfg ReaderConfig) (*Reader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultReaderMaxConns
	}
	switch cfg.Driver {
	case DriverPostgres:
		return openPostgresReader(cfg)
	default:
		return openSQLiteReader(cfg)
	}
}

func openPostgresReader(cfg ReaderConfig) (*Reader, error) {
	host := cfg.Host
	if host == "" {
		host = DefaultReaderHost
	}
	h, port, err := splitHostPort(host)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	sslMode := cfg.SSLMode
	if sslMode == "" {
		sslMode = DefaultReaderSSLMode
	}
	// Key/value form without the password: the password is set on the
	// parsed config, so it is in no string pgx could echo.
	kv := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=%s",
		kvQuote(h), port, kvQuote(cfg.Database), kvQuote(cfg.User), kvQuote(sslMode))
	pcfg, err := pgxpool.ParseConfig(kv)
	if err != nil {
		return nil, fmt.Errorf("postgres settings: %w", err)
	}
	pcfg.ConnConfig.Password = cfg.Password
	pcfg.MaxConns = int32(cfg.MaxConns)
	pcfg.MinConns = 0
	rp := pcfg.ConnConfig.RuntimeParams
	rp["default_transaction_read_only"] = "on"
	// pgx prepares each statement once per connection; after five runs
	// PostgreSQL may switch to a generic plan that, for one endpoint's
	// series, walks the timestamp index of every endpoint (450 ms instead of
	// 21 ms on 10M results, bench/plugin-queries.sh). Dashboard queries are
	// cheap to plan, and JIT only added latency to them.
	rp["plan_cache_mode"] = "force_custom_plan"
	rp["jit"] = "off"
	rp["application_name"] = DefaultReaderApplicationName
	if cfg.ApplicationName != "" {
		rp["application_name"] = cfg.ApplicationName
	}
	if cfg.Schema != "" {
		rp["search_path"] = pgx.Identifier{cfg.Schema}.Sanitize()
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, redactErr(fmt.Errorf("postgres %s: %w", describePG(h, port, cfg), err), passwordSecrets(cfg.Password))
	}
	return &Reader{
		driver:  DriverPostgres,
		d:       pgxDB{q: pool},
		dialect: postgresDialect,
		close:   pool.Close,
		secrets: passwordSecrets(cfg.Password),
	}, nil
}

func openSQLiteReader(cfg ReaderConfig) (*Reader, error) {
	abs, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", cfg.Path, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("path: %q does not exist; give the database file the Quorate central writes (storage.path of its config)", cfg.Path)
	case err != nil:
		return nil, fmt.Errorf("path %q: %w", cfg.Path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("path: %q is a directory; give the database file the Quorate central writes", cfg.Path)
	}
	// A file: URI lets SQLite apply mode=ro: the file is never created nor
	// written, not even by a checkpoint when the last connection closes.
	uri := "file:" + (&url.URL{Path: filepath.ToSlash(abs)}).EscapedPath()
	d, err := sql.Open("sqlite", sqliteDSN(uri, true)+"&mode=ro")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q read-only: %w", cfg.Path, err)
	}
	d.SetMaxOpenConns(cfg.MaxConns)
	d.SetMaxIdleConns(cfg.MaxConns)
	return &Reader{
		driver:  DriverSQLite,
		d:       sqlDB{q: d},
		dialect: sqliteDialect,
		close:   func() { _ = d.Close() },
	}, nil
}

// Driver is "postgres" or "sqlite".
func (r *Reader) Driver() string { return r.driver }

// Close releases the connections.
func (r *Reader) Close() { r.close() }

// Ping checks that the database answers.
func (r *Reader) Ping(ctx context.Context) error {
	var one int
	if err := queryOne(ctx, r.d, `SELECT 1`, nil, &one); err != nil {
		return r.fail("connect", err)
	}
	return nil
}

// SchemaVersion is the highest migration the central applied, or
// ErrNoSchema when there is no Quorate schema where the reader looks.
func (r *Reader) SchemaVersion(ctx context.Context) (int, error) {
	cat := sqliteCatalog
	if r.driver == DriverPostgres {
		cat = postgresCatalog
	}
	ok, err := cat.tableExists(ctx, r.d, migrationsTable)
	if err != nil {
		return 0, r.fail("inspect schema", err)
	}
	if !ok {
		return 0, ErrNoSchema
	}
	var v sql.NullInt64
	if err := queryOne(ctx, r.d, `SELECT MAX(version) FROM `+migrationsTable, nil, &v); err != nil {
		return 0, r.fail("read schema version", err)
	}
	return int(v.Int64), nil
}

// fail wraps a database error with what was being done, without secrets.
func (r *Reader) fail(what string, err error) error {
	return redactErr(fmt.Errorf("%s: %w", what, err), r.secrets)
}

// splitHostPort splits "host:port", "host", "[v6]:port" or a Unix socket
// directory into host and port.
func splitHostPort(s string) (string, int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", 0, errors.New("is empty; give host:port, for example 127.0.0.1:5432")
	}
	if strings.HasPrefix(s, "/") {
		return s, 5432, nil
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		if strings.Count(s, ":") == 0 || (strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")) {
			return strings.Trim(s, "[]"), 5432, nil
		}
		return "", 0, fmt.Errorf("%q is not host:port (for example 127.0.0.1:5432 or [::1]:5432)", s)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: port %q must be a number from 1 to 65535", s, p)
	}
	if h == "" {
		return "", 0, fmt.Errorf("%q has no host name", s)
	}
	return h, port, nil
}

// kvQuote quotes a value of a key/value connection string.
func kvQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// describePG names a PostgreSQL server for messages; no password.
func describePG(host string, port int, cfg ReaderConfig) string {
	return fmt.Sprintf("%s:%d database %q user %q", host, port, cfg.Database, cfg.User)
}

func passwordSecrets(p string) []string {
	if p == "" {
		return nil
	}
	return []string{p, url.QueryEscape(p), url.PathEscape(p)}
}

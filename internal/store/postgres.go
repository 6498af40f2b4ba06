package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

// postgresStore writes results with COPY through a pgx pool.
type postgresStore struct {
	*core
	pool *pgxpool.Pool
	// nextResultIDs reserves endpoint_result_id values so that condition
	// rows can be copied next to their results.
	nextResultIDs string
	secrets       []string
}

// postgresCatalog answers schema questions for PostgreSQL, in the schema
// the connection works in (the first of search_path).
var postgresCatalog = catalog{
	tableExists: func(ctx context.Context, d db, table string) (bool, error) {
		var n int
		err := queryOne(ctx, d, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`, []any{table}, &n)
		return n > 0, err
	},
	columns: func(ctx context.Context, d db, table string) ([]string, error) {
		rs, err := d.query(ctx, `SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		var cols []string
		for rs.Next() {
			var c string
			if err := rs.Scan(&c); err != nil {
				return nil, err
			}
			cols = append(cols, c)
		}
		return cols, rs.Err()
	},
}

func openPostgres(ctx context.Context, cfg Config) (Store, error) {
	dsn := string(cfg.DSN)
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("storage.dsn: %w", redactErr(err, dsnSecrets(dsn, "")))
	}
	secrets := dsnSecrets(dsn, pcfg.ConnConfig.Password)
	fail := func(what string, err error) error {
		return redactErr(fmt.Errorf("postgres %s: %s: %w", redactDSN(dsn), what, err), secrets)
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fail("connect", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fail("connect", err)
	}
	if err := postgresMigrate(ctx, pool, cfg.Logger); err != nil {
		pool.Close()
		return nil, fail("migrate", err)
	}
	var seq *string
	if err := pool.QueryRow(ctx, `SELECT pg_get_serial_sequence('endpoint_results', 'endpoint_result_id')`).Scan(&seq); err != nil || seq == nil {
		pool.Close()
		if err == nil {
			err = errors.New("endpoint_results.endpoint_result_id has no sequence")
		}
		return nil, fail("find the result id sequence", err)
	}
	s := &postgresStore{
		pool:          pool,
		nextResultIDs: `SELECT nextval('` + strings.ReplaceAll(*seq, "'", "''") + `') FROM generate_series(1, $1)`,
		secrets:       secrets,
	}
	d := pgxDB{q: pool}
	s.core = newCore(cfg, d, d)
	s.core.writeBatch = s.writeBatch
	s.start()
	cfg.Logger.Info("storage ready", zap.String("driver", DriverPostgres), zap.String("dsn", redactDSN(dsn)))
	return s, nil
}

// postgresMigrate runs the migrations on one connection holding an advisory
// lock, so that centrals starting together migrate one after the other.
func postgresMigrate(ctx context.Context, pool *pgxpool.Pool, log *zap.Logger) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	const lockKey = `hashtext('` + migrationsTable + `.' || current_schema())`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+lockKey+`)`); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+lockKey+`)`); uerr != nil {
			// A connection still holding the lock must not return to the pool.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	return migrate(ctx, pgxDB{q: conn}, postgresCatalog, postgresMigrations, log)
}

func (s *postgresStore) Close(ctx context.Context) error {
	first, err := s.closeQueue(ctx)
	if !first {
		return nil
	}
	s.pool.Close()
	return redactErr(err, s.secrets)
}

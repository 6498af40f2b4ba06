package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// core implements the Store methods both drivers share. A driver supplies
// the connections, the bulk result writer and Close.
type core struct {
	cfg Config
	w   db // writes
	r   db // reads (a separate read-only pool for SQLite)

	// writeBatch writes at most MaxBatchSize results in one transaction.
	writeBatch func(ctx context.Context, rs []Result) error

	q      *queue
	closed atomic.Bool

	idsMu sync.RWMutex
	ids   map[string]int64 // endpoint key -> endpoint_id

	// uptimes are the sums of WriteBatch results not yet in the buckets.
	uptimeMu    sync.Mutex
	uptimes     *uptimeDelta
	uptimeSpare *uptimeDelta // emptied maps of the last flush, for reuse

	seqMu   sync.Mutex
	nextIDs string // PostgreSQL: the query reserving result ids, once known
}

func newCore(cfg Config, w, r db) *core {
	return &core{cfg: cfg, w: w, r: r, ids: map[string]int64{}, uptimes: newUptimeDelta()}
}

// start begins the background writer once writeBatch is set.
func (c *core) start() { c.q = newQueue(c.cfg, c.writeResults) }

func (c *core) check() error {
	if c.closed.Load() {
		return ErrClosed
	}
	return nil
}

// closeQueue stops the background writer, writing what is queued, and
// writes the uptime sums WriteBatch left in memory. It reports false when
// the store was already closed.
func (c *core) closeQueue(ctx context.Context) (bool, error) {
	if !c.closed.CompareAndSwap(false, true) {
		return false, nil
	}
	qerr := c.q.close(ctx)
	return true, errors.Join(qerr, c.flushUptimes(ctx))
}

func (c *core) WriteResults(ctx context.Context, rs []Result) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.writeResults(ctx, rs)
}

// writeResults is WriteResults without the closed check, for the background
// writer's last flush.
func (c *core) writeResults(ctx context.Context, rs []Result) error {
	if err := validateResults(rs); err != nil {
		return err
	}
	if len(rs) <= c.cfg.Batching.MaxBatchSize || c.cfg.Batching.Workers == 1 {
		for len(rs) > 0 {
			n := min(len(rs), c.cfg.Batching.MaxBatchSize)
			if err := c.writeBatch(ctx, rs[:n]); err != nil {
				return fmt.Errorf("write %d results: %w", n, err)
			}
			rs = rs[n:]
		}
		return nil
	}
	// Several batches: write up to Workers of them at once.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, c.cfg.Batching.Workers)
	)
	for len(rs) > 0 {
		n := min(len(rs), c.cfg.Batching.MaxBatchSize)
		batch := rs[:n]
		rs = rs[n:]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := c.writeBatch(ctx, batch); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("write %d results: %w", len(batch), err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *core) Enqueue(ctx context.Context, rs ...Result) error {
	if err := c.check(); err != nil {
		return err
	}
	// Rejected here, a bad result cannot make a whole batch fail later.
	if err := validateResults(rs); err != nil {
		return err
	}
	return c.q.enqueue(ctx, rs)
}

// validateResults checks what every stored result needs.
func validateResults(rs []Result) error {
	for i := range rs {
		if rs[i].EndpointKey == "" || rs[i].AgentID == "" {
			return fmt.Errorf("result %d: endpoint key and agent id are required (got key %q, agent %q)", i, rs[i].EndpointKey, rs[i].AgentID)
		}
	}
	return nil
}

func (c *core) Flush(ctx context.Context) error {
	if err := c.check(); err != nil {
		return err
	}
	return c.q.flush(ctx)
}

func (c *core) SchemaVersion(ctx context.Context) (int, error) {
	if err := c.check(); err != nil {
		return 0, err
	}
	var v sql.NullInt64
	if err := queryOne(ctx, c.r, `SELECT MAX(version) FROM `+migrationsTable, nil, &v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

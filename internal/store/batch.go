package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Batch is what the central writes in one transaction: the results of one
// or more agent requests with the transitions they caused and the quorum
// state those left behind, or the periodic save of runs and agents' last
// contact. Writing them together costs one commit instead of one per part.
type Batch struct {
	Results      []Result
	Events       []Event
	Runs         []AgentRun
	QuorumStates []QuorumState
	// StateAt is when Runs and QuorumStates were read from the quorum
	// state; they are stored with it as updated_at, and a stored row with
	// a later one is kept. So batches written concurrently never replace
	// newer state with older, whichever commits first. Zero means now,
	// replacing whatever is stored.
	StateAt time.Time
	// Seen moves agents' last contact forward, as TouchAgents does.
	Seen map[string]time.Time
	// FlushUptimes writes, in the same transaction, the uptime sums that
	// earlier batches left in memory (see WriteBatch).
	FlushUptimes bool
}

// validate checks what every part of b needs, before anything is written.
func (b *Batch) validate() error {
	if err := validateResults(b.Results); err != nil {
		return err
	}
	if err := validateEvents(b.Events); err != nil {
		return err
	}
	if err := validateRuns(b.Runs); err != nil {
		return err
	}
	for _, s := range b.QuorumStates {
		if s.EndpointKey == "" {
			return errors.New("save quorum state: endpoint key is required")
		}
	}
	for id := range b.Seen {
		if id == "" {
			return errors.New("touch agent: id is required")
		}
	}
	return nil
}

func (c *core) WriteBatch(ctx context.Context, b *Batch) error {
	if err := c.check(); err != nil {
		return err
	}
	if err := b.validate(); err != nil {
		return err
	}
	var flush *uptimeDelta
	if b.FlushUptimes {
		if flush = c.takeUptimes(); flush.empty() {
			c.recycleUptimes(flush)
			flush = nil
		}
	}
	if flush == nil && len(b.Results)+len(b.Events)+len(b.Runs)+len(b.QuorumStates)+len(b.Seen) == 0 {
		return nil
	}
	endpointIDs, err := c.writeBatchTx(ctx, b, flush)
	if err != nil {
		// The sums taken to be flushed were not written: keep them for
		// the next flush.
		c.addUptimes(flush)
		return err
	}
	if flush != nil {
		c.recycleUptimes(flush)
	} else {
		c.addResultsUptime(b.Results, endpointIDs)
	}
	return nil
}

// writeBatchTx writes b, and the uptime sums of flush (nil: none) together
// with those of b's results, in one transaction. It returns the endpoint
// id of each result.
func (c *core) writeBatchTx(ctx context.Context, b *Batch, flush *uptimeDelta) ([]int64, error) {
	at, onlyNewer := time.Now().UTC(), false
	if !b.StateAt.IsZero() {
		at, onlyNewer = b.StateAt.UTC(), true
	}
	ids := c.newEndpointIDs()
	var endpointIDs []int64
	err := c.w.inTx(ctx, func(d db) error {
		// Inserts first: they lock nothing another writer waits for. The
		// rows that concurrent writers share come last, each set in a
		// fixed order (agents, uptime buckets, runs, quorum states, each
		// sorted), so that a writer waits for another only for the end of
		// its transaction, and never in a cycle.
		if err := b.resolveEndpoints(ctx, d, ids); err != nil {
			return err
		}
		if err := recordEvents(ctx, d, ids, b.Events); err != nil {
			return err
		}
		var err error
		if endpointIDs, err = c.insertResults(ctx, d, ids, b.Results); err != nil {
			return err
		}
		if err := touchAgents(ctx, d, b.Seen); err != nil {
			return err
		}
		if flush != nil {
			// This batch's own sums join the flush, in a copy: flush must
			// stay as it was taken in case the transaction fails.
			sums := newUptimeDelta()
			sums.addResults(b.Results, endpointIDs)
			sums.merge(flush)
			if err := upsertUptimes(ctx, d, sums); err != nil {
				return err
			}
		}
		if err := saveRuns(ctx, d, ids, b.Runs, at, onlyNewer); err != nil {
			return err
		}
		return saveQuorumStates(ctx, d, ids, b.QuorumStates, at, onlyNewer)
	})
	if err != nil {
		return nil, err
	}
	ids.commit()
	return endpointIDs, nil
}

// resolveEndpoints finds (or creates) the endpoint of every key b names
// that is not cached, in key order.
func (b *Batch) resolveEndpoints(ctx context.Context, d db, ids *endpointIDs) error {
	type naming struct{ name, group string }
	missing := map[string]naming{}
	need := func(key, name, group string) {
		if _, ok := ids.c.cachedEndpointID(key); ok {
			return
		}
		if n, ok := missing[key]; !ok || n.name == "" {
			missing[key] = naming{name, group}
		}
	}
	for i := range b.Results {
		need(b.Results[i].EndpointKey, b.Results[i].EndpointName, b.Results[i].EndpointGroup)
	}
	for _, e := range b.Events {
		if e.EndpointKey != "" {
			need(e.EndpointKey, "", "")
		}
	}
	for _, r := range b.Runs {
		need(r.EndpointKey, "", "")
	}
	for _, s := range b.QuorumStates {
		need(s.EndpointKey, "", "")
	}
	for _, key := range slices.Sorted(maps.Keys(missing)) {
		if _, err := ids.get(ctx, d, key, missing[key].name, missing[key].group); err != nil {
			return err
		}
	}
	return nil
}

// insertResults writes the results and their condition results and
// returns the endpoint id of each.
func (c *core) insertResults(ctx context.Context, d db, ids *endpointIDs, rs []Result) ([]int64, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	endpointIDs, err := resolveEndpoints(ctx, d, ids, rs)
	if err != nil {
		return nil, err
	}
	switch d := d.(type) {
	case pgxDB:
		tx, ok := d.q.(pgx.Tx)
		if !ok {
			return nil, errors.New("write results: not in a transaction")
		}
		next, err := c.nextResultIDsQuery(ctx, d)
		if err != nil {
			return nil, err
		}
		if err := copyResults(ctx, tx, next, rs, endpointIDs); err != nil {
			return nil, err
		}
	case sqlDB:
		if err := insertResultsSQLite(ctx, d, rs, endpointIDs); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("write results: unsupported connection %T", d)
	}
	return endpointIDs, nil
}

// takeUptimes removes and returns the uptime sums waiting in memory.
func (c *core) takeUptimes() *uptimeDelta {
	c.uptimeMu.Lock()
	defer c.uptimeMu.Unlock()
	u := c.uptimes
	c.uptimes, c.uptimeSpare = c.uptimeSpare, nil
	if c.uptimes == nil {
		c.uptimes = newUptimeDelta()
	}
	return u
}

// recycleUptimes keeps the maps of written sums for the next takeUptimes:
// they have grown to the number of buckets in use.
func (c *core) recycleUptimes(u *uptimeDelta) {
	clear(u.endpoint)
	clear(u.agent)
	c.uptimeMu.Lock()
	defer c.uptimeMu.Unlock()
	c.uptimeSpare = u
}

// addUptimes puts sums back into memory; nil adds nothing.
func (c *core) addUptimes(u *uptimeDelta) {
	if u.empty() {
		return
	}
	c.uptimeMu.Lock()
	defer c.uptimeMu.Unlock()
	c.uptimes.merge(u)
}

// addResultsUptime adds written results to the sums in memory.
func (c *core) addResultsUptime(rs []Result, endpointIDs []int64) {
	if len(rs) == 0 {
		return
	}
	c.uptimeMu.Lock()
	defer c.uptimeMu.Unlock()
	c.uptimes.addResults(rs, endpointIDs)
}

// flushUptimes writes the uptime sums waiting in memory, for Close.
func (c *core) flushUptimes(ctx context.Context) error {
	u := c.takeUptimes()
	if u.empty() {
		return nil
	}
	if err := c.w.inTx(ctx, func(d db) error { return upsertUptimes(ctx, d, u) }); err != nil {
		return fmt.Errorf("write the uptime of %d buckets: %w", len(u.endpoint)+len(u.agent), err)
	}
	return nil
}

// validateEvents checks what every stored event needs.
func validateEvents(events []Event) error {
	for i, e := range events {
		switch {
		case e.Type == "":
			return fmt.Errorf("event %d: type is required", i)
		case e.Time.IsZero():
			return fmt.Errorf("event %d (%s): time is required", i, e.Type)
		case len(e.Details) > 0 && !json.Valid(e.Details):
			return fmt.Errorf("event %d (%s): details are not valid JSON", i, e.Type)
		}
	}
	return nil
}

// validateRuns checks what every stored run needs.
func validateRuns(runs []AgentRun) error {
	for _, r := range runs {
		if r.EndpointKey == "" || r.AgentID == "" {
			return fmt.Errorf("save agent run: endpoint key and agent id are required (got %q, %q)", r.EndpointKey, r.AgentID)
		}
	}
	return nil
}

// prepared runs one statement many times in a transaction. On SQLite it
// is prepared once: database/sql would prepare the text again on every
// call, which cost more than the insert itself. pgx caches prepared
// statements per connection by itself, so on PostgreSQL the text is sent
// as is.
type prepared struct {
	d    db
	q    string
	stmt *sql.Stmt
	rctx *rowContext
}

func prepare(ctx context.Context, d db, q string) (*prepared, error) {
	p := &prepared{d: d, q: q}
	if s, ok := d.(sqlDB); ok {
		if pr, ok := s.q.(interface {
			PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
		}); ok {
			st, err := pr.PrepareContext(ctx, q)
			if err != nil {
				return nil, err
			}
			p.stmt, p.rctx = st, newRowContext(ctx)
		}
	}
	return p, nil
}

func (p *prepared) exec(ctx context.Context, args ...any) error {
	if p.stmt != nil {
		rctx, err := p.rctx.next()
		if err != nil {
			return err
		}
		_, err = p.stmt.ExecContext(rctx, args...)
		return err
	}
	_, err := p.d.exec(ctx, p.q, args...)
	return err
}

func (p *prepared) close() {
	if p.stmt != nil {
		_ = p.stmt.Close()
	}
}

// rowContext gives per-row SQLite statements their context: the caller's
// without its cancellation, since the driver starts a goroutine to watch
// every statement whose context can be cancelled (a seventh of the cost of
// an insert). The caller's context is checked every 256 rows instead, so a
// transaction still ends soon after its context does.
type rowContext struct {
	ctx, plain context.Context
	rows       int
}

func newRowContext(ctx context.Context) *rowContext {
	return &rowContext{ctx: ctx, plain: context.WithoutCancel(ctx)}
}

func (r *rowContext) next() (context.Context, error) {
	if r.rows%256 == 0 {
		if err := r.ctx.Err(); err != nil {
			return nil, err
		}
	}
	r.rows++
	return r.plain, nil
}

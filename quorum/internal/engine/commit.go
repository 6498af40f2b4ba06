package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/quorate/quorate/internal/store"
)

// commitTimeout bounds one transaction of the committer. It does not come
// from a caller: a transaction holds the data of several callers, and one
// of them hanging up must not abort the others' writes.
const commitTimeout = time.Minute

// commit is what one caller hands the committer: the results of one agent
// request, or a tick's periodic save, and whether the dirty quorum state
// must be in the same transaction.
type commit struct {
	results []store.Result
	events  []store.Event
	// state: the quorum state of endpoints with transitions (marked dirty
	// before submitting) is written too, so that it is durable before the
	// transitions are delivered.
	state bool
	// all: every run that moved, agents' last contact and the uptime sums
	// waiting in the store's memory are written too (Tick, Close).
	all bool

	taken bool       // guarded by committer.mu: a transaction holds it
	err   chan error // the outcome of the transaction, buffered
}

// committer writes what Ingest, Tick, Touch and Close hand it with a few
// writers (the storage's batching.workers), each writing one transaction at
// a time: while they write, what arrives gathers, and the next free writer
// writes it all in one transaction (group commit). A caller waits for the
// transaction that holds its data, so an agent's request is still answered
// only after its results are stored, but concurrent requests share one
// commit instead of queueing for one each.
//
// It is also the only writer of quorum state. The rows are read from the
// state machine when a transaction is assembled and stamped with the time
// of that read; the store keeps a row stamped later, so two writers
// committing in either order never leave older state behind.
type committer struct {
	// assemble turns taken commits into one batch, whose Results and
	// Events may reuse the slices of spare (a batch this writer has
	// written); done is told the outcome (to mark unsaved state dirty
	// again).
	assemble func(cs []*commit, spare *store.Batch) (b *store.Batch, done func(error))
	write    func(ctx context.Context, b *store.Batch) error
	// maxResults bounds the results of one transaction; a single commit
	// with more is still written whole.
	maxResults int

	mu      sync.Mutex
	pending []*commit
	closed  bool

	wake    chan struct{} // holds a token when pending may be non-empty
	writers sync.WaitGroup
}

func newCommitter(writers, maxResults int, assemble func([]*commit, *store.Batch) (*store.Batch, func(error)), write func(context.Context, *store.Batch) error) *committer {
	c := &committer{
		assemble:   assemble,
		write:      write,
		maxResults: max(1, maxResults),
		wake:       make(chan struct{}, 1),
	}
	for range max(1, writers) {
		c.writers.Go(c.run)
	}
	return c
}

// submit hands cm to the committer and waits for its transaction. A
// caller whose ctx ends while cm still waits for a transaction withdraws
// it (nothing of it is written) and gets ctx's error; once a transaction
// holds it, its outcome is returned whatever ctx does, since the data may
// already be written.
func (c *committer) submit(ctx context.Context, cm *commit) error {
	cm.err = make(chan error, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	c.pending = append(c.pending, cm)
	c.mu.Unlock()
	c.signal()

	select {
	case err := <-cm.err:
		return err
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !cm.taken {
		c.pending = slices.DeleteFunc(c.pending, func(p *commit) bool { return p == cm })
		c.mu.Unlock()
		return ctx.Err()
	}
	c.mu.Unlock()
	return <-cm.err
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close writes what is pending, then stops; later submits get ErrClosed.
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.signal()
	c.writers.Wait()
}

func (c *committer) run() {
	spare := &store.Batch{}
	for {
		cs, stop := c.take()
		if stop {
			c.signal() // the other writers stop too
			return
		}
		if len(cs) == 0 {
			<-c.wake
			continue
		}
		// More may be pending: another writer can take it meanwhile.
		c.signal()
		b, done := c.assemble(cs, spare)
		var err error
		if !empty(b) {
			ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
			err = c.write(ctx, b)
			cancel()
		}
		done(err)
		if len(cs) > 1 {
			// The joined slices are this writer's own: reuse them.
			spare.Results, spare.Events = b.Results[:0], b.Events[:0]
		}
		for _, cm := range cs {
			cm.err <- err
		}
	}
}

// take removes the commits of the next transaction from pending: in
// order, until maxResults is reached. stop is set once closed and empty.
func (c *committer) take() (cs []*commit, stop bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return nil, c.closed
	}
	n, results := 0, 0
	for n < len(c.pending) && (n == 0 || results+len(c.pending[n].results) <= c.maxResults) {
		results += len(c.pending[n].results)
		c.pending[n].taken = true
		n++
	}
	cs = slices.Clone(c.pending[:n])
	c.pending = slices.Delete(c.pending, 0, n)
	return cs, false
}

// empty reports whether b has nothing to write.
func empty(b *store.Batch) bool {
	return len(b.Results) == 0 && len(b.Events) == 0 && len(b.Runs) == 0 &&
		len(b.QuorumStates) == 0 && len(b.Seen) == 0 && !b.FlushUptimes
}

// assemble builds the transaction of cs: their results and events (joined
// into the slices of spare when there are several), and the dirty state
// they ask for, read from the machine now.
func (e *Engine) assemble(cs []*commit, spare *store.Batch) (*store.Batch, func(error)) {
	b := &store.Batch{}
	if len(cs) == 1 {
		b.Results, b.Events = cs[0].results, cs[0].events
	} else {
		b.Results, b.Events = spare.Results[:0], spare.Events[:0]
		for _, cm := range cs {
			b.Results = append(b.Results, cm.results...)
			b.Events = append(b.Events, cm.events...)
		}
	}
	state, all := false, false
	for _, cm := range cs {
		state, all = state || cm.state, all || cm.all
	}
	if !state && !all {
		return b, func(error) {}
	}
	// Taking the stamp and reading the state are one step, so that a
	// later stamp always goes with a later read.
	e.readMu.Lock()
	b.StateAt = e.stateStamp()
	runKeys, stateKeys, seen := e.takeDirty(!all)
	b.Runs, b.QuorumStates = e.stateRows(runKeys, stateKeys)
	e.readMu.Unlock()
	b.Seen = seen
	b.FlushUptimes = all
	return b, func(err error) {
		if err != nil {
			e.redirty(runKeys, stateKeys, seen)
		}
	}
}

// stateStamp is the time of a state read: the wall clock, but always after
// the previous stamp and after every stamp restored from the store, so that
// a clock set back does not make the store keep older state. e.readMu must
// be held.
func (e *Engine) stateStamp() time.Time {
	t := time.Now().UTC().Truncate(time.Microsecond) // PostgreSQL keeps microseconds
	if !t.After(e.lastStamp) {
		t = e.lastStamp.Add(time.Microsecond)
	}
	e.lastStamp = t
	return t
}

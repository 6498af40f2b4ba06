package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/auth"
	"github.com/quorate/quorate/quorum/internal/metrics"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("quorum engine is closed")

// Options configure Open.
type Options struct {
	// MonitoringFile is the monitoring config; it is watched and reloaded.
	MonitoringFile string
	// Storage selects the database.
	Storage store.Config
	// Logger receives reloads, unused config keys and background failures.
	Logger *zap.Logger
	// Now is the clock of Ingest and of the rate limiter; time.Now when nil.
	// Tick takes its time as an argument.
	Now func() time.Time
	// ReloadDebounce overrides the watcher's debounce (tests).
	ReloadDebounce time.Duration
}

// Engine is the central's quorum engine. It is safe for concurrent use.
type Engine struct {
	logger  *zap.Logger
	now     func() time.Time
	watcher *monitoring.Watcher
	auth    *auth.Authenticator
	machine *state.Machine
	store   store.Store
	metrics *metrics.Metrics

	// reloadMu makes a reload wait until Open has finished, and serialises
	// reloads with Close.
	reloadMu sync.Mutex

	// commits writes results, events and state, grouping concurrent
	// callers into one transaction; it is the only writer of quorum state.
	commits *committer
	// readMu makes taking a state stamp and reading the state one step;
	// lastStamp is the latest stamp given or restored.
	readMu    sync.Mutex
	lastStamp time.Time

	dirtyMu    sync.Mutex
	dirtyRuns  map[pairKey]struct{} // runs that moved since the last save
	urgentRuns map[pairKey]struct{} // of those, runs whose triggered flag changed
	dirtyState map[string]struct{}  // endpoints whose quorum state may have changed
	seen       map[string]time.Time // agents' last contact not yet stored

	subsMu  sync.RWMutex
	subs    map[int]Sink
	nextSub int

	failures failureLog

	// maintShown holds the endpoints whose in_maintenance gauge shows 1,
	// and maintCount their number, so that Ingest notices a result whose
	// maintenance status the gauge does not show yet.
	maintShown sync.Map
	maintCount atomic.Int64

	closed atomic.Bool
}

type pairKey struct{ endpoint, agent string }

// Open loads the monitoring config, opens and migrates the store, restores
// the quorum state saved by a previous run and starts watching the config.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	e := &Engine{
		logger:     opts.Logger,
		now:        opts.Now,
		dirtyRuns:  map[pairKey]struct{}{},
		urgentRuns: map[pairKey]struct{}{},
		dirtyState: map[string]struct{}{},
		seen:       map[string]time.Time{},
		subs:       map[int]Sink{},
	}
	if e.logger == nil {
		e.logger = zap.NewNop()
	}
	if e.now == nil {
		e.now = time.Now
	}
	// A reload that lands while Open runs waits for it to finish.
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()

	w, err := monitoring.NewWatcher(opts.MonitoringFile, monitoring.WatcherOptions{
		OnReload: e.reload,
		OnError: func(err error) {
			e.logger.Error("Monitoring config change not applied", zap.Error(err))
		},
		Debounce: opts.ReloadDebounce,
	})
	if err != nil {
		return nil, err
	}
	e.watcher = w
	cfg := w.Config()
	if len(cfg.Unused) > 0 {
		e.logger.Info("Monitoring config keys accepted but not used by Quorate", zap.Strings("keys", cfg.Unused))
	}

	e.machine, err = state.New(state.ConfigFrom(cfg))
	if err != nil {
		_ = w.Stop()
		return nil, err
	}
	e.auth = auth.New(cfg)
	e.metrics = metrics.New()

	sc := opts.Storage
	if sc.Logger == nil {
		sc.Logger = e.logger
	}
	if sc.OnWriteError == nil {
		sc.OnWriteError = func(err error, dropped int) {
			e.logger.Error("Results could not be stored and were dropped", zap.Int("results", dropped), zap.Error(err))
		}
	}
	e.store, err = store.Open(ctx, sc)
	if err != nil {
		_ = w.Stop()
		return nil, fmt.Errorf("open %s storage: %w", sc.Driver, err)
	}
	e.commits = newCommitter(commitWriters(sc), groupCommitResults(sc), e.assemble, e.store.WriteBatch)
	if err := e.syncConfig(ctx, cfg, nil); err != nil {
		e.abort()
		return nil, err
	}
	if err := e.restore(ctx, cfg); err != nil {
		e.abort()
		return nil, err
	}
	if err := e.saveEveryQuorum(ctx); err != nil {
		e.abort()
		return nil, fmt.Errorf("save the quorum state of every alert: %w", err)
	}
	e.refreshMetrics()
	return e, nil
}

// groupCommitResults bounds the results of one group commit: the storage's
// batching.max_batch_size.
func groupCommitResults(sc store.Config) int {
	if sc.Batching.MaxBatchSize > 0 {
		return sc.Batching.MaxBatchSize
	}
	return store.DefaultConfig().Batching.MaxBatchSize
}

// commitWriters is how many transactions are written at once: the
// storage's batching.workers, by default 2 on PostgreSQL (whose server then
// works on two cores) and 1 on SQLite (which has one writer).
func commitWriters(sc store.Config) int {
	switch {
	case sc.Batching.Workers > 0:
		return sc.Batching.Workers
	case sc.Driver == store.DriverPostgres:
		return 2
	}
	return 1
}

// abort releases what a failed Open acquired.
func (e *Engine) abort() {
	if e.commits != nil {
		e.commits.close()
	}
	_ = e.watcher.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = e.store.Close(ctx)
}

// Close stops watching the config, saves the state and the results still
// queued (bounded by ctx) and closes the store. Calls after Close fail with
// ErrClosed.
func (e *Engine) Close(ctx context.Context) error {
	if e.closed.Swap(true) {
		return nil
	}
	werr := e.watcher.Stop()
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	perr := e.commits.submit(ctx, &commit{all: true})
	if perr != nil {
		perr = fmt.Errorf("save quorum state: %w", perr)
	}
	e.commits.close()
	serr := e.store.Close(ctx)
	return errors.Join(werr, perr, serr)
}

// Config is the running monitoring config.
func (e *Engine) Config() *monitoring.Config { return e.watcher.Config() }

// Agents is every agent's liveness, sorted by id.
func (e *Engine) Agents() []state.AgentStatus { return e.machine.Agents() }

// Endpoints is every enabled endpoint's quorum status, sorted by key.
func (e *Engine) Endpoints() []state.EndpointStatus { return e.machine.Endpoints() }

// Authenticator authenticates and rate-limits agents; it follows reloads.
func (e *Engine) Authenticator() *auth.Authenticator { return e.auth }

// Metrics are the product metrics.
func (e *Engine) Metrics() *metrics.Metrics { return e.metrics }

// Store is the storage, for reads (the engine does the writing).
func (e *Engine) Store() store.Store { return e.store }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.now() }

// refreshMetrics sets every endpoint and agent gauge from the machine.
func (e *Engine) refreshMetrics() {
	for _, st := range e.machine.Endpoints() {
		e.setEndpointMetrics(st)
	}
	for _, a := range e.machine.Agents() {
		e.metrics.SetAgent(a)
	}
}

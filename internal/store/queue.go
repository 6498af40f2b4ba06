package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.uber.org/zap"
)

// writeRetries are the pauses between attempts to write a failed batch; a
// batch that still fails after them is dropped and reported, so that one bad
// batch cannot stall the pipeline forever. Tests shorten them.
var writeRetries = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}

// queue is the background writer behind Enqueue: results wait in a bounded
// channel, one goroutine groups them into batches and a few workers write
// the batches concurrently (each in its own transaction).
type queue struct {
	write    func(ctx context.Context, rs []Result) error
	maxBatch int
	interval time.Duration
	workers  int
	log      *zap.Logger
	onError  func(error, int)

	in       chan Result
	flushReq chan chan error
	batches  chan []Result
	closing  chan struct{} // closed first: wakes blocked Enqueue calls
	stop     chan struct{} // closed once no Enqueue can send any more
	done     chan struct{}
	inflight sync.WaitGroup // batches handed to workers and not yet written

	mu        sync.RWMutex // Enqueue holds it for reading while sending
	closed    bool
	closeOnce sync.Once

	errMu sync.Mutex
	errs  []error // failures since the last Flush began

	ctx    context.Context // writes; cancelled when Close gives up waiting
	cancel context.CancelFunc
}

func newQueue(cfg Config, write func(ctx context.Context, rs []Result) error) *queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{
		write:    write,
		maxBatch: cfg.Batching.MaxBatchSize,
		interval: cfg.Batching.FlushInterval,
		workers:  cfg.Batching.Workers,
		log:      cfg.Logger,
		onError:  cfg.OnWriteError,
		in:       make(chan Result, cfg.Batching.QueueSize),
		flushReq: make(chan chan error),
		batches:  make(chan []Result),
		closing:  make(chan struct{}),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		ctx:      ctx,
		cancel:   cancel,
	}
	var workers sync.WaitGroup
	for range q.workers {
		workers.Go(q.work)
	}
	go func() {
		q.run()
		close(q.batches)
		workers.Wait()
		q.cancel()
		close(q.done)
	}()
	return q
}

func (q *queue) enqueue(ctx context.Context, rs []Result) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return ErrClosed
	}
	for i := range rs {
		select {
		case q.in <- rs[i]:
		case <-ctx.Done():
			return ctx.Err()
		case <-q.closing:
			return ErrClosed
		}
	}
	return nil
}

func (q *queue) flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case q.flushReq <- reply:
	case <-ctx.Done():
		return ctx.Err()
	case <-q.closing:
		return ErrClosed
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops accepting results and writes what is queued, giving up (and
// abandoning the rest) when ctx is done.
func (q *queue) close(ctx context.Context) error {
	q.closeOnce.Do(func() { close(q.closing) })
	q.mu.Lock() // waits for senders, which closing has woken
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	q.mu.Unlock()
	close(q.stop)
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-q.done
		return ctx.Err()
	}
}

// run groups results into batches until stopped.
func (q *queue) run() {
	buf := make([]Result, 0, q.maxBatch)
	timer := time.NewTimer(q.interval)
	timer.Stop()
	dispatch := func() {
		if len(buf) == 0 {
			return
		}
		q.inflight.Add(1)
		q.batches <- buf // blocks while every worker is busy
		buf = make([]Result, 0, q.maxBatch)
	}
	add := func(r Result) {
		if len(buf) == 0 {
			timer.Reset(q.interval)
		}
		buf = append(buf, r)
		if len(buf) >= q.maxBatch {
			dispatch()
		}
	}
	drain := func() {
		for {
			select {
			case r := <-q.in:
				add(r)
			default:
				dispatch()
				return
			}
		}
	}
	for {
		select {
		case r := <-q.in:
			add(r)
		case <-timer.C:
			dispatch()
		case reply := <-q.flushReq:
			drain()
			q.inflight.Wait()
			q.errMu.Lock()
			err := errors.Join(q.errs...)
			q.errs = nil
			q.errMu.Unlock()
			reply <- err
		case <-q.stop:
			drain()
			return
		}
	}
}

func (q *queue) work() {
	for b := range q.batches {
		if err := q.writeBatch(b); err != nil {
			q.errMu.Lock()
			q.errs = append(q.errs, err)
			q.errMu.Unlock()
		}
		q.inflight.Done()
	}
}

// writeBatch writes rs, retrying transient failures, and reports a batch it
// gives up on.
func (q *queue) writeBatch(rs []Result) error {
	var err error
	for attempt := 0; ; attempt++ {
		if err = q.write(q.ctx, rs); err == nil {
			return nil
		}
		if attempt >= len(writeRetries) || q.ctx.Err() != nil {
			break
		}
		q.log.Warn("writing results failed, retrying", zap.Int("results", len(rs)), zap.Error(err))
		select {
		case <-time.After(writeRetries[attempt]):
		case <-q.ctx.Done():
		}
	}
	if errors.Is(err, context.Canceled) && q.ctx.Err() != nil {
		err = errors.Join(errors.New("store closed before the batch was written"), err)
	}
	q.log.Error("dropping results after failed writes", zap.Int("results", len(rs)), zap.Error(err))
	if q.onError != nil {
		q.onError(err, len(rs))
	}
	return err
}

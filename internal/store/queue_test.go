package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
)

// recorder is a write function that records batch sizes; while gate is
// non-nil each write waits for it.
type recorder struct {
	mu      sync.Mutex
	batches []int
	gate    chan struct{}
	fail    error
}

func (r *recorder) write(ctx context.Context, rs []Result) error {
	if r.gate != nil {
		select {
		case <-r.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.batches = append(r.batches, len(rs))
	return nil
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, b := range r.batches {
		n += b
	}
	return n
}

func queueConfig(batch, queue, workers int) Config {
	return Config{Batching: BatchingConfig{MaxBatchSize: batch, FlushInterval: time.Hour, QueueSize: queue, Workers: workers}, Logger: zap.NewNop()}
}

func TestQueueWritesFullBatchesAndTheRestOnFlush(t *testing.T) {
	rec := &recorder{}
	q := newQueue(queueConfig(10, 100, 1), rec.write)
	defer q.close(context.Background())
	ctx := context.Background()
	if err := q.enqueue(ctx, make([]Result, 25)); err != nil {
		t.Fatal(err)
	}
	if err := q.flush(ctx); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.batches) != 3 || rec.batches[0] != 10 || rec.batches[1] != 10 || rec.batches[2] != 5 {
		t.Errorf("batches %v, want [10 10 5]", rec.batches)
	}
}

func TestQueueBlocksEnqueueWhenFullUntilTheContextEnds(t *testing.T) {
	rec := &recorder{gate: make(chan struct{})} // writes hang until released
	q := newQueue(queueConfig(5, 5, 1), rec.write)
	ctx := context.Background()
	// 5 in the writer's hands, 5 held by the batcher waiting for a worker, 5
	// in the channel: then the queue is full.
	if err := q.enqueue(ctx, make([]Result, 15)); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := q.enqueue(short, make([]Result, 6)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("enqueue on a full queue = %v, want the context's deadline", err)
	}
	close(rec.gate)
	if err := q.close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rec.total(); n < 15 {
		t.Errorf("%d results written after close, want at least the 15 accepted", n)
	}
}

func TestQueueReportsABatchItGivesUpOn(t *testing.T) {
	saved := writeRetries
	writeRetries = []time.Duration{time.Millisecond, time.Millisecond}
	defer func() { writeRetries = saved }()
	boom := errors.New("database down")
	var dropped int
	var reported error
	cfg := queueConfig(10, 100, 1)
	cfg.OnWriteError = func(err error, n int) { reported, dropped = err, dropped+n }
	rec := &recorder{fail: boom}
	q := newQueue(cfg, rec.write)
	defer q.close(context.Background())
	if err := q.enqueue(context.Background(), make([]Result, 7)); err != nil {
		t.Fatal(err)
	}
	if err := q.flush(context.Background()); !errors.Is(err, boom) {
		t.Errorf("flush = %v, want the write error", err)
	}
	if dropped != 7 || !errors.Is(reported, boom) {
		t.Errorf("OnWriteError saw %d results and %v, want 7 and the write error", dropped, reported)
	}
	// A later flush starts clean.
	if err := q.flush(context.Background()); err != nil {
		t.Errorf("second flush = %v, want nil", err)
	}
}

func TestQueueCloseGivesUpWhenItsContextEnds(t *testing.T) {
	rec := &recorder{gate: make(chan struct{})} // never released
	q := newQueue(queueConfig(5, 10, 1), rec.write)
	if err := q.enqueue(context.Background(), make([]Result, 3)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("close = %v, want the context's deadline", err)
	}
	if err := q.enqueue(context.Background(), make([]Result, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("enqueue after close = %v, want ErrClosed", err)
	}
}

func TestQueueWritesWithSeveralWorkersAtOnce(t *testing.T) {
	// Each write returns only once three writes are under way together.
	var mu sync.Mutex
	started := 0
	all := make(chan struct{})
	write := func(ctx context.Context, rs []Result) error {
		mu.Lock()
		if started++; started == 3 {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			return nil
		case <-time.After(10 * time.Second):
			return errors.New("fewer than 3 batches were written at once")
		}
	}
	q := newQueue(queueConfig(1, 10, 3), write)
	defer q.close(context.Background())
	if err := q.enqueue(context.Background(), make([]Result, 3)); err != nil {
		t.Fatal(err)
	}
	if err := q.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}

package queue

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
)

// batch builds records numbered from first, spread over resources and
// scopes (perResource records per resource, perScope per scope) so that
// splitting has containers to cut through. Each resource and scope is named
// after its first record so tests can check records keep their own.
func batch(first, count, perResource, perScope int) plog.Logs {
	ld := plog.NewLogs()
	var rl plog.ResourceLogs
	var sl plog.ScopeLogs
	for i := range count {
		seq := first + i
		if i%perResource == 0 {
			rl = ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutInt("first", int64(seq))
			rl.SetSchemaUrl("schema")
		}
		if i%perResource%perScope == 0 {
			sl = rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName("scope")
			sl.Scope().Attributes().PutInt("first", int64(seq))
		}
		sl.LogRecords().AppendEmpty().Body().SetInt(int64(seq))
	}
	return ld
}

func single(seq int) plog.Logs { return batch(seq, 1, 1, 1) }

// seqs lists the record numbers of ld in order, checking on the way that
// every record still sits under a resource and scope of its original batch
// (attribute "first" not after the record, schema URL and scope name kept).
func seqs(t *testing.T, ld plog.Logs) []int {
	t.Helper()
	var out []int
	for _, rl := range ld.ResourceLogs().All() {
		rFirst, ok := rl.Resource().Attributes().Get("first")
		require.True(t, ok, "resource attributes lost")
		assert.Equal(t, "schema", rl.SchemaUrl())
		for _, sl := range rl.ScopeLogs().All() {
			sFirst, ok := sl.Scope().Attributes().Get("first")
			require.True(t, ok, "scope attributes lost")
			assert.Equal(t, "scope", sl.Scope().Name())
			assert.GreaterOrEqual(t, sFirst.Int(), rFirst.Int())
			for _, lr := range sl.LogRecords().All() {
				assert.GreaterOrEqual(t, lr.Body().Int(), sFirst.Int())
				out = append(out, int(lr.Body().Int()))
			}
		}
	}
	return out
}

func span(from, to int) []int {
	out := []int{}
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

func newQueue(t *testing.T, capacity int) *Queue {
	t.Helper()
	q, err := New(capacity)
	require.NoError(t, err)
	return q
}

// drain takes and acknowledges everything, maxRecords at a time.
func drain(t *testing.T, q *Queue, maxRecords int) []int {
	t.Helper()
	var out []int
	for {
		ld, n := q.Take(maxRecords)
		if n == 0 {
			return out
		}
		require.LessOrEqual(t, n, maxRecords)
		got := seqs(t, ld)
		require.Len(t, got, n)
		out = append(out, got...)
		require.Equal(t, n, q.Ack())
	}
}

func TestNewRefusesCapacityBelowOne(t *testing.T) {
	for _, c := range []int{0, -1} {
		_, err := New(c)
		assert.Error(t, err, "capacity %d", c)
	}
}

func TestTakeKeepsOrderAcrossBatchSizes(t *testing.T) {
	tests := []struct {
		name       string
		sizes      []int
		maxRecords int
	}{
		{name: "single records, one per take", sizes: []int{1, 1, 1}, maxRecords: 1},
		{name: "single records merged into one take", sizes: []int{1, 1, 1, 1}, maxRecords: 1000},
		{name: "large batch split across takes", sizes: []int{25}, maxRecords: 7},
		{name: "mixed sizes cut mid-batch", sizes: []int{3, 10, 1, 8, 2}, maxRecords: 4},
		{name: "batch exactly one take", sizes: []int{5, 5}, maxRecords: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQueue(t, 1000)
			next := 0
			for _, s := range tt.sizes {
				require.Zero(t, q.Push(batch(next, s, 3, 2)))
				next += s
			}
			assert.Equal(t, next, q.Len())
			assert.Equal(t, span(0, next), drain(t, q, tt.maxRecords))
			assert.Zero(t, q.Len())
		})
	}
}

func TestPushDropsOldestWhenFull(t *testing.T) {
	tests := []struct {
		name        string
		capacity    int
		sizes       []int
		wantDropped int
		wantLeft    []int
	}{
		{name: "not full drops nothing", capacity: 10, sizes: []int{4, 6}, wantDropped: 0, wantLeft: span(0, 10)},
		{name: "whole oldest batches", capacity: 10, sizes: []int{5, 5, 5}, wantDropped: 5, wantLeft: span(5, 15)},
		{name: "part of the oldest batch", capacity: 10, sizes: []int{6, 7}, wantDropped: 3, wantLeft: span(3, 13)},
		{name: "single records", capacity: 10, sizes: []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, wantDropped: 15, wantLeft: span(15, 25)},
		{name: "batch larger than the queue keeps its newest", capacity: 10, sizes: []int{4, 25}, wantDropped: 19, wantLeft: span(19, 29)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newQueue(t, tt.capacity)
			next, dropped := 0, 0
			for _, s := range tt.sizes {
				dropped += q.Push(batch(next, s, 4, 3))
				next += s
				require.LessOrEqual(t, q.Len(), tt.capacity)
			}
			assert.Equal(t, tt.wantDropped, dropped)
			assert.Equal(t, tt.wantLeft, drain(t, q, 1000))
		})
	}
}

func TestInFlightBatchIsRetriedAndNeverDropped(t *testing.T) {
	q := newQueue(t, 10)
	q.Push(batch(0, 5, 2, 1))
	ld, n := q.Take(5)
	require.Equal(t, 5, n)
	assert.Equal(t, span(0, 5), seqs(t, ld))

	// 5 in flight + 10 new = 15 for 10 slots: nothing is queued behind the
	// batch in flight, so the 5 oldest of the new batch go.
	assert.Equal(t, 5, q.Push(batch(5, 10, 3, 2)))
	assert.Equal(t, 10, q.Len())

	again, n := q.Take(1000)
	require.Equal(t, 5, n, "a failed send retries the same batch")
	assert.Equal(t, span(0, 5), seqs(t, again))

	assert.Equal(t, 5, q.Ack())
	assert.Equal(t, span(10, 15), drain(t, q, 1000))
}

func TestOverflowWhileInFlightDropsOldestQueued(t *testing.T) {
	q := newQueue(t, 10)
	q.Push(batch(0, 10, 10, 10))
	_, n := q.Take(4)
	require.Equal(t, 4, n)
	assert.Equal(t, 3, q.Push(batch(10, 3, 1, 1)))
	q.Ack()
	assert.Equal(t, append(span(7, 10), span(10, 13)...), drain(t, q, 1000))
}

func TestTakeAllReturnsInFlightFirst(t *testing.T) {
	q := newQueue(t, 100)
	q.Push(batch(0, 3, 3, 3))
	q.Push(batch(3, 4, 2, 2))
	_, n := q.Take(2)
	require.Equal(t, 2, n)
	var got []int
	for _, ld := range q.TakeAll() {
		got = append(got, seqs(t, ld)...)
	}
	assert.Equal(t, span(0, 7), got)
	assert.Zero(t, q.Len())
	_, n = q.Take(10)
	assert.Zero(t, n)
}

func TestPushOfNoRecordsIsIgnored(t *testing.T) {
	q := newQueue(t, 1)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	assert.Zero(t, q.Push(ld))
	assert.Zero(t, q.Len())
	select {
	case <-q.Ready():
		t.Fatal("ready signalled for an empty batch")
	default:
	}
}

func TestReadySignalsAfterPush(t *testing.T) {
	q := newQueue(t, 10)
	q.Push(single(0))
	q.Push(single(1))
	select {
	case <-q.Ready():
	default:
		t.Fatal("ready not signalled")
	}
}

// TestRandomOperationsConserveRecords pushes, takes, fails and acks at
// random and checks the queue's bookkeeping against a plain count: every
// record pushed is delivered once in order, dropped, or still queued, and
// the drop count is exactly the number missing.
func TestRandomOperationsConserveRecords(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 42))
		capacity := 1 + rng.IntN(50)
		q := newQueue(t, capacity)
		next, dropped := 0, 0
		var delivered []int
		for range 2000 {
			switch rng.IntN(3) {
			case 0:
				size := 1 + rng.IntN(12)
				dropped += q.Push(batch(next, size, 1+rng.IntN(4), 1+rng.IntN(3)))
				next += size
			case 1:
				ld, n := q.Take(1 + rng.IntN(10))
				if n > 0 && rng.IntN(3) > 0 { // else: a failed send
					delivered = append(delivered, seqs(t, ld)...)
					require.Equal(t, n, q.Ack())
				}
			case 2:
				require.LessOrEqual(t, q.Len(), capacity)
			}
		}
		left := q.Len()
		delivered = append(delivered, drain(t, q, 1000)...)
		require.Equal(t, next, len(delivered)+dropped, "seed %d: pushed = delivered + dropped", seed)
		for i := 1; i < len(delivered); i++ {
			require.Less(t, delivered[i-1], delivered[i], "seed %d: order", seed)
		}
		require.LessOrEqual(t, left, capacity)
	}
}

func TestDropOldestSparesTheBatchInFlight(t *testing.T) {
	q := newQueue(t, 10)
	q.Push(batch(0, 6, 2, 2))
	_, n := q.Take(2)
	require.Equal(t, 2, n)
	assert.Equal(t, 4, q.Free())
	assert.Equal(t, 3, q.DropOldest(3))
	assert.Equal(t, 1, q.DropOldest(3), "only one queued record was left")
	assert.Equal(t, 8, q.Free())
	q.Ack()
	assert.Empty(t, drain(t, q, 10))
}

func TestSplitFrontKeepsResourcesAndOrder(t *testing.T) {
	ld := batch(0, 10, 4, 3)
	front := SplitFront(ld, 6)
	assert.Equal(t, span(0, 6), seqs(t, front))
	assert.Equal(t, span(6, 10), seqs(t, ld))
	DropFront(ld, 3)
	assert.Equal(t, []int{9}, seqs(t, ld))
}

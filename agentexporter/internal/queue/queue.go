package queue

import (
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"
)

// Queue is a FIFO of log batches bounded in log records, not in batches:
// probe results arrive one or a few per batch, and the user sizes the
// queue in results.
//
// One consumer takes batches with Take and confirms them with Ack. The
// batch taken stays "in flight" until acknowledged: Take returns it again
// so a failed send is retried with the same records in the same order, and
// overflow never drops in-flight records, so that a record is never both
// delivered and counted as dropped.
//
// Batches pushed are owned by the queue from then on.
type Queue struct {
	mu       sync.Mutex
	capacity int
	entries  []entry // entries[head:] are queued, oldest first
	head     int
	queued   int // records in entries[head:]

	inflight  plog.Logs
	inflightN int

	ready chan struct{}
}

type entry struct {
	logs plog.Logs
	n    int
}

// New returns an empty queue holding at most capacity log records.
func New(capacity int) (*Queue, error) {
	if capacity < 1 {
		return nil, fmt.Errorf("queue capacity %d must be at least 1", capacity)
	}
	return &Queue{capacity: capacity, ready: make(chan struct{}, 1)}, nil
}

// Push appends ld and returns how many records were dropped to make room:
// the oldest queued records first and, when the batch in flight leaves less
// room than ld needs, the oldest records of ld itself.
func (q *Queue) Push(ld plog.Logs) (dropped int) {
	n := ld.LogRecordCount()
	if n == 0 {
		return 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if over := q.queued + q.inflightN + n - q.capacity; over > 0 {
		dropped = q.dropQueued(over)
		if rest := over - dropped; rest > 0 {
			moveFront(ld.ResourceLogs(), nil, rest)
			n -= rest
			dropped += rest
		}
	}
	if n > 0 {
		q.entries = append(q.entries, entry{logs: ld, n: n})
		q.queued += n
		select {
		case q.ready <- struct{}{}:
		default:
		}
	}
	return dropped
}

// DropOldest discards up to n of the oldest queued records, never the
// batch in flight, and returns how many it discarded.
func (q *Queue) DropOldest(n int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropQueued(n)
}

// Free is how many more records fit without dropping any.
func (q *Queue) Free() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.capacity - q.queued - q.inflightN
}

// dropQueued discards up to n of the oldest queued (not in-flight) records
// and returns how many it discarded.
func (q *Queue) dropQueued(n int) int {
	done := 0
	for done < n && q.head < len(q.entries) {
		e := &q.entries[q.head]
		if e.n <= n-done {
			done += e.n
			q.queued -= e.n
			q.popHead()
			continue
		}
		k := n - done
		moveFront(e.logs.ResourceLogs(), nil, k)
		e.n -= k
		q.queued -= k
		done += k
	}
	return done
}

// Take returns the batch in flight if there is one, otherwise moves up to
// maxRecords of the oldest records into a new batch in flight. It returns
// an empty batch and 0 when nothing is queued. The batch must not be
// modified: it belongs to the queue until Ack.
func (q *Queue) Take(maxRecords int) (plog.Logs, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.inflightN > 0 {
		return q.inflight, q.inflightN
	}
	if q.queued == 0 || maxRecords < 1 {
		return plog.NewLogs(), 0
	}
	batch := plog.NewLogs()
	dst := batch.ResourceLogs()
	n := 0
	for n < maxRecords && q.head < len(q.entries) {
		e := &q.entries[q.head]
		if e.n <= maxRecords-n {
			e.logs.ResourceLogs().MoveAndAppendTo(dst)
			n += e.n
			q.queued -= e.n
			q.popHead()
			continue
		}
		k := maxRecords - n
		moveFront(e.logs.ResourceLogs(), &dst, k)
		e.n -= k
		q.queued -= k
		n += k
	}
	q.inflight, q.inflightN = batch, n
	return batch, n
}

// Ack releases the batch in flight (delivered, or refused for good) and
// returns how many records it held.
func (q *Queue) Ack() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := q.inflightN
	q.inflight, q.inflightN = plog.Logs{}, 0
	return n
}

// TakeAll empties the queue and returns its batches oldest first, the one
// in flight included; it is for keeping what is left at shutdown.
func (q *Queue) TakeAll() []plog.Logs {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]plog.Logs, 0, len(q.entries)-q.head+1)
	if q.inflightN > 0 {
		out = append(out, q.inflight)
	}
	for _, e := range q.entries[q.head:] {
		out = append(out, e.logs)
	}
	q.entries, q.head, q.queued = nil, 0, 0
	q.inflight, q.inflightN = plog.Logs{}, 0
	return out
}

// Len is the number of records held, the batch in flight included.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.queued + q.inflightN
}

// Capacity is the most records the queue holds.
func (q *Queue) Capacity() int { return q.capacity }

// Ready receives a value after a Push that added records; the consumer
// waits on it when Take found nothing.
func (q *Queue) Ready() <-chan struct{} { return q.ready }

// popHead removes the oldest entry, releasing it for the garbage collector
// and reclaiming the slice's front once enough has been consumed.
func (q *Queue) popHead() {
	q.entries[q.head] = entry{}
	q.head++
	switch {
	case q.head == len(q.entries):
		q.entries, q.head = q.entries[:0], 0
	case q.head >= 1024 && q.head*2 >= len(q.entries):
		n := copy(q.entries, q.entries[q.head:])
		clear(q.entries[n:])
		q.entries, q.head = q.entries[:n], 0
	}
}

package agentexporter

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/quorate/quorate/agentexporter/internal/queue"
	"github.com/quorate/quorate/agentexporter/internal/spill"
)

// backlog is everything not yet delivered, oldest first: the memory queue
// (which the sender takes from) and, with storage configured, the spilled
// records behind it on disk. New records go to disk while it holds any or
// while memory is full, and the sender refills memory from the disk's
// front, so the order is kept across both.
type backlog struct {
	mem    *queue.Queue
	logger *zap.Logger

	mu        sync.Mutex // serialises every disk operation and placement decision
	disk      *spill.Disk
	diskCap   int
	diskError bool // a disk failure was logged; cleared by the next success
}

func newBacklog(mem *queue.Queue, logger *zap.Logger) *backlog {
	return &backlog{mem: mem, logger: logger}
}

// attachDisk puts disk behind memory; what it holds from a previous run is
// older than anything queued since, and the sender's refills take it first.
func (b *backlog) attachDisk(disk *spill.Disk, capacity int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.disk, b.diskCap = disk, capacity
}

// push queues ld and returns how many records were dropped, the oldest
// first across memory and disk.
func (b *backlog) push(ctx context.Context, ld plog.Logs) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := ld.LogRecordCount()
	if b.disk == nil || (b.disk.Len() == 0 && n <= b.mem.Free()) {
		return b.mem.Push(ld)
	}
	if err := b.disk.Append(ctx, ld); err != nil {
		b.diskFailed("Agent exporter cannot spill to storage; keeping results in memory only, dropping the oldest", err)
		return b.mem.Push(ld)
	}
	b.diskOK()
	over := b.mem.Len() + b.disk.Len() - b.mem.Capacity() - b.diskCap
	if over <= 0 {
		return 0
	}
	dropped := b.mem.DropOldest(over)
	if rest := over - dropped; rest > 0 {
		d, err := b.disk.DropFront(ctx, rest)
		dropped += d
		if err != nil {
			b.diskFailed("Agent exporter cannot drop the oldest spilled results", err)
		}
	}
	lost, _ := b.refillLocked(ctx) // a read error is logged; the sender retries
	return dropped + lost
}

// refill moves records from the disk's front into memory while memory has
// room. It returns how many spilled records were lost as unreadable, and
// an error when storage could not be read (logged once here).
func (b *backlog) refill(ctx context.Context) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refillLocked(ctx)
}

func (b *backlog) refillLocked(ctx context.Context) (lost int, err error) {
	for b.disk != nil && b.disk.Len() > 0 {
		free := b.mem.Free()
		if free <= 0 {
			break
		}
		var ld plog.Logs
		ld, err = b.disk.PopFront(ctx, free)
		var lostErr *spill.LostError
		switch {
		case errors.As(err, &lostErr):
			lost += lostErr.Records
			b.logger.Error("Agent exporter found an unreadable batch in storage; its results are dropped",
				zap.Int("records", lostErr.Records), zap.Error(lostErr.Err))
			continue
		case err != nil:
			b.diskFailed("Agent exporter cannot read spilled results back from storage; retrying later", err)
			return lost, err
		}
		b.diskOK()
		b.mem.Push(ld) // fits: at most Free() records
	}
	return lost, nil
}

// len is every record held, memory and disk.
func (b *backlog) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mem.Len() + b.spilledLocked()
}

func (b *backlog) spilled() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spilledLocked()
}

func (b *backlog) spilledLocked() int {
	if b.disk == nil {
		return 0
	}
	return b.disk.Len()
}

func (b *backlog) capacity() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mem.Capacity() + b.diskCap
}

// keep empties memory at shutdown: onto the disk's front when there is
// one, so the next start sends it first. It returns the records kept and
// the records lost.
func (b *backlog) keep(ctx context.Context) (kept, lost int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	left := b.mem.TakeAll()
	n := 0
	for _, ld := range left {
		n += ld.LogRecordCount()
	}
	if b.disk == nil {
		return 0, n
	}
	if err := b.disk.Prepend(ctx, left); err != nil {
		b.logger.Error("Agent exporter cannot keep its queue in storage at shutdown", zap.Error(err))
		return b.disk.Len(), n
	}
	return b.disk.Len(), 0
}

func (b *backlog) diskFailed(msg string, err error) {
	if !b.diskError {
		b.diskError = true
		b.logger.Error(msg, zap.Error(err))
	}
}

func (b *backlog) diskOK() {
	if b.diskError {
		b.diskError = false
		b.logger.Info("Agent exporter storage works again")
	}
}

// Package spill keeps the tail of the agent exporter's queue in a storage
// extension (file_storage): batches the memory queue has no room for, and
// at shutdown what was left in memory, so that they survive a restart.
package spill

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/agentexporter/internal/queue"
)

const (
	metaKey = "meta"
	// firstIndex leaves room below for batches put back in front at
	// shutdown, and above for appends: both ends move by one per batch.
	firstIndex = uint64(1) << 62
)

// Disk is a FIFO of log batches in a storage client. Every change is one
// storage batch operation (one transaction for file_storage) that updates
// the data and the head/tail bookkeeping together. It is not safe for
// concurrent use; the exporter serialises calls.
type Disk struct {
	client  storage.Client
	head    uint64 // index of the oldest batch
	tail    uint64 // index after the newest batch
	records int
}

// Open reads the bookkeeping left by a previous run, or starts empty.
func Open(ctx context.Context, client storage.Client) (*Disk, error) {
	d := &Disk{client: client, head: firstIndex, tail: firstIndex}
	raw, err := client.Get(ctx, metaKey)
	if err != nil {
		return nil, fmt.Errorf("reading the spilled queue's bookkeeping: %w", err)
	}
	if raw == nil {
		return d, nil
	}
	if len(raw) != 24 {
		return nil, fmt.Errorf("the spilled queue's bookkeeping is %d bytes, want 24: the storage holds something else", len(raw))
	}
	d.head = binary.BigEndian.Uint64(raw[0:])
	d.tail = binary.BigEndian.Uint64(raw[8:])
	d.records = int(binary.BigEndian.Uint64(raw[16:]))
	if d.tail < d.head || d.records < 0 {
		return nil, fmt.Errorf("the spilled queue's bookkeeping is inconsistent (head %d, tail %d, records %d)", d.head, d.tail, d.records)
	}
	return d, nil
}

// Len is the number of records on disk.
func (d *Disk) Len() int { return d.records }

// Batches is the number of batches on disk.
func (d *Disk) Batches() int { return int(d.tail - d.head) }

// Append stores ld after the newest batch.
func (d *Disk) Append(ctx context.Context, ld plog.Logs) error {
	n := ld.LogRecordCount()
	value, err := encode(ld, n)
	if err != nil {
		return err
	}
	if err := d.commit(ctx, d.head, d.tail+1, d.records+n, storage.SetOperation(key(d.tail), value)); err != nil {
		return fmt.Errorf("spilling %d records: %w", n, err)
	}
	return nil
}

// Prepend stores batches, oldest first, in front of the oldest batch.
func (d *Disk) Prepend(ctx context.Context, batches []plog.Logs) error {
	if len(batches) == 0 {
		return nil
	}
	ops := make([]*storage.Operation, 0, len(batches)+1)
	head, records := d.head, d.records
	for i := len(batches) - 1; i >= 0; i-- {
		n := batches[i].LogRecordCount()
		value, err := encode(batches[i], n)
		if err != nil {
			return err
		}
		head--
		records += n
		ops = append(ops, storage.SetOperation(key(head), value))
	}
	if err := d.commit(ctx, head, d.tail, records, ops...); err != nil {
		return fmt.Errorf("keeping %d records for the next start: %w", records-d.records, err)
	}
	return nil
}

// PopFront removes up to maxRecords of the oldest records and returns
// them; a batch larger than that is split and its rest stays in front. A
// batch that cannot be decoded is removed and reported as a *LostError
// saying how many records it held.
func (d *Disk) PopFront(ctx context.Context, maxRecords int) (plog.Logs, error) {
	ld, _, err := d.front(ctx, maxRecords, true)
	return ld, err
}

// DropFront discards up to n of the oldest records and returns how many
// it discarded, unreadable batches included.
func (d *Disk) DropFront(ctx context.Context, n int) (int, error) {
	dropped := 0
	for dropped < n && d.head != d.tail {
		_, k, err := d.front(ctx, n-dropped, false)
		var lost *LostError
		switch {
		case errors.As(err, &lost):
			dropped += lost.Records
		case err != nil:
			return dropped, err
		default:
			dropped += k
		}
	}
	return dropped, nil
}

// front removes up to maxRecords from the oldest batch and returns them
// (when keep) and their count.
func (d *Disk) front(ctx context.Context, maxRecords int, keep bool) (plog.Logs, int, error) {
	if d.head == d.tail || maxRecords < 1 {
		return plog.NewLogs(), 0, nil
	}
	k := key(d.head)
	raw, err := d.client.Get(ctx, k)
	if err != nil {
		return plog.Logs{}, 0, fmt.Errorf("reading spilled batch %s: %w", k, err)
	}
	ld, n, decodeErr := decode(raw)
	if decodeErr != nil {
		if err := d.commit(ctx, d.head+1, d.tail, max(d.records-n, 0), storage.DeleteOperation(k)); err != nil {
			return plog.Logs{}, 0, err
		}
		return plog.Logs{}, 0, &LostError{Records: n, Err: fmt.Errorf("spilled batch %s: %w", k, decodeErr)}
	}
	if n <= maxRecords {
		if err := d.commit(ctx, d.head+1, d.tail, d.records-n, storage.DeleteOperation(k)); err != nil {
			return plog.Logs{}, 0, err
		}
		return ld, n, nil
	}
	front := plog.NewLogs()
	if keep {
		front = queue.SplitFront(ld, maxRecords)
	} else {
		queue.DropFront(ld, maxRecords)
	}
	value, err := encode(ld, n-maxRecords)
	if err != nil {
		return plog.Logs{}, 0, err
	}
	if err := d.commit(ctx, d.head, d.tail, d.records-maxRecords, storage.SetOperation(k, value)); err != nil {
		return plog.Logs{}, 0, err
	}
	return front, maxRecords, nil
}

// commit applies ops and the new bookkeeping in one storage batch, and
// adopts the bookkeeping only once the storage has it.
func (d *Disk) commit(ctx context.Context, head, tail uint64, records int, ops ...*storage.Operation) error {
	meta := make([]byte, 24)
	binary.BigEndian.PutUint64(meta[0:], head)
	binary.BigEndian.PutUint64(meta[8:], tail)
	binary.BigEndian.PutUint64(meta[16:], uint64(records))
	if err := d.client.Batch(ctx, append(ops, storage.SetOperation(metaKey, meta))...); err != nil {
		return err
	}
	d.head, d.tail, d.records = head, tail, records
	return nil
}

// LostError is a spilled batch that could not be read back; it has been
// removed.
type LostError struct {
	Records int
	Err     error
}

func (e *LostError) Error() string {
	return fmt.Sprintf("%d spilled records lost: %v", e.Records, e.Err)
}

func (e *LostError) Unwrap() error { return e.Err }

func key(i uint64) string { return fmt.Sprintf("b%016x", i) }

// encode prefixes the OTLP protobuf of ld with its record count, so that
// a batch that no longer decodes can still be counted as lost.
func encode(ld plog.Logs, n int) ([]byte, error) {
	data, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return nil, fmt.Errorf("encoding a batch to spill: %w", err)
	}
	out := make([]byte, 8, 8+len(data))
	binary.BigEndian.PutUint64(out, uint64(n))
	return append(out, data...), nil
}

func decode(raw []byte) (plog.Logs, int, error) {
	if len(raw) < 8 {
		return plog.Logs{}, 0, fmt.Errorf("%d bytes, too short for a batch", len(raw))
	}
	n := int(binary.BigEndian.Uint64(raw))
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(raw[8:])
	if err != nil {
		return plog.Logs{}, n, fmt.Errorf("decoding: %w", err)
	}
	if got := ld.LogRecordCount(); got != n {
		return plog.Logs{}, n, fmt.Errorf("holds %d records, its header says %d", got, n)
	}
	return ld, n, nil
}

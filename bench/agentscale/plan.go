package main

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"time"
)

// plannedOffset mirrors scheduler.Offset in
// receiver/internal/scheduler/slots.go, which this program cannot import
// (it is internal to receiver/). The scheduler plans every probe of a key at
// the Unix epoch plus this offset plus a multiple of the interval; keep the
// two in step. A mismatch shows at once: lateness then spreads uniformly
// over the whole interval instead of sitting near zero.
func plannedOffset(agentID, key string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	sum := sha256.Sum256([]byte(agentID + "\x00" + key))
	hi, _ := bits.Mul64(binary.BigEndian.Uint64(sum[:8]), uint64(interval))
	return time.Duration(hi)
}

// lateness is how long after its planned slot a probe started. A probe never
// starts before its slot and (at these loads) never a whole interval late,
// so the distance past the latest slot at or before the start is the
// lateness.
func lateness(started time.Time, interval, offset time.Duration) time.Duration {
	phase := (started.UnixNano() - int64(offset)) % int64(interval)
	if phase < 0 {
		phase += int64(interval)
	}
	return time.Duration(phase)
}

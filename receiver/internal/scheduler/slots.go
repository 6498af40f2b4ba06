package scheduler

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"time"
)

// Offset is where in each interval an agent probes an endpoint: a hash of
// agent and key mapped uniformly onto [0, interval). Slots are aligned to the
// Unix epoch plus this offset, so the phase is the same after a restart and
// differs between agents and between endpoints, which spreads load on both.
func Offset(agentID, key string, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	// A cryptographic hash because its high bits are uniform even for keys
	// that differ in one trailing character (FNV's are not).
	sum := sha256.Sum256([]byte(agentID + "\x00" + key))
	// The high word of hash*interval is floor(hash/2^64 * interval): uniform
	// over the interval without the bias of a modulo.
	hi, _ := bits.Mul64(binary.BigEndian.Uint64(sum[:8]), uint64(interval))
	return time.Duration(hi)
}

// firstSlot is the first time at or after now that lies offset past a
// multiple of interval since the Unix epoch.
func firstSlot(now time.Time, interval, offset time.Duration) time.Time {
	phase := (now.UnixNano() - int64(offset)) % int64(interval)
	if phase < 0 {
		phase += int64(interval)
	}
	if phase == 0 {
		return now
	}
	return now.Add(interval - time.Duration(phase))
}

// nextSlot is the slot after prev. When now is already past it (a late or
// long probe), the missed slots are skipped except the latest, which runs at
// once: the schedule keeps its phase and never bursts to catch up.
func nextSlot(prev time.Time, interval time.Duration, now time.Time) time.Time {
	next := prev.Add(interval)
	if late := now.Sub(next); late > 0 {
		next = next.Add(late / interval * interval)
	}
	return next
}

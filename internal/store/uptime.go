package store

import (
	"cmp"
	"slices"
	"time"
)

// bucketKey identifies an hourly uptime bucket; agent is empty for the
// endpoint-wide bucket.
type bucketKey struct {
	endpointID int64
	agent      string
	hour       int64 // unix seconds, floored to the hour
}

// bucketSum is what one batch adds to a bucket.
type bucketSum struct {
	total, successful int64
	responseTimeMs    int64
}

// uptimeDelta sums a batch into endpoint-wide and per-agent buckets, so one
// upsert per bucket replaces one per result.
type uptimeDelta struct {
	endpoint map[bucketKey]*bucketSum
	agent    map[bucketKey]*bucketSum
}

func newUptimeDelta() *uptimeDelta {
	return &uptimeDelta{endpoint: map[bucketKey]*bucketSum{}, agent: map[bucketKey]*bucketSum{}}
}

// add counts one result the way Gatus does: hour of the probe's start,
// response time in whole milliseconds.
func (u *uptimeDelta) add(endpointID int64, agent string, ts time.Time, success bool, d time.Duration) {
	hour := ts.Truncate(time.Hour).Unix()
	var ok int64
	if success {
		ok = 1
	}
	for _, k := range []struct {
		m   map[bucketKey]*bucketSum
		key bucketKey
	}{
		{u.endpoint, bucketKey{endpointID, "", hour}},
		{u.agent, bucketKey{endpointID, agent, hour}},
	} {
		s := k.m[k.key]
		if s == nil {
			s = &bucketSum{}
			k.m[k.key] = s
		}
		s.total++
		s.successful += ok
		s.responseTimeMs += d.Milliseconds()
	}
}

type bucketRow struct {
	bucketKey
	bucketSum
}

// sorted returns the buckets of m in a fixed order, so that concurrent
// writers lock rows in the same order and cannot deadlock.
func sorted(m map[bucketKey]*bucketSum) []bucketRow {
	rows := make([]bucketRow, 0, len(m))
	for k, v := range m {
		rows = append(rows, bucketRow{k, *v})
	}
	slices.SortFunc(rows, func(a, b bucketRow) int {
		return cmp.Or(cmp.Compare(a.endpointID, b.endpointID), cmp.Compare(a.agent, b.agent), cmp.Compare(a.hour, b.hour))
	})
	return rows
}

package main

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/resultschema"
)

// sink is the end of the logs pipeline: it reads each result record's
// endpoint key and timestamp (the actual probe start) and keeps the lateness
// against the scheduler's plan. It does no more, so what the process costs is
// the receiver's.
type sink struct {
	interval time.Duration
	offsets  map[string]time.Duration // endpoint key -> planned offset

	mu        sync.Mutex
	first     []time.Duration // each endpoint's first probe: startup shows here
	later     []time.Duration
	seen      map[string]int
	failed    int
	errors    map[string]int // error or failed condition -> count
	unknown   int            // records of keys we did not configure
	firstTime time.Time
}

func newSink(interval time.Duration, offsets map[string]time.Duration) *sink {
	return &sink{interval: interval, offsets: offsets, seen: map[string]int{}, errors: map[string]int{}}
}

func (s *sink) consumer() (consumer.Logs, error) {
	return consumer.NewLogs(s.consume)
}

func (s *sink) consume(_ context.Context, ld plog.Logs) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				s.record(lr)
			}
		}
	}
	return nil
}

func (s *sink) record(lr plog.LogRecord) {
	attrs := lr.Attributes()
	k, _ := attrs.Get(resultschema.AttrEndpointKey)
	key := k.Str()
	off, ok := s.offsets[key]
	if !ok {
		s.unknown++
		return
	}
	started := lr.Timestamp().AsTime()
	if s.firstTime.IsZero() {
		s.firstTime = started
	}
	late := lateness(started, s.interval, off)
	if s.seen[key] == 0 {
		s.first = append(s.first, late)
	} else {
		s.later = append(s.later, late)
	}
	s.seen[key]++
	if ok, _ := attrs.Get(resultschema.AttrSuccess); !ok.Bool() {
		s.failed++
		s.errors[failureReason(lr)]++
	}
}

// failureReason is the first error, else the first failed condition.
func failureReason(lr plog.LogRecord) string {
	if v, ok := lr.Attributes().Get(resultschema.AttrErrors); ok && v.Slice().Len() > 0 {
		return v.Slice().At(0).AsString()
	}
	if v, ok := lr.Attributes().Get(resultschema.AttrConditions); ok {
		for _, c := range v.Slice().All() {
			m := c.Map()
			if ok, _ := m.Get("success"); !ok.Bool() {
				cond, _ := m.Get("condition")
				return "condition " + cond.AsString()
			}
		}
	}
	return "unknown"
}

// summary is a snapshot of what the sink has seen.
type summary struct {
	all, first, later quantiles
	endpointsSeen     int
	failed, unknown   int
	errors            map[string]int
}

func (s *sink) summary() summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return summary{
		all:           quantilesOf(slices.Concat(s.first, s.later)),
		first:         quantilesOf(s.first),
		later:         quantilesOf(s.later),
		endpointsSeen: len(s.seen),
		failed:        s.failed,
		unknown:       s.unknown,
		errors:        maps.Clone(s.errors),
	}
}

// quantiles of a set of latenesses (nearest rank).
type quantiles struct {
	n                        int
	p50, p90, p99, p999, max time.Duration
	over5ms                  int
}

func quantilesOf(d []time.Duration) quantiles {
	if len(d) == 0 {
		return quantiles{}
	}
	d = slices.Clone(d)
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[int(q*float64(len(d)-1)+0.5)] }
	over := len(d) - sortSearch(d, 5*time.Millisecond)
	return quantiles{n: len(d), p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: d[len(d)-1], over5ms: over}
}

// sortSearch is the index of the first value above limit.
func sortSearch(d []time.Duration, limit time.Duration) int {
	i, _ := slices.BinarySearchFunc(d, limit, func(a, b time.Duration) int {
		if a <= b {
			return -1
		}
		return 1
	})
	return i
}

package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/quorate/quorate/bench/internal/benchfmt"
)

// quantiles summarises durations by nearest rank.
type quantiles struct {
	n             int
	p50, p99, max time.Duration
	ok            bool
}

func summarize(ds []time.Duration) quantiles {
	if len(ds) == 0 {
		return quantiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return quantiles{n: len(s), p50: rank(s, 0.50), p99: rank(s, 0.99), max: s[len(s)-1], ok: true}
}

func (q quantiles) String() string {
	if !q.ok {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p99 %s  max %s  (n=%d)", ms(q.p50), ms(q.p99), ms(q.max), q.n)
}

// ms prints a duration in milliseconds with one decimal.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// The bench programs share how they rank and print figures.
var (
	rank      = benchfmt.Rank
	thousands = benchfmt.Thousands
)

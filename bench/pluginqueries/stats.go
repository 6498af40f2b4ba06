package main

import (
	"slices"
	"time"

	"github.com/quorate/quorate/bench/internal/benchfmt"
)

// quantiles summarises durations by nearest rank.
type quantiles struct {
	n             int
	p50, p95, max time.Duration
}

func summarize(ds []time.Duration) quantiles {
	if len(ds) == 0 {
		return quantiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return quantiles{n: len(s), p50: rank(s, 0.50), p95: rank(s, 0.95), max: s[len(s)-1]}
}

// The bench programs share how they rank and print figures.
var (
	rank      = benchfmt.Rank
	thousands = benchfmt.Thousands
)

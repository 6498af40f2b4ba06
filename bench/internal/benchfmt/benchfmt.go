// Package benchfmt holds what the bench programs share to summarise and
// print their figures the same way.
package benchfmt

import (
	"strconv"
	"time"
)

// Rank is the nearest-rank q-quantile of sorted s (q in [0, 1]); s must
// not be empty.
func Rank(s []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(s))+0.999999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Thousands prints n with commas: 1,234,567.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

package benchfmt

import (
	"testing"
	"time"
)

func TestRankIsNearestRank(t *testing.T) {
	s := make([]time.Duration, 100)
	for i := range s {
		s[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0, time.Millisecond}, {0.5, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := Rank(s, c.q); got != c.want {
			t.Errorf("Rank(1..100 ms, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	if got := Rank([]time.Duration{7}, 0.99); got != 7 {
		t.Errorf("Rank of one sample = %v, want 7", got)
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

package agentexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffDoublesUpToMaxAndResets(t *testing.T) {
	b := newBackoff(RetryConfig{InitialInterval: time.Second, MaxInterval: 5 * time.Second})
	var got []time.Duration
	for range 5 {
		got = append(got, b.Next())
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, got)
	b.Reset()
	assert.Equal(t, time.Second, b.Next())
	assert.Equal(t, 5*time.Second, b.Max())
}

func TestBackoffJitterStaysInRange(t *testing.T) {
	tests := []struct {
		name string
		rand float64
		want time.Duration
	}{
		{name: "lowest draw", rand: 0, want: 1500 * time.Millisecond},
		{name: "middle draw", rand: 0.5, want: 2 * time.Second},
		{name: "highest draw is capped at max_interval", rand: 0.999999, want: 2400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackoff(RetryConfig{InitialInterval: 2 * time.Second, MaxInterval: 2400 * time.Millisecond, RandomizationFactor: 0.25})
			b.rand = func() float64 { return tt.rand }
			assert.Equal(t, tt.want, b.Next())
		})
	}
}

package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkWriteResults measures results written per second, for each driver:
//   - enqueue: through Enqueue and the background writer (batches of the
//     default size, default workers), as the quorum processor writes;
//   - write: WriteResults with 10,000 results per call.
//
// The load is 100 endpoints probed by 5 agents, two condition results per
// result, one failure in ten, over the current hour.
func BenchmarkWriteResults(b *testing.B) {
	pool := benchResults(10000)
	for _, dc := range driverCases {
		b.Run(dc.name+"/enqueue", func(b *testing.B) {
			s := open(b, dc.config(b))
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				if err := s.Enqueue(ctx, pool[i%len(pool)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := s.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
		})
		b.Run(dc.name+"/write", func(b *testing.B) {
			s := open(b, dc.config(b))
			ctx := context.Background()
			b.ResetTimer()
			for n := 0; n < b.N; n += len(pool) {
				if err := s.WriteResults(ctx, pool[:min(len(pool), b.N-n)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "results/s")
		})
	}
}

func benchResults(n int) []Result {
	start := time.Now().UTC().Truncate(time.Hour)
	rs := make([]Result, n)
	for k := range rs {
		rs[k] = probe(fmt.Sprintf("bench_ep-%d", k%100), fmt.Sprintf("agent-%d", (k/100)%5),
			start.Add(time.Duration(k)*time.Millisecond), k%10 != 0, time.Duration(k%300)*time.Millisecond)
	}
	return rs
}

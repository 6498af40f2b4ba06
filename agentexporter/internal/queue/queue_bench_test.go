package queue

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// batches hands out prebuilt batches, building the next chunk with the
// timer stopped: pushing transfers ownership, so a batch cannot be reused,
// and stopping the timer on every iteration would cost more than a push.
type batches struct {
	b       *testing.B
	perPush int
	next    int
	buf     []plog.Logs
}

func (s *batches) get() plog.Logs {
	if len(s.buf) == 0 {
		s.b.StopTimer()
		for range 4096 {
			s.buf = append(s.buf, batch(s.next, s.perPush, s.perPush, s.perPush))
			s.next += s.perPush
		}
		s.b.StartTimer()
	}
	ld := s.buf[0]
	s.buf = s.buf[1:]
	return ld
}

// BenchmarkPushTake measures the queue alone: batches of perPush records
// (the probe receiver emits one per probe) pushed, then taken and
// acknowledged 1000 records at a time (the default max_batch_size).
// Reported as records/s through the queue.
func BenchmarkPushTake(b *testing.B) {
	for _, tc := range []struct {
		name    string
		perPush int
	}{{"records_per_push=1", 1}, {"records_per_push=100", 100}} {
		b.Run(tc.name, func(b *testing.B) {
			q, err := New(100000)
			if err != nil {
				b.Fatal(err)
			}
			src := &batches{b: b, perPush: tc.perPush}
			records := 0
			for b.Loop() {
				q.Push(src.get())
				records += tc.perPush
				if q.Len() >= 1000 {
					for {
						_, n := q.Take(1000)
						if n == 0 {
							break
						}
						q.Ack()
					}
				}
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkPushOverflow measures one-record pushes into a full queue, each
// dropping the oldest record.
func BenchmarkPushOverflow(b *testing.B) {
	q, err := New(10000)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		q.Push(single(i))
	}
	src := &batches{b: b, perPush: 1, next: 10000}
	records := 0
	for b.Loop() {
		if q.Push(src.get()) != 1 {
			b.Fatal("expected exactly one record dropped")
		}
		records++
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"
)

// figures are the process measurements taken at the end of the window.
type figures struct {
	startup, shutdown, wall, cpu time.Duration
	rss, peakRSS                 uint64
	heapInUse, peakHeapInUse     uint64
	goroutines                   int
	goMem                        goMemory
	runqWait                     time.Duration
	loadBefore, loadAfter        string
}

// aimJitter and aimRSS are issue 2's targets for 10,000 endpoints; "200 MB"
// is read strictly, as 200e6 bytes (190.7 MiB).
const (
	aimJitter = 5 * time.Millisecond
	aimRSS    = 200e6
)

func report(w io.Writer, o options, s summary, f figures) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("endpoints            %d HTTP, 3 conditions, interval %s, max_concurrent_probes %d", o.endpoints, o.interval, o.maxConcurrent)
	p("window               %s (receiver Start took %s, Shutdown %s); %s, GOMAXPROCS %d, GOGC %s, GOMEMLIMIT %s",
		f.wall.Round(time.Millisecond), f.startup.Round(time.Millisecond), f.shutdown.Round(time.Millisecond),
		runtime.Version(), runtime.GOMAXPROCS(0), envOr("GOGC", "100"), envOr("GOMEMLIMIT", "unset"))
	p("results              %d from %d endpoints (%.1f/s), failed %d, unknown %d", s.all.n, s.endpointsSeen, float64(s.all.n)/f.wall.Seconds(), s.failed, s.unknown)
	p("lateness all         %s", s.all)
	p("lateness first probe %s", s.first)
	p("lateness later       %s", s.later)
	p("cpu                  %s user+sys, %.1f µs per result, %.1f%% of one core",
		f.cpu.Round(time.Millisecond), perResult(f.cpu, s.all.n), 100*f.cpu.Seconds()/f.wall.Seconds())
	p("machine              %d CPUs, load average %s at start, %s at end; our threads waited %s for a CPU while runnable",
		runtime.NumCPU(), f.loadBefore, f.loadAfter, f.runqWait.Round(time.Millisecond))
	p("rss                  %.1f MiB now, %.1f MiB (%.1f MB) peak (VmHWM)", mib(f.rss), mib(f.peakRSS), float64(f.peakRSS)/1e6)
	p("go heap in use       %.1f MiB now, %.1f MiB peak sampled; %d goroutines", mib(f.heapInUse), mib(f.peakHeapInUse), f.goroutines)
	p("go memory            %s", f.goMem)
	if s.all.n > 0 && s.all.p50 > o.interval/4 {
		p("WARNING              median lateness %s is a sizeable part of the interval: plannedOffset (plan.go) is likely out of step with receiver/internal/scheduler/slots.go", us(s.all.p50))
	}
	p("aim                  p99 jitter %s <= %s: %s; peak RSS %.1f MB <= %.0f MB: %s",
		us(s.all.p99), aimJitter, verdict(s.all.p99 <= aimJitter), float64(f.peakRSS)/1e6, aimRSS/1e6, verdict(f.peakRSS <= aimRSS))
	type reason struct {
		text string
		n    int
	}
	var reasons []reason
	for t, n := range s.errors {
		reasons = append(reasons, reason{t, n})
	}
	slices.SortFunc(reasons, func(a, b reason) int { return cmp.Compare(b.n, a.n) })
	for i, r := range reasons {
		if i == 5 {
			p("failure              ... %d more reasons", len(reasons)-5)
			break
		}
		p("failure              %6d × %s", r.n, r.text)
	}
}

func envOr(name, unset string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return unset
}

func (q quantiles) String() string {
	if q.n == 0 {
		return "n=0"
	}
	return fmt.Sprintf("p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%d, %d over 5ms)",
		us(q.p50), us(q.p90), us(q.p99), us(q.p999), us(q.max), q.n, q.over5ms)
}

func us(d time.Duration) string { return d.Round(time.Microsecond).String() }

func perResult(cpu time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(n)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

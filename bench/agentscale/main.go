// Command agentscale measures one agent probing many endpoints: the real
// `probe` receiver, built through its factory, probes N HTTP endpoints of a
// loopback JSON target with three conditions each, and this program reports
// the scheduling jitter (actual probe start minus the scheduler's planned
// slot), results per second, CPU, RSS and Go heap.
//
//	go run ./bench/agentscale -target http://127.0.0.1:8080/health
//
// bench/agentscale.sh runs it against a demotarget in its own process, so the
// RSS reported here is the receiver's alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/quorate/quorate/internal/demotarget"
	"github.com/quorate/quorate/receiver"
)

type options struct {
	endpoints     int
	interval      time.Duration
	duration      time.Duration
	target        string
	agentID       string
	maxConcurrent int
	cpuProfile    string
	memProfile    string
}

func main() {
	var o options
	flag.IntVar(&o.endpoints, "endpoints", 10000, "HTTP endpoints on the one agent")
	flag.DurationVar(&o.interval, "interval", 60*time.Second, "probe interval of every endpoint")
	flag.DurationVar(&o.duration, "duration", 150*time.Second, "how long to probe (2.5 intervals probes every endpoint at least twice)")
	flag.StringVar(&o.target, "target", "", "loopback URL of a JSON health target; empty serves demotarget in this process")
	flag.StringVar(&o.agentID, "agent-id", "bench", "agent_id of the receiver (seeds the start offsets)")
	flag.IntVar(&o.maxConcurrent, "max-concurrent", receiver.DefaultMaxConcurrentProbes, "max_concurrent_probes of the receiver")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the probing window to this file")
	flag.StringVar(&o.memProfile, "memprofile", "", "write a heap profile at the end of the probing window to this file")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "agentscale:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.endpoints < 1 || o.interval <= 0 || o.duration <= 0 {
		return errors.New("-endpoints, -interval and -duration must be positive")
	}
	base, stopTarget, err := target(o.target)
	if err != nil {
		return err
	}
	defer stopTarget()

	factory := receiver.NewFactory()
	cfg := factory.CreateDefaultConfig().(*receiver.Config)
	cfg.AgentID = o.agentID
	cfg.MaxConcurrentProbes = o.maxConcurrent
	offsets := make(map[string]time.Duration, o.endpoints)
	for i := range o.endpoints {
		ep := receiver.EndpointConfig{
			Name:     fmt.Sprintf("endpoint-%05d", i),
			Group:    "agentscale",
			URL:      fmt.Sprintf("%s?i=%d", base, i),
			Interval: o.interval,
			Conditions: []string{
				"[STATUS] == 200",
				"[BODY].status == UP",
				"[RESPONSE_TIME] < 300",
			},
		}
		offsets[ep.Endpoint().Key()] = plannedOffset(o.agentID, ep.Endpoint().Key(), o.interval)
		cfg.Endpoints = append(cfg.Endpoints, ep)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("receiver config: %w", err)
	}

	results := newSink(o.interval, offsets)
	next, err := results.consumer()
	if err != nil {
		return err
	}
	ctx := context.Background()
	rcv, err := factory.CreateLogs(ctx, receivertest.NewNopSettings(factory.Type()), cfg, next)
	if err != nil {
		return fmt.Errorf("creating the probe receiver: %w", err)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}

	fmt.Fprintf(os.Stderr, "agentscale: %d endpoints every %s against %s for %s\n", o.endpoints, o.interval, base, o.duration)
	load0, wait0 := loadAverage(), runQueueWait()
	cpu0, wall0 := cpuTime(), time.Now()
	if err := rcv.Start(ctx, componenttest.NewNopHost()); err != nil {
		return fmt.Errorf("starting the probe receiver: %w", err)
	}
	startup := time.Since(wall0)
	peakHeap := watch(o.duration, results)
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	runqWait, load1 := runQueueWait()-wait0, loadAverage()
	mem, memErr := readMemStatus()
	heapNow, goMem := heapInUse(), readGoMemory()
	if o.memProfile != "" {
		if err := writeHeapProfile(o.memProfile); err != nil {
			return err
		}
	}
	stopAt := time.Now()
	if err := rcv.Shutdown(ctx); err != nil {
		return fmt.Errorf("stopping the probe receiver: %w", err)
	}
	shutdown := time.Since(stopAt)
	if memErr != nil {
		return memErr
	}
	report(os.Stdout, o, results.summary(), figures{
		startup: startup, shutdown: shutdown, wall: wall, cpu: cpu,
		rss: mem.rss, peakRSS: mem.peakRSS, heapInUse: heapNow, peakHeapInUse: peakHeap,
		goroutines: runtime.NumGoroutine(), goMem: goMem,
		runqWait: runqWait, loadBefore: load0, loadAfter: load1,
	})
	return nil
}

// target is the base URL to probe. With no URL it serves demotarget on a
// free loopback port in this process. Anything but loopback is refused.
func target(raw string) (string, func(), error) {
	if raw == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", nil, fmt.Errorf("serving the demo target: %w", err)
		}
		srv := &http.Server{Handler: demotarget.New(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		return "http://" + ln.Addr().String() + "/health", func() { _ = srv.Close() }, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("-target %q: %w", raw, err)
	}
	if ip := net.ParseIP(u.Hostname()); u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
		return "", nil, fmt.Errorf("-target %q must be an http URL on a loopback IP, e.g. http://127.0.0.1:8080/health", raw)
	}
	return raw, func() {}, nil
}

// watch waits out the probing window, printing progress, and returns the
// highest Go heap in use it sampled. It reads runtime/metrics, which does not
// stop the world, so sampling does not add jitter of its own.
func watch(d time.Duration, results *sink) uint64 {
	end := time.Now().Add(d)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var peak uint64
	lastReport := time.Now()
	for now := range tick.C {
		peak = max(peak, heapInUse())
		if now.Sub(lastReport) >= 15*time.Second {
			lastReport = now
			s := results.summary()
			m, _ := readMemStatus()
			fmt.Fprintf(os.Stderr, "agentscale: %3.0fs  results %6d  p99 %-10s  RSS %.1f MiB\n",
				time.Until(end).Seconds()*-1+d.Seconds(), s.all.n, s.all.p99, mib(m.rss))
		}
		if !now.Before(end) {
			return peak
		}
	}
	return peak
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-memprofile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("-memprofile %s: %w", path, err)
	}
	return nil
}

package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// loadFlags configure one load run against a running central.
type loadFlags struct {
	otlp, metrics string // base URLs
	agents        int
	endpoints     int
	perBody       int
	pool          int
	inflight      int
	failRatio     float64
	rate          float64 // results/s over all agents; 0: as fast as accepted
	duration      time.Duration
	markerEvery   time.Duration
	poll          time.Duration
	drainTimeout  time.Duration
	db            database
	centralPID    int
	pgDB          string
	out           string
}

// agent is one simulated agent: its bodies, its marker state and its pacing.
type agent struct {
	id, token string
	bodies    bodies
	next      atomic.Uint64 // round robin over bodies.bulk

	markerDue  chan struct{} // holds a token when a worker should send the marker body
	markerBusy atomic.Bool   // a marker is on its way: at most one per agent
	markerSeq  int64         // the last marker sent; only the worker holding markerDue's token touches it

	paced chan struct{} // rate mode: one token per request to send
}

// tally is what the workers saw; merged after the run.
type tally struct {
	requests int64
	accepted int64 // results in requests answered 200
	statuses map[int]int64
	failures map[string]int64 // transport errors by message
	latency  []time.Duration  // of every request answered 200
	behind   int64            // rate mode: sends the pacer could not start
}

func (t *tally) merge(o *tally) {
	t.requests += o.requests
	t.accepted += o.accepted
	t.behind += o.behind
	for k, v := range o.statuses {
		t.statuses[k] += v
	}
	for k, v := range o.failures {
		t.failures[k] += v
	}
	t.latency = append(t.latency, o.latency...)
}

func newTally() *tally {
	return &tally{statuses: map[int]int64{}, failures: map[string]int64{}}
}

func parseLoadFlags(args []string) (loadFlags, error) {
	var f loadFlags
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&f.otlp, "otlp", "", "base URL of the central's OTLP/HTTP receiver, e.g. http://127.0.0.1:4318")
	fs.StringVar(&f.metrics, "metrics", "", "base URL of the central's Prometheus metrics, e.g. http://127.0.0.1:9464")
	fs.IntVar(&f.agents, "agents", 5, "agents, as passed to setup")
	fs.IntVar(&f.endpoints, "endpoints", 1000, "endpoints, as passed to setup")
	fs.IntVar(&f.perBody, "batch", 500, "results per request")
	fs.IntVar(&f.pool, "bodies", 16, "distinct pre-encoded request bodies per agent")
	fs.IntVar(&f.inflight, "inflight", 4, "requests in flight per agent (closed loop: enough to keep the central busy)")
	fs.Float64Var(&f.failRatio, "fail", 0.3, "share of failed results")
	fs.Float64Var(&f.rate, "rate", 0, "results per second over all agents (0: closed loop, as fast as the central answers)")
	fs.DurationVar(&f.duration, "duration", time.Minute, "how long to send")
	fs.DurationVar(&f.markerEvery, "marker-every", time.Second, "per agent, how often a request carries a marker result (0: never)")
	fs.DurationVar(&f.poll, "poll", 2*time.Millisecond, "pause between metrics scrapes while a marker is pending")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", 2*time.Minute, "how long to wait for the store to hold every accepted result")
	fs.StringVar(&f.db.driver, "driver", "postgres", "storage driver of the central: postgres or sqlite")
	fs.StringVar(&f.db.dsn, "dsn", "", "PostgreSQL DSN (driver postgres)")
	fs.StringVar(&f.db.path, "db", "", "SQLite file (driver sqlite)")
	fs.IntVar(&f.centralPID, "central-pid", 0, "pid of the central, for its CPU time (0: not reported)")
	fs.StringVar(&f.pgDB, "pg-db", "", "PostgreSQL database name, for the CPU time of its backends")
	fs.StringVar(&f.out, "out", "", "file to write accepted_results=N into")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch {
	case f.otlp == "" || f.metrics == "":
		return f, errors.New("load: -otlp and -metrics are required")
	case f.agents < 1 || f.endpoints < 1 || f.inflight < 1 || f.pool < 1:
		return f, errors.New("load: -agents, -endpoints, -inflight and -bodies must be at least 1")
	case f.perBody < 2:
		return f, errors.New("load: -batch must be at least 2 (a marker body holds one bulk result too)")
	case f.failRatio < 0 || f.failRatio > 1:
		return f, fmt.Errorf("load: -fail %v must be within [0, 1]", f.failRatio)
	case f.rate < 0 || f.markerEvery < 0 || f.duration <= 0 || f.poll <= 0:
		return f, errors.New("load: -rate and -marker-every must not be negative; -duration and -poll must be positive")
	}
	return f, nil
}

func runLoad(args []string) error {
	f, err := parseLoadFlags(args)
	if err != nil {
		return err
	}
	bulk, marker := benchEndpoints(f.endpoints)
	agents := make([]*agent, f.agents)
	for i := range agents {
		b, err := buildBodies(bodySpec{agent: agentID(i), endpoints: bulk, perBody: f.perBody, pool: f.pool,
			failRatio: f.failRatio, seed: uint64(i + 1)}, marker)
		if err != nil {
			return err
		}
		agents[i] = &agent{id: agentID(i), token: agentToken(i), bodies: b,
			markerDue: make(chan struct{}, 1), paced: make(chan struct{}, 1)}
	}
	mode := "closed loop"
	if f.rate > 0 {
		mode = fmt.Sprintf("paced at %s results/s", thousands(int64(f.rate)))
	}
	fmt.Printf("# load: %d agents x %d in flight, %d results per request (%d KiB), %.0f%% failures, %s, %s\n",
		f.agents, f.inflight, f.perBody, len(agents[0].bodies.bulk[0])/1024, f.failRatio*100, mode, f.duration)
	fmt.Printf("# load average before: %s\n", loadAverage())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: f.agents*f.inflight + 1,
		DisableCompression:  true,
	}}
	pl := newPoller(f.metrics, f.poll, 4*f.agents)
	go pl.run(ctx)

	stop := make(chan struct{})
	var accepted atomic.Int64
	total := newTally()
	var mu sync.Mutex
	var wg sync.WaitGroup
	commitsBefore, _ := f.db.commits(ctx, f.pgDB)
	before := sampleCPU(f.centralPID, f.pgDB)
	begin := time.Now()
	for _, a := range agents {
		if f.markerEvery > 0 {
			wg.Go(func() { a.markers(stop, f.markerEvery) })
		}
		if f.rate > 0 {
			interval := time.Duration(float64(time.Second) * float64(f.perBody*f.agents) / f.rate)
			wg.Go(func() {
				t := a.pace(stop, interval)
				mu.Lock()
				total.merge(t)
				mu.Unlock()
			})
		}
		for range f.inflight {
			wg.Go(func() {
				t := a.work(ctx, client, f, pl, stop, &accepted)
				mu.Lock()
				total.merge(t)
				mu.Unlock()
			})
		}
	}
	go progress(stop, begin, &accepted)
	time.Sleep(f.duration)
	close(stop)
	wg.Wait()
	end := time.Now()
	after := sampleCPU(f.centralPID, f.pgDB)
	close(pl.stop)
	<-pl.done
	window := end.Sub(begin)

	// The store writes in the background: wait until it holds every
	// accepted result, which gives the rate at which results got into it.
	stored, storedAt, drainErr := waitStored(ctx, f.db, total.accepted, f.drainTimeout)
	var commits int64
	if f.pgDB != "" {
		time.Sleep(time.Second) // backends publish their statistics within a second
		if n, err := f.db.commits(ctx, f.pgDB); err == nil {
			commits = n - commitsBefore
		}
	}

	report(f, total, window, begin, stored, storedAt, drainErr, pl, before, after, commits)
	if f.out != "" {
		if err := os.WriteFile(f.out, fmt.Appendf(nil, "accepted_results=%d\n", total.accepted), 0o644); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if drainErr != nil {
		return drainErr
	}
	return nil
}

// markers offers the marker body every interval, unless the previous
// marker is still on its way.
func (a *agent) markers(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if a.markerBusy.CompareAndSwap(false, true) {
				a.markerDue <- struct{}{} // cannot block: busy admits one
			}
		}
	}
}

// pace hands out one send per interval; a send no worker is free to take
// is counted as behind, not queued, so the run shows when the central could
// not keep up with the rate.
func (a *agent) pace(stop <-chan struct{}, interval time.Duration) *tally {
	t := newTally()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return t
		case <-tick.C:
			select {
			case a.paced <- struct{}{}:
			default:
				t.behind++
			}
		}
	}
}

// work sends requests until stop: the next bulk body, or the marker body
// when one is due.
func (a *agent) work(ctx context.Context, client *http.Client, f loadFlags, pl *poller, stop <-chan struct{}, accepted *atomic.Int64) *tally {
	t := newTally()
	url := f.otlp + "/v1/logs"
	for {
		if f.rate > 0 {
			select {
			case <-stop:
				return t
			case <-a.paced:
			}
		} else {
			select {
			case <-stop:
				return t
			default:
			}
		}
		body := a.bodies.bulk[a.next.Add(1)%uint64(len(a.bodies.bulk))]
		var m *pendingMarker
		select {
		case <-a.markerDue:
			a.markerSeq++
			b, err := a.bodies.markerBody(a.markerSeq)
			if err != nil {
				t.failures[shorten(err.Error())]++
				a.markerBusy.Store(false)
				continue
			}
			body = b
			m = &pendingMarker{agent: a.id, want: float64(a.markerSeq)}
		default:
		}
		start := time.Now()
		if m != nil {
			m.start = start
			pl.add <- m
		}
		status, err := post(ctx, client, url, a.token, body)
		elapsed := time.Since(start)
		t.requests++
		switch {
		case err != nil:
			t.failures[shorten(err.Error())]++
		default:
			t.statuses[status]++
		}
		if status == http.StatusOK {
			t.accepted += int64(a.bodies.perBody)
			accepted.Add(int64(a.bodies.perBody))
			t.latency = append(t.latency, elapsed)
		}
		if m != nil {
			if status != http.StatusOK {
				m.abandoned.Store(true)
			}
			a.markerBusy.Store(false)
		}
	}
}

// post sends one OTLP/HTTP protobuf export request as an agent does.
func post(ctx context.Context, client *http.Client, url, token string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, err
}

// shorten keeps error messages groupable: the first 120 bytes.
func shorten(s string) string {
	if len(s) > 120 {
		return s[:120]
	}
	return s
}

// progress prints the accepted rate every 10 s to stderr.
func progress(stop <-chan struct{}, begin time.Time, accepted *atomic.Int64) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	last, lastAt := int64(0), begin
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			n := accepted.Load()
			fmt.Fprintf(os.Stderr, "# %3.0fs: %s results accepted, %s/s over the last %.0fs; load average %s\n",
				now.Sub(begin).Seconds(), thousands(n), thousands(int64(float64(n-last)/now.Sub(lastAt).Seconds())),
				now.Sub(lastAt).Seconds(), loadAverage())
			last, lastAt = n, now
		}
	}
}

// waitStored polls the result count until it reaches want and returns the
// count and when it was seen.
func waitStored(ctx context.Context, db database, want int64, timeout time.Duration) (int64, time.Time, error) {
	deadline := time.Now().Add(timeout)
	var last int64
	for {
		c, err := db.count(ctx, false)
		now := time.Now()
		if err != nil {
			return last, now, fmt.Errorf("count stored results: %w", err)
		}
		last = c.results
		if last >= want {
			return last, now, nil
		}
		if now.After(deadline) {
			return last, now, fmt.Errorf("after %s the store holds %d results of the %d accepted", timeout, last, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
)

// gate is a batch writer that records every batch and, until release,
// holds each write.
type gate struct {
	mu      sync.Mutex
	batches [][]string // agent ids of each batch's results
	flushes int
	hold    chan struct{} // nil: write at once
	entered chan struct{} // a write began to wait
	fail    error
}

func closedGate() *gate {
	return &gate{hold: make(chan struct{}), entered: make(chan struct{}, 10)}
}

// release lets the held write and every later one through.
func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.hold)
	g.hold = nil
}

func (g *gate) write(_ context.Context, b *store.Batch) error {
	g.mu.Lock()
	hold := g.hold
	g.mu.Unlock()
	if hold != nil {
		g.entered <- struct{}{}
		<-hold
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var agents []string
	for _, r := range b.Results {
		agents = append(agents, r.AgentID)
	}
	g.batches = append(g.batches, agents)
	if b.FlushUptimes {
		g.flushes++
	}
	return g.fail
}

func (g *gate) written() [][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([][]string(nil), g.batches...)
}

func plainAssemble(cs []*commit, _ *store.Batch) (*store.Batch, func(error)) {
	b := &store.Batch{}
	for _, cm := range cs {
		b.Results = append(b.Results, cm.results...)
		b.FlushUptimes = b.FlushUptimes || cm.all
	}
	return b, func(error) {}
}

func resultsOf(agent string, n int) []store.Result {
	rs := make([]store.Result, n)
	for i := range rs {
		rs[i] = store.Result{EndpointKey: "k", AgentID: agent}
	}
	return rs
}

// pendingCount is how many commits wait for a transaction.
func (c *committer) pendingCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

func waitPending(t *testing.T, c *committer, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d pending commits", n), func() bool { return c.pendingCount() == n })
}

func TestCommitterGroupsWhatArrivesDuringAWrite(t *testing.T) {
	g := closedGate()
	c := newCommitter(1, 100, plainAssemble, g.write)
	defer c.close()

	errs := make(chan error, 10)
	go func() { errs <- c.submit(context.Background(), &commit{results: resultsOf("first", 1)}) }()
	<-g.entered // the first transaction is being written
	for _, agent := range []string{"a", "b", "c", "d"} {
		go func() { errs <- c.submit(context.Background(), &commit{results: resultsOf(agent, 2)}) }()
	}
	waitPending(t, c, 4)
	g.release()
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	got := g.written()
	if len(got) != 2 || len(got[0]) != 1 || len(got[1]) != 8 {
		t.Fatalf("batches %q, want the first alone, then the four others in one transaction", got)
	}
}

func TestCommitterBoundsTheResultsOfATransaction(t *testing.T) {
	g := closedGate()
	c := newCommitter(1, 5, plainAssemble, g.write)
	defer c.close()

	errs := make(chan error, 10)
	go func() { errs <- c.submit(context.Background(), &commit{results: resultsOf("first", 1)}) }()
	<-g.entered
	// Submitted one after the other, so the order is known.
	for i, n := range []int{3, 2, 4, 9} {
		go func() { errs <- c.submit(context.Background(), &commit{results: resultsOf(fmt.Sprint(i), n)}) }()
		waitPending(t, c, i+1)
	}
	g.release()
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	for _, b := range g.written() {
		sizes = append(sizes, len(b))
	}
	// 3+2 fill the first; 4 alone (4+9 > 5); 9 alone although over the bound.
	if fmt.Sprint(sizes) != "[1 5 4 9]" {
		t.Fatalf("transaction sizes %v, want [1 5 4 9]", sizes)
	}
}

func TestCommitterWithdrawsACommitWhoseCallerGaveUpBeforeItsTransaction(t *testing.T) {
	g := closedGate()
	c := newCommitter(1, 100, plainAssemble, g.write)
	defer c.close()

	first := make(chan error, 1)
	go func() { first <- c.submit(context.Background(), &commit{results: resultsOf("first", 1)}) }()
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- c.submit(ctx, &commit{results: resultsOf("impatient", 1)}) }()
	waitPending(t, c, 1)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("submit after its caller gave up: %v, want context.Canceled", err)
	}
	g.release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := c.submit(context.Background(), &commit{results: resultsOf("later", 1)}); err != nil {
		t.Fatal(err)
	}
	if got := g.written(); fmt.Sprint(got) != "[[first] [later]]" {
		t.Fatalf("batches %q: the withdrawn results were written", got)
	}
}

func TestCommitterReportsTheWriteErrorToEveryCallerAndCloseDrains(t *testing.T) {
	g := &gate{fail: errors.New("disk full")}
	c := newCommitter(1, 100, plainAssemble, g.write)
	if err := c.submit(context.Background(), &commit{results: resultsOf("a", 1)}); err == nil || err.Error() != "disk full" {
		t.Fatalf("submit: %v, want the write's error", err)
	}
	g.mu.Lock()
	g.fail = nil
	g.mu.Unlock()
	if err := c.submit(context.Background(), &commit{all: true}); err != nil {
		t.Fatal(err)
	}
	c.close()
	if err := c.submit(context.Background(), &commit{results: resultsOf("b", 1)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("submit after close: %v, want ErrClosed", err)
	}
	if g.flushes != 1 {
		t.Fatalf("%d uptime flushes, want 1", g.flushes)
	}
}

// TestConcurrentIngestStoresEveryResultOnceAndSavesStateFirst has three
// agents send many requests at once: every accepted result is stored once,
// every transition delivered is stored, and stored before it is delivered.
func TestConcurrentIngestStoresEveryResultOnceAndSavesStateFirst(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		var (
			mu        sync.Mutex
			delivered int      // fired transitions delivered so far
			early     []string // fired transitions delivered before stored
		)
		h.eng.Subscribe(func(_ context.Context, ts []Transition) {
			for _, tr := range ts {
				if tr.Kind.String() != "fired" {
					continue
				}
				// Every fired transition delivered so far has been
				// delivered after its commit, this one included.
				mu.Lock()
				delivered++
				want := delivered
				mu.Unlock()
				evs, err := h.eng.Store().ListEvents(context.Background(), store.EventFilter{Types: []store.EventType{store.EventFired}})
				if err != nil || len(evs) < want {
					mu.Lock()
					early = append(early, fmt.Sprintf("fired #%d: %d stored (%v)", want, len(evs), err))
					mu.Unlock()
				}
			}
		})
		const requests, perRequest = 20, 10
		var wg sync.WaitGroup
		for _, agent := range allAgent {
			for r := range requests {
				wg.Go(func() {
					batch := make([]resultschema.Decoded, perRequest)
					for i := range batch {
						// us and eu fail but for every seventh request: the
						// alert fires, and may resolve and fire again.
						batch[i] = decoded(agent, keyAPI, agent == "ap" || r%7 == 6, t0)
					}
					res, err := h.eng.Ingest(context.Background(), agent, batch)
					if err != nil || res.Accepted != perRequest {
						t.Errorf("ingest of %s: %+v, %v", agent, res, err)
					}
				})
			}
		}
		wg.Wait()
		if n := h.countResults(store.ResultFilter{}); n != 3*requests*perRequest {
			t.Fatalf("%d results stored, want %d", n, 3*requests*perRequest)
		}
		if stored, got := len(h.events()), len(h.rec.next()); stored != got {
			t.Fatalf("%d events stored, %d transitions delivered", stored, got)
		}
		mu.Lock()
		defer mu.Unlock()
		if delivered == 0 {
			t.Fatal("the alert never fired")
		}
		if len(early) > 0 {
			t.Fatalf("transitions delivered before they were stored: %v", early)
		}
		// The stored quorum state is the machine's, whichever transaction
		// committed last.
		if q, st := storedQuorum(t, h, keyAPI), alertStatus(t, h, keyAPI); q.Firing != st.Firing || q.TriggeredCount != st.Triggered {
			t.Fatalf("stored quorum state %+v, machine %+v", q, st)
		}
	})
}

func TestTickWritesTheUptimeOfTheResultsSinceTheLastTick(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, allOK, allAgent...)
		h.round(keyAPI, euFails, allAgent...)
		buckets := func() []store.UptimeBucket {
			t.Helper()
			got, err := h.eng.Store().UptimeBuckets(context.Background(), store.UptimeFilter{EndpointKey: keyAPI})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if got := buckets(); len(got) != 0 {
			t.Fatalf("uptime before a tick: %+v, want none yet", got)
		}
		h.tick(t0.Add(time.Second))
		if got := buckets(); len(got) != 1 || got[0].Total != 6 || got[0].Successful != 5 {
			t.Fatalf("uptime after a tick: %+v, want one bucket of 6 results, 5 successful", got)
		}
		// What came after the last tick is written on Close.
		h.round(keyAPI, allOK, allAgent...)
		h.restart()
		if got := buckets(); len(got) != 1 || got[0].Total != 9 || got[0].Successful != 8 {
			t.Fatalf("uptime after a restart: %+v, want 9 results, 8 successful", got)
		}
	})
}

func TestTriggeredRunsAreStoredWithTheTransitionWithoutATick(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")
		// A crash now must restore eu and us triggered, or the restored
		// alert would resolve at once.
		runs, err := h.eng.Store().LoadAgentRuns(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		triggered := map[string]bool{}
		for _, r := range runs {
			if r.EndpointKey == keyAPI && r.Triggered {
				triggered[r.AgentID] = true
			}
		}
		if !triggered["eu"] || !triggered["us"] || len(triggered) != 2 {
			t.Fatalf("stored triggered runs of core_api: %v, want eu and us", triggered)
		}
	})
}

package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/auth"
)

func TestIngestRejectsWhatTheAgentMayNotReport(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		batch := []resultschema.Decoded{
			decoded("eu", keyAPI, true, t0),          // accepted
			decoded("us", keyAPI, false, t0),         // eu sends a result in us's name
			decoded("eu", keyQuiet, false, t0),       // only ap monitors quiet
			decoded("eu", "core_nothing", false, t0), // no such endpoint
			decoded("eu", keyWeb, true, t0),          // accepted
		}
		res, err := h.eng.Ingest(context.Background(), "eu", batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"", ReasonAgentMismatch, ReasonNotAssigned, ReasonUnknownEndpoint, ""}
		if strings.Join(res.Reasons, ",") != strings.Join(want, ",") {
			t.Fatalf("reasons %q, want %q", res.Reasons, want)
		}
		if res.Accepted != 2 || res.Rejected[ReasonAgentMismatch] != 1 || res.Rejected[ReasonNotAssigned] != 1 || res.Rejected[ReasonUnknownEndpoint] != 1 {
			t.Fatalf("result %+v, want 2 accepted and one of each reason", res)
		}

		if n := h.countResults(store.ResultFilter{}); n != 2 {
			t.Fatalf("%d results stored, want only the 2 accepted", n)
		}
		if n := h.countResults(store.ResultFilter{AgentID: "us"}); n != 0 {
			t.Fatalf("%d results stored under us, want 0", n)
		}
		if n := h.countResults(store.ResultFilter{EndpointKey: keyQuiet}); n != 0 {
			t.Fatalf("%d results stored for the unassigned endpoint, want 0", n)
		}
		reg := h.eng.Metrics().Registry()
		for _, reason := range []string{ReasonAgentMismatch, ReasonNotAssigned, ReasonUnknownEndpoint} {
			if got := metricValue(t, reg, "quorate_results_rejected_total", map[string]string{"agent_id": "eu", "reason": reason}); got != 1 {
				t.Errorf("rejected{eu,%s} = %v, want 1", reason, got)
			}
		}
		if got := metricValue(t, reg, "quorate_results_total", map[string]string{"endpoint_key": keyAPI, "agent_id": "eu", "success": "true"}); got != 1 {
			t.Errorf("results_total{core_api,eu,true} = %v, want 1", got)
		}
		// Rejected results never reach the quorum.
		for _, st := range h.eng.Endpoints() {
			for _, r := range st.Agents {
				if r.AgentID == "us" && r.Observed() {
					t.Fatalf("us has runs on %s from a result eu sent", st.Key)
				}
			}
		}
	})
}

func TestAuthenticateIdentifiesAndRateLimits(t *testing.T) {
	h := newHarness(t, driverCases[0])
	if _, err := h.eng.Authenticate(map[string][]string{"Authorization": {"Bearer wrong"}}); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("unknown token: %v, want ErrUnauthenticated", err)
	}
	if _, err := h.eng.Authenticate(nil); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("no token: %v, want ErrUnauthenticated", err)
	}
	// gRPC metadata keys are lower case.
	a, err := h.eng.Authenticate(map[string][]string{"authorization": {"Bearer tok-us"}})
	if err != nil || a.AgentID() != "us" || a.GetAttribute(AttrAgentID) != "us" {
		t.Fatalf("tok-us: %v %+v, want agent us", err, a)
	}
	// The default rate is 50/s with a burst of 50; the clock stands still.
	limited := 0
	for range 60 {
		a, err := h.eng.Authenticate(map[string][]string{"Authorization": {"Bearer tok-eu"}})
		if err != nil {
			t.Fatal(err)
		}
		if ok, retry := a.RateLimited(); ok {
			limited++
			if retry <= 0 || retry > time.Second {
				t.Fatalf("retry after %s, want within a second", retry)
			}
		}
	}
	if limited != 10 {
		t.Fatalf("%d of 60 requests limited, want 10", limited)
	}
	if got := metricValue(t, h.eng.Metrics().Registry(), "quorate_results_rejected_total", map[string]string{"agent_id": "", "reason": ReasonUnauthenticated}); got != 2 {
		t.Fatalf("unauthenticated rejections = %v, want 2", got)
	}
}

func TestReloadAppliesANewConfigWithoutRestart(t *testing.T) {
	h := newHarness(t, driverCases[0])
	h.round(keyAPI, twoFail, allAgent...)
	h.round(keyAPI, twoFail, allAgent...)
	h.expect("agent_triggered core_api eu", "degraded core_api",
		"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")

	// web leaves, eu gets a new token.
	next := strings.Replace(monitoringYAML, "tok-eu", "tok-eu-2", 1)
	next = next[:strings.Index(next, "  - name: web")] + next[strings.Index(next, "  - name: quiet"):]
	if err := os.WriteFile(h.path, []byte(next), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload", func() bool { _, ok := h.eng.Config().Endpoint(keyWeb); return !ok })

	if res := h.send("eu", keyWeb, true); res.Reasons[0] != ReasonUnknownEndpoint {
		t.Fatalf("result for a removed endpoint: %q, want unknown_endpoint", res.Reasons[0])
	}
	if _, err := h.eng.Authenticate(map[string][]string{"Authorization": {"Bearer tok-eu"}}); err == nil {
		t.Fatal("the old token still authenticates after the reload")
	}
	if a, err := h.eng.Authenticate(map[string][]string{"Authorization": {"Bearer tok-eu-2"}}); err != nil || a.AgentID() != "eu" {
		t.Fatalf("new token: %v", err)
	}
	// core/api is unchanged: it keeps firing without a second Fired.
	if st := alertStatus(t, h, keyAPI); !st.Firing {
		t.Fatalf("core_api status %+v after an unrelated reload, want still firing", st)
	}
	h.round(keyAPI, twoFail, allAgent...)
	h.expect()
}

// waitFor polls cond until it holds; the deadline only bounds a broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// metricValue reads one counter or gauge sample; 0 when absent.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

func TestIngestSetsTheCertificateExpiryOfTheLatestResult(t *testing.T) {
	h := newHarness(t, driverCases[0])
	reg := h.eng.Metrics().Registry()
	const name = "quorate_endpoint_certificate_expiry_timestamp_seconds"
	labels := map[string]string{"endpoint_key": keyAPI, "agent_id": "eu"}
	withCert := decoded("eu", keyAPI, true, t0)
	withCert.Result.Timestamp = t0.Add(-time.Second)
	withCert.Result.CertificateExpiration = 30 * 24 * time.Hour
	if _, err := h.eng.Ingest(context.Background(), "eu", []resultschema.Decoded{withCert}); err != nil {
		t.Fatal(err)
	}
	want := float64(t0.Add(-time.Second).Add(30 * 24 * time.Hour).Unix())
	if got, ok := metricSample(t, reg, name, labels); !ok || got != want {
		t.Fatalf("%s = %v (present %v), want %v: the result's time plus the time its certificate had left", name, got, ok, want)
	}
	h.send("eu", keyAPI, false) // no certificate seen
	if got, ok := metricSample(t, reg, name, labels); ok {
		t.Fatalf("%s = %v after a result without a certificate, want absent", name, got)
	}
}

func TestIngestRefreshesTheMaintenanceGaugeWithoutATick(t *testing.T) {
	h := newHarness(t, driverCases[0])
	reg := h.eng.Metrics().Registry()
	labels := map[string]string{"endpoint_key": keyWeb}
	// web's window is 09:00-10:00 UTC.
	h.at(time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)).send("eu", keyWeb, true)
	if got := metricValue(t, reg, "quorate_endpoint_in_maintenance", labels); got != 1 {
		t.Fatalf("in_maintenance during the window = %v, want 1", got)
	}
	h.at(time.Date(2025, 3, 14, 10, 30, 0, 0, time.UTC)).send("eu", keyWeb, true)
	if got := metricValue(t, reg, "quorate_endpoint_in_maintenance", labels); got != 0 {
		t.Fatalf("in_maintenance after the window = %v, want 0", got)
	}
}

// metricSample reads one gauge sample and whether it exists.
func metricSample(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue next
				}
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

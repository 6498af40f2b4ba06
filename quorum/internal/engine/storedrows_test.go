package engine

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/store"
)

// storedQuorums returns the stored quorum rows by endpoint key (alert 0
// only: every alert of the test config is the endpoint's first), with
// their update stamps cleared.
func storedQuorums(t *testing.T, h *harness) map[string]store.QuorumState {
	t.Helper()
	states, err := h.eng.Store().LoadQuorumStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.QuorumState{}
	for _, q := range states {
		if q.AlertIndex != 0 {
			t.Errorf("stored quorum row of %s alert %d; the config has only alert 0", q.EndpointKey, q.AlertIndex)
		}
		q.UpdatedAt = time.Time{}
		out[q.EndpointKey] = q
	}
	return out
}

func storedAssignments(t *testing.T, h *harness) []store.Assignment {
	t.Helper()
	as, err := h.eng.Store().ListAssignments(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestOpenStoresAssignmentsAndAQuorumRowPerEnabledAlert(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		wantAssign := []store.Assignment{
			{EndpointKey: keyQuiet, AgentID: "ap"},
			{EndpointKey: keyWeb, AgentID: "eu"},
			{EndpointKey: keyWeb, AgentID: "us"},
			{EndpointKey: keyAPI, AgentID: "ap"},
			{EndpointKey: keyAPI, AgentID: "eu"},
			{EndpointKey: keyAPI, AgentID: "us"},
		}
		if got := storedAssignments(t, h); !reflect.DeepEqual(got, wantAssign) {
			t.Errorf("assignments:\n got %+v\nwant %+v", got, wantAssign)
		}
		cfg := h.eng.Config()
		// No result yet: every agent reports (none is stale before its
		// stale-after), nobody is triggered. _quiet has no alert, no row.
		want := map[string]store.QuorumState{
			keyAPI: {EndpointKey: keyAPI, ConfigurationChecksum: cfg.EndpointChecksum(keyAPI), ReportingCount: 3, AgentQuorum: 2, MonitorsCount: 3},
			keyWeb: {EndpointKey: keyWeb, ConfigurationChecksum: cfg.EndpointChecksum(keyWeb), ReportingCount: 2, AgentQuorum: 1, MonitorsCount: 2},
		}
		if got := storedQuorums(t, h); !reflect.DeepEqual(got, want) {
			t.Errorf("quorum rows before any transition:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestRestartWritesBackTheRestoredQuorumWithoutASecondFire(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")
		before := storedQuorums(t, h)[keyAPI]
		if !before.Firing || before.TriggeredCount != 2 {
			t.Fatalf("stored %+v, want firing with 2 triggered", before)
		}

		h.restart()
		if got := storedQuorums(t, h)[keyAPI]; !reflect.DeepEqual(got, before) {
			t.Errorf("row after restart:\n got %+v\nwant %+v", got, before)
		}
		h.at(t0.Add(time.Minute)).round(keyAPI, twoFail, allAgent...)
		h.expect()
		if n := len(h.events(store.EventFired)); n != 1 {
			t.Fatalf("%d FIRED events stored, want 1", n)
		}
	})
}

func TestReportingCountIsStoredWhenAgentsGoStaleAndComeBack(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.tick(t0)
		h.round(keyAPI, allOK, allAgent...)
		h.at(t0.Add(5*time.Minute)).round(keyAPI, allOK, "us", "ap")
		h.send("us", keyWeb, true)

		h.tick(t0.Add(10 * time.Minute))
		h.expect("agent_stale eu")
		got := storedQuorums(t, h)
		if q := got[keyAPI]; q.ReportingCount != 2 || q.MonitorsCount != 3 {
			t.Errorf("core_api row after eu went stale: %+v, want 2 of 3 reporting", q)
		}
		if q := got[keyWeb]; q.ReportingCount != 1 || q.MonitorsCount != 2 {
			t.Errorf("_web row after eu went stale: %+v, want 1 of 2 reporting", q)
		}

		// Back with a result: stored with it, before any tick.
		h.at(t0.Add(11*time.Minute)).send("eu", keyAPI, true)
		h.expect("agent_back eu")
		got = storedQuorums(t, h)
		if got[keyAPI].ReportingCount != 3 || got[keyWeb].ReportingCount != 2 {
			t.Errorf("rows after eu came back: %+v, want every agent reporting", got)
		}
	})
}

func TestReloadStoresTheNewAssignmentsAndQuorumRows(t *testing.T) {
	forEachDriver(t, func(t *testing.T, dc driverCase) {
		h := newHarness(t, dc)
		h.round(keyAPI, twoFail, allAgent...)
		h.round(keyAPI, twoFail, allAgent...)
		h.expect("agent_triggered core_api eu", "degraded core_api",
			"agent_triggered core_api us", "degraded_cleared core_api", "fired core_api")
		api := storedQuorums(t, h)[keyAPI]

		// ap joins web (whose configuration, so state, resets); quiet is
		// disabled: nobody probes it any more.
		next := strings.Replace(monitoringYAML, "monitored-by: [eu, us]\n", "monitored-by: [eu, us, ap]\n", 1)
		next = strings.Replace(next, "  - name: quiet\n", "  - name: quiet\n    enabled: false\n", 1)
		if next == monitoringYAML {
			t.Fatal("the test config did not change")
		}
		if err := os.WriteFile(h.path, []byte(next), 0o600); err != nil {
			t.Fatal(err)
		}
		wantAssign := []store.Assignment{
			{EndpointKey: keyWeb, AgentID: "ap"},
			{EndpointKey: keyWeb, AgentID: "eu"},
			{EndpointKey: keyWeb, AgentID: "us"},
			{EndpointKey: keyAPI, AgentID: "ap"},
			{EndpointKey: keyAPI, AgentID: "eu"},
			{EndpointKey: keyAPI, AgentID: "us"},
		}
		waitFor(t, "the reloaded config in storage", func() bool {
			return storedQuorums(t, h)[keyWeb].MonitorsCount == 3 && reflect.DeepEqual(storedAssignments(t, h), wantAssign)
		})
		web := storedQuorums(t, h)[keyWeb]
		if sum := h.eng.Config().EndpointChecksum(keyWeb); web.ConfigurationChecksum != sum || web.ReportingCount != 3 || web.AgentQuorum != 1 {
			t.Errorf("_web row after reload: %+v, want checksum %s, 3 reporting, K 1", web, sum)
		}
		// core_api is unchanged: its firing row is kept as it was.
		if got := storedQuorums(t, h)[keyAPI]; !reflect.DeepEqual(got, api) {
			t.Errorf("core_api row after an unrelated reload:\n got %+v\nwant %+v", got, api)
		}
	})
}

package engine

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/quorate/quorate/internal/store"
	"github.com/quorate/quorate/quorum/internal/monitoring"
	"github.com/quorate/quorate/quorum/internal/state"
)

// runChecksum is the configuration checksum of a stored run row: the
// endpoint's checksum, and the alert index when the row is per alert.
func runChecksum(endpointChecksum string, alertIndex int) string {
	if alertIndex < 0 {
		return endpointChecksum
	}
	return endpointChecksum + "/" + strconv.Itoa(alertIndex)
}

// parseRunChecksum splits a stored run checksum; index is -1 for a row of
// an endpoint without alerts (or a row Quorate did not write).
func parseRunChecksum(s string) (endpointChecksum string, alertIndex int) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return s, -1
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return s, -1
	}
	return s[:i], n
}

// runChecksums are the run checksums the current config writes for an
// endpoint: the ones to keep when cleaning up.
func runChecksums(mc *monitoring.Config, key string) []string {
	ep, ok := mc.Endpoint(key)
	if !ok || !ep.IsEnabled() {
		return nil
	}
	sum := mc.EndpointChecksum(key)
	var out []string
	for i, a := range ep.Alerts {
		if a.Enabled {
			out = append(out, runChecksum(sum, i))
		}
	}
	if len(out) == 0 {
		out = append(out, runChecksum(sum, -1))
	}
	return out
}

// markRuns records that runs moved; markState that an endpoint's quorum
// state may have changed.
func (e *Engine) markRuns(keys []pairKey, agent string, at time.Time) {
	e.dirtyMu.Lock()
	defer e.dirtyMu.Unlock()
	for _, k := range keys {
		e.dirtyRuns[k] = struct{}{}
	}
	if agent != "" && at.After(e.seen[agent]) {
		e.seen[agent] = at
	}
}

// markEvents marks what the events changed: the quorum state of their
// endpoints (for agent-wide events every endpoint of the agent: its
// reporting count changed), and as urgent the runs of agents whose
// triggered flag changed, which a restart needs along with the quorum
// state.
func (e *Engine) markEvents(mc *monitoring.Config, events []state.Event) {
	e.dirtyMu.Lock()
	defer e.dirtyMu.Unlock()
	for _, ev := range events {
		if ev.EndpointKey != "" {
			e.dirtyState[ev.EndpointKey] = struct{}{}
			if ev.AgentID != "" {
				k := pairKey{ev.EndpointKey, ev.AgentID}
				e.dirtyRuns[k] = struct{}{}
				e.urgentRuns[k] = struct{}{}
			}
			continue
		}
		for i := range mc.Endpoints {
			if mc.Endpoints[i].Monitors(ev.AgentID) {
				e.dirtyState[mc.Endpoints[i].Key()] = struct{}{}
			}
		}
	}
}

// saveEveryQuorum writes the quorum state of every enabled alert of every
// endpoint, through the committer like every other quorum write: readers of
// the store (the Grafana plugin) then see K, M and the reporting count of
// an endpoint from the start, not only after its first transition. Open
// calls it after restore and reload after applying a config; the rows
// come from the machine, so a restored firing alert is written back as it
// was restored. On failure the endpoints stay dirty for the next save.
func (e *Engine) saveEveryQuorum(ctx context.Context) error {
	eps := e.machine.Endpoints()
	e.dirtyMu.Lock()
	for _, st := range eps {
		if len(st.Alerts) > 0 {
			e.dirtyState[st.Key] = struct{}{}
		}
	}
	e.dirtyMu.Unlock()
	return e.commits.submit(ctx, &commit{state: true})
}

// takeDirty empties the dirty sets. With onlyState (the save that must
// precede transitions), runs are taken only when urgent; the other moved
// runs wait for the next full save, a tick later at most.
func (e *Engine) takeDirty(onlyState bool) (runs map[string][]string, states []string, seen map[string]time.Time) {
	e.dirtyMu.Lock()
	defer e.dirtyMu.Unlock()
	runs = map[string][]string{}
	take := e.dirtyRuns
	if onlyState {
		take = e.urgentRuns
	}
	for k := range take {
		runs[k.endpoint] = append(runs[k.endpoint], k.agent)
		delete(e.dirtyRuns, k)
	}
	clear(e.urgentRuns)
	for k := range e.dirtyState {
		states = append(states, k)
	}
	clear(e.dirtyState)
	if !onlyState {
		seen, e.seen = e.seen, map[string]time.Time{}
	}
	return runs, states, seen
}

// stateRows reads from the machine the stored rows of the runs and
// quorum states given by takeDirty. Endpoints removed by a reload
// meanwhile are skipped.
func (e *Engine) stateRows(runKeys map[string][]string, stateKeys []string) ([]store.AgentRun, []store.QuorumState) {
	endpoints := map[string]state.EndpointStatus{}
	status := func(key string) (state.EndpointStatus, bool) {
		if st, ok := endpoints[key]; ok {
			return st, true
		}
		st, ok := e.machine.Endpoint(key)
		if ok {
			endpoints[key] = st
		}
		return st, ok
	}
	var runs []store.AgentRun
	for _, key := range sortedKeys(runKeys) {
		st, ok := status(key)
		if !ok {
			continue
		}
		for _, r := range st.Agents {
			if slices.Contains(runKeys[key], r.AgentID) {
				runs = append(runs, runRows(st, r)...)
			}
		}
	}
	var quorums []store.QuorumState
	slices.Sort(stateKeys)
	for _, key := range stateKeys {
		st, ok := status(key)
		if !ok {
			continue
		}
		for _, a := range st.Alerts {
			quorums = append(quorums, quorumRow(st, a))
		}
	}
	return runs, quorums
}

// redirty marks again what a failed save took. Its runs become urgent: the
// next save of any kind retries them, since some may have been urgent.
func (e *Engine) redirty(runs map[string][]string, states []string, seen map[string]time.Time) {
	e.dirtyMu.Lock()
	defer e.dirtyMu.Unlock()
	for key, agents := range runs {
		for _, a := range agents {
			e.dirtyRuns[pairKey{key, a}] = struct{}{}
			e.urgentRuns[pairKey{key, a}] = struct{}{}
		}
	}
	for _, k := range states {
		e.dirtyState[k] = struct{}{}
	}
	for a, t := range seen {
		if t.After(e.seen[a]) {
			e.seen[a] = t
		}
	}
}

// runRows are the stored rows of one agent's runs on one endpoint.
func runRows(st state.EndpointStatus, r state.AgentRun) []store.AgentRun {
	row := store.AgentRun{
		EndpointKey:     st.Key,
		AgentID:         r.AgentID,
		FailuresInARow:  r.Failures,
		SuccessesInARow: r.Successes,
	}
	if len(st.Alerts) == 0 {
		row.ConfigurationChecksum = runChecksum(st.Checksum, -1)
		return []store.AgentRun{row}
	}
	out := make([]store.AgentRun, 0, len(st.Alerts))
	for _, a := range st.Alerts {
		row.ConfigurationChecksum = runChecksum(st.Checksum, a.AlertIndex)
		row.Triggered = slices.Contains(r.Triggered, a.AlertIndex)
		out = append(out, row)
	}
	return out
}

// quorumRow is the stored state of one alert quorum. The store keeps the
// last reminder; the machine keeps the last notification (fired or
// reminder), which is the later of the two.
func quorumRow(st state.EndpointStatus, a state.QuorumStatus) store.QuorumState {
	q := store.QuorumState{
		EndpointKey:           st.Key,
		AlertIndex:            a.AlertIndex,
		ConfigurationChecksum: st.Checksum,
		Firing:                a.Firing,
		Degraded:              a.Degraded,
		FiredAt:               a.FiredAt,
		TriggeredCount:        a.Triggered,
		ReportingCount:        a.Reporting,
		AgentQuorum:           a.Quorum,
		MonitorsCount:         a.Monitors,
	}
	if a.LastNotifiedAt.After(a.FiredAt) {
		q.LastReminderAt = a.LastNotifiedAt
	}
	return q
}

// restore loads the state a previous run saved into the machine and
// deletes run rows of configurations that no longer exist.
func (e *Engine) restore(ctx context.Context, mc *monitoring.Config) error {
	runs, err := e.store.LoadAgentRuns(ctx)
	if err != nil {
		return err
	}
	quorums, err := e.store.LoadQuorumStates(ctx)
	if err != nil {
		return err
	}
	agents, err := e.store.ListAgents(ctx)
	if err != nil {
		return err
	}
	var snap state.Snapshot
	for _, a := range agents {
		if _, ok := mc.Agent(a.ID); !ok {
			continue
		}
		stale, err := e.lastStale(ctx, a.ID)
		if err != nil {
			return err
		}
		if a.LastSeen.IsZero() && !stale {
			continue // never heard from: nothing to restore
		}
		snap.Agents = append(snap.Agents, state.AgentSnapshot{AgentID: a.ID, LastSeen: a.LastSeen, Stale: stale})
	}

	type runID struct{ endpoint, checksum, agent string }
	byRun := map[runID]*state.RunSnapshot{}
	var order []runID
	outdated := map[string]bool{}
	for _, r := range runs {
		sum, index := parseRunChecksum(r.ConfigurationChecksum)
		if !slices.Contains(runChecksums(mc, r.EndpointKey), r.ConfigurationChecksum) {
			outdated[r.EndpointKey] = true
			continue
		}
		id := runID{r.EndpointKey, sum, r.AgentID}
		rs, ok := byRun[id]
		if !ok {
			rs = &state.RunSnapshot{EndpointKey: r.EndpointKey, Checksum: sum, AgentID: r.AgentID,
				Failures: r.FailuresInARow, Successes: r.SuccessesInARow}
			byRun[id] = rs
			order = append(order, id)
		}
		if r.Triggered && index >= 0 {
			rs.Triggered = append(rs.Triggered, index)
		}
	}
	for _, id := range order {
		snap.Runs = append(snap.Runs, *byRun[id])
	}
	for _, q := range quorums {
		last := q.FiredAt
		if q.LastReminderAt.After(last) {
			last = q.LastReminderAt
		}
		snap.Alerts = append(snap.Alerts, state.AlertSnapshot{
			EndpointKey:    q.EndpointKey,
			Checksum:       q.ConfigurationChecksum,
			AlertIndex:     q.AlertIndex,
			Firing:         q.Firing,
			Degraded:       q.Degraded,
			FiredAt:        q.FiredAt,
			LastNotifiedAt: last,
		})
	}
	// Later saves are stamped after everything stored (see stateStamp).
	e.readMu.Lock()
	for _, r := range runs {
		if r.UpdatedAt.After(e.lastStamp) {
			e.lastStamp = r.UpdatedAt
		}
	}
	for _, q := range quorums {
		if q.UpdatedAt.After(e.lastStamp) {
			e.lastStamp = q.UpdatedAt
		}
	}
	e.readMu.Unlock()
	applied, dropped := e.machine.Restore(snap)
	if len(snap.Runs)+len(snap.Alerts) > 0 {
		e.logger.Info("Restored the quorum state of the previous run",
			zap.Int("entries", applied), zap.Int("dropped_outdated", dropped))
	}
	for _, key := range sortedKeys(outdated) {
		if _, err := e.store.DeleteAgentRuns(ctx, key, runChecksums(mc, key)); err != nil {
			return err
		}
	}
	return nil
}

// lastStale reports whether the agent's last liveness event was stale.
func (e *Engine) lastStale(ctx context.Context, agentID string) (bool, error) {
	evs, err := e.store.ListEvents(ctx, store.EventFilter{
		AgentID: agentID,
		Types:   []store.EventType{store.EventAgentStale, store.EventAgentBack},
		Limit:   1,
	})
	if err != nil {
		return false, err
	}
	return len(evs) == 1 && evs[0].Type == store.EventAgentStale, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

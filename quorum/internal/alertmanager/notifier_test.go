package alertmanager

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/quorate/quorate/quorum/internal/engine"
	"github.com/quorate/quorate/quorum/internal/state"
)

func TestAKOfMIncidentIsOneAlertThatFiresAndResolves(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{Labels: map[string]string{"severity": "critical"}})

	// One agent failing is degraded: nothing for Alertmanager.
	r.round(keyAPI, euFails, allAgent...)
	r.round(keyAPI, euFails, allAgent...)
	deliver(t, n)
	require.Empty(t, am.take(), "degraded must not be posted")

	// Two of three: fired, as one alert, not one per agent.
	r.at(t0.Add(time.Minute)).round(keyAPI, twoFail, allAgent...)
	r.at(t0.Add(2*time.Minute)).round(keyAPI, twoFail, allAgent...)
	deliver(t, n)
	fired := flatten(am.take())
	require.Len(t, fired, 1)
	a := fired[0]
	assert.Equal(t, map[string]string{
		"alertname":        "QuorateQuorumFiring",
		"endpoint_key":     "core_api",
		"endpoint_name":    "api",
		"endpoint_group":   "core",
		"alert_type":       "slack",
		"alert_index":      "0",
		"send_on_resolved": "true",
		"severity":         "critical",
	}, a.Labels)
	assert.Equal(t, map[string]string{
		"summary":          "core/api: 2 of 3 agents failing (agent-quorum 2)",
		"description":      "core API is down",
		"triggered_agents": "eu,us",
		"quorum":           "2/3",
		"failures":         "eu: [STATUS] (503) == 200\nus: [STATUS] (503) == 200",
	}, a.Annotations)
	assert.True(t, a.StartsAt.Equal(t0.Add(2*time.Minute)), "startsAt %s is when the quorum fired", a.StartsAt)
	assert.True(t, a.EndsAt.After(time.Now().Add(3*DefaultResendInterval)), "a firing alert ends four resend intervals ahead, got %s", a.EndsAt)
	assert.Equal(t, 1, n.Firing())

	// us recovers: below the quorum, resolved with the same labels.
	r.at(t0.Add(3*time.Minute)).round(keyAPI, euFails, allAgent...)
	r.at(t0.Add(4*time.Minute)).round(keyAPI, euFails, allAgent...)
	deliver(t, n)
	resolved := flatten(am.take())
	require.Len(t, resolved, 1)
	assert.Equal(t, a.Labels, resolved[0].Labels)
	assert.True(t, resolved[0].StartsAt.Equal(a.StartsAt))
	assert.True(t, resolved[0].EndsAt.Equal(t0.Add(4*time.Minute)), "endsAt %s is when it resolved", resolved[0].EndsAt)
	assert.Equal(t, "core/api: recovered, 1 of 3 agents failing (agent-quorum 2)", resolved[0].Annotations["summary"])
	assert.Equal(t, "eu", resolved[0].Annotations["triggered_agents"])
	assert.Equal(t, 0, n.Firing())

	// Nothing firing: a resend posts nothing.
	n.reconcile()
	deliver(t, n)
	assert.Empty(t, am.take())
}

func TestSendOnResolvedFalseStillResolvesAndSaysSoInALabel(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{})

	r.round(keyWeb, map[string]bool{"eu": false, "us": true}, "eu", "us")
	deliver(t, n)
	fired := flatten(am.take())
	require.Len(t, fired, 1)
	assert.Equal(t, "false", fired[0].Labels[LabelSendOnResolved])
	assert.Equal(t, "web", fired[0].Labels[LabelEndpointName])
	assert.NotContains(t, fired[0].Labels, LabelEndpointGroup, "an empty group is left out")
	assert.NotContains(t, fired[0].Annotations, AnnotationDescription, "no description is left out")

	r.at(t0.Add(time.Minute)).round(keyWeb, map[string]bool{"eu": true, "us": true}, "eu", "us")
	deliver(t, n)
	resolved := flatten(am.take())
	require.Len(t, resolved, 1, "the resolution is posted so Alertmanager's state is right; routing on the label decides notifications")
	assert.Equal(t, fired[0].Labels, resolved[0].Labels)
	assert.True(t, resolved[0].EndsAt.Equal(t0.Add(time.Minute)))
}

func TestRemindersAndResendsPostTheSameAlertAgain(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{})
	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	deliver(t, n)
	fired := flatten(am.take())
	require.Len(t, fired, 1)

	// ap fails too, then the reminder is due: re-posted, same labels and
	// start, fresh detail.
	r.at(t0.Add(5*time.Minute)).round(keyAPI, map[string]bool{}, allAgent...)
	deliver(t, n)
	reminded := flatten(am.take())
	require.Len(t, reminded, 1)
	assert.Equal(t, fired[0].Labels, reminded[0].Labels)
	assert.True(t, reminded[0].StartsAt.Equal(t0))
	assert.Equal(t, "eu,us", reminded[0].Annotations[AnnotationTriggeredAgents], "ap has failed once, below failure-threshold 2")

	r.at(t0.Add(6*time.Minute)).round(keyAPI, map[string]bool{}, "ap")
	n.reconcile()
	deliver(t, n)
	resent := flatten(am.take())
	require.Len(t, resent, 1)
	assert.Equal(t, fired[0].Labels, resent[0].Labels)
	assert.True(t, resent[0].StartsAt.Equal(t0))
	assert.Equal(t, "eu,us,ap", resent[0].Annotations[AnnotationTriggeredAgents])
	assert.Equal(t, "core/api: 3 of 3 agents failing (agent-quorum 2)", resent[0].Annotations[AnnotationSummary])
	assert.False(t, resent[0].EndsAt.IsZero())
}

func TestARestartedCentralPostsRestoredFiringAlertsAtStart(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	r.restart()

	n := newNotifier(t, r, am.srv.URL, Options{})
	n.Start()
	am.waitPosts(1)
	got := flatten(am.take())
	require.Len(t, got, 1, "restored firing alert posted at start, without a new Fired")
	assert.Equal(t, "core_api", got[0].Labels[LabelEndpointKey])
	assert.True(t, got[0].StartsAt.Equal(t0), "startsAt is when it first fired, not the restart")
	assert.Equal(t, "eu,us", got[0].Annotations[AnnotationTriggeredAgents])
}

func TestAnAlertWhoseEndpointLeftTheConfigIsResolved(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{})
	r.round(keyWeb, map[string]bool{"eu": false, "us": false}, "eu", "us")
	deliver(t, n)
	require.Len(t, flatten(am.take()), 1)

	without := monitoringYAML[:strings.Index(monitoringYAML, "  - name: web")]
	require.NoError(t, writeFile(r.path, without))
	waitFor(t, "the reload", func() bool { _, ok := r.eng.Config().Endpoint(keyWeb); return !ok })

	n.reconcile()
	deliver(t, n)
	got := flatten(am.take())
	require.Len(t, got, 1)
	assert.Equal(t, keyWeb, got[0].Labels[LabelEndpointKey])
	assert.True(t, got[0].EndsAt.Equal(t0), "resolved at the engine's now")
	assert.Equal(t, "web: no longer in the monitoring config", got[0].Annotations[AnnotationSummary])
	assert.Equal(t, 0, n.Firing())
}

func TestATransitionDeliveredLateIsSkipped(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{})
	tr := func(kind state.Kind, at time.Time) engine.Transition {
		return engine.Transition{Event: state.Event{Kind: kind, At: at, EndpointKey: keyAPI, AlertIndex: 0,
			AlertType: "slack", Triggered: 2, Quorum: 2, Monitors: 3, FiredAt: t0},
			EndpointName: "api", EndpointGroup: "core"}
	}
	// Sinks run on the goroutines that caused them: a Resolved can arrive
	// before the Fired it ends.
	n.Sink(context.Background(), []engine.Transition{tr(state.Resolved, t0.Add(time.Second))})
	n.Sink(context.Background(), []engine.Transition{tr(state.Fired, t0)})
	deliver(t, n)
	got := flatten(am.take())
	require.Len(t, got, 1)
	assert.False(t, got[0].EndsAt.IsZero(), "the stale Fired must not bring the alert back")
	assert.Equal(t, 0, n.Firing())
}

func TestFailedPostsAreRetriedAndRefusedOnesDropped(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	core, logs := observer.New(zap.DebugLevel)
	n := newNotifier(t, r, am.srv.URL, Options{Logger: zap.New(core)})
	n.retryFirst = time.Millisecond
	am.answer(http.StatusServiceUnavailable, http.StatusTooManyRequests)
	n.Start()

	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	am.waitPosts(3)
	posts := am.take()
	require.Len(t, posts, 3, "503 and 429 are retried until accepted")
	for _, p := range posts {
		require.Len(t, p, 1)
		assert.Equal(t, "core_api", p[0].Labels[LabelEndpointKey])
	}
	waitFor(t, "the recovery to be logged", func() bool { return logs.FilterMessageSnippet("accepts alerts again").Len() == 1 })
	assert.Equal(t, 1, logs.FilterMessageSnippet("retrying with backoff").Len(), "the first failure is logged, not every retry")

	// 400: Alertmanager refuses the alerts themselves; sending them again
	// would not help.
	am.answer(http.StatusBadRequest)
	r.at(t0.Add(time.Minute)).round(keyWeb, map[string]bool{}, "eu", "us")
	am.waitPosts(1)
	require.Len(t, am.take(), 1)
	waitFor(t, "the refusal to be logged", func() bool { return logs.FilterMessageSnippet("refused").Len() == 1 })
	n.mu.Lock()
	assert.Empty(t, n.pending)
	n.mu.Unlock()
}

func TestIngestNeverWaitsForAlertmanager(t *testing.T) {
	am := newFakeAM(t)
	am.hold = make(chan struct{})
	r := newRig(t, true)
	n := newNotifier(t, r, am.srv.URL, Options{})
	n.Start()

	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	am.waitArrived(1)
	// The post of the Fired hangs in the stand-in; results keep flowing and
	// the Resolved queues behind it.
	r.at(t0.Add(time.Minute)).round(keyAPI, allOK, allAgent...)
	r.at(t0.Add(2*time.Minute)).round(keyAPI, allOK, allAgent...)
	close(am.hold)
	am.waitPosts(2)
	all := flatten(am.take())
	require.Len(t, all, 2)
	assert.True(t, all[0].EndsAt.After(time.Now()), "first the firing alert")
	assert.True(t, all[1].EndsAt.Equal(t0.Add(2*time.Minute)), "then its resolution")
}

func TestAFullQueueDropsAndLogsOnce(t *testing.T) {
	am := newFakeAM(t)
	r := newRig(t, true)
	core, logs := observer.New(zap.WarnLevel)
	n := newNotifier(t, r, am.srv.URL, Options{Logger: zap.New(core), MaxPending: 1})

	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyWeb, map[string]bool{}, "eu", "us")
	r.at(t0.Add(time.Minute)).round(keyWeb, map[string]bool{"eu": true, "us": true}, "eu", "us")
	assert.Equal(t, 1, logs.FilterMessageSnippet("queue is full").Len())
	deliver(t, n)
	got := flatten(am.take())
	require.Len(t, got, 1)
	assert.Equal(t, keyAPI, got[0].Labels[LabelEndpointKey], "the alert already waiting is kept")
}

func TestSecretsInTheURLAreNeverLogged(t *testing.T) {
	r := newRig(t, true)
	core, logs := observer.New(zap.DebugLevel)
	dead := newFakeAM(t)
	url := strings.Replace(dead.srv.URL, "http://", "http://quorate:s3cret-pass@", 1)
	dead.srv.Close() // connection refused from now on
	n := newNotifier(t, r, url, Options{Logger: zap.New(core)})
	n.retryFirst = time.Millisecond
	n.Start()
	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	waitFor(t, "a failed post", func() bool { return logs.FilterMessageSnippet("retrying with backoff").Len() > 0 })
	_ = n.Shutdown(context.Background()) // fails too; nothing is left that could log later
	for _, e := range logs.All() {
		for _, f := range e.Context {
			s := f.String
			if f.Interface != nil {
				if err, ok := f.Interface.(error); ok {
					s = err.Error()
				}
			}
			assert.NotContains(t, s, "s3cret-pass")
		}
		assert.NotContains(t, e.Message, "s3cret-pass")
	}
	assert.Contains(t, logs.FilterMessageSnippet("retrying").All()[0].ContextMap()["error"], "xxxxx")
}

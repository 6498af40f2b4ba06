package quorum

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
	"github.com/quorate/quorate/internal/resultschema"
	"github.com/quorate/quorate/quorum/centralextension"
	"github.com/quorate/quorate/quorum/inprocess"
)

var centralID = component.MustNewID("quorate_central")

type testHost map[component.ID]component.Component

func (h testHost) GetExtensions() map[component.ID]component.Component { return h }

// startCentral runs a quorate_central extension on a temporary database.
func startCentral(t *testing.T) extension.Extension {
	t.Helper()
	f := centralextension.NewFactory()
	cfg := f.CreateDefaultConfig().(*centralextension.Config)
	cfg.MonitoringFile = filepath.Join("testdata", "monitoring.yaml")
	cfg.API.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Metrics.NetAddr.Endpoint = "127.0.0.1:0"
	cfg.Storage.Path = filepath.Join(t.TempDir(), "quorate.db")
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return ext
}

// startProcessor runs the processor on a fresh central; sink receives what
// it passes on.
func startProcessor(t *testing.T) (processor.Logs, extension.Extension, *consumertest.LogsSink) {
	t.Helper()
	ext := startCentral(t)
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(NewFactory().Type()), NewFactory().CreateDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), testHost{centralID: ext}))
	t.Cleanup(func() { require.NoError(t, p.Shutdown(context.Background())) })
	return p, ext, sink
}

// agentCtx is the context the otlp receiver hands on after the
// quorate_central authenticator accepted token.
func agentCtx(t *testing.T, ext extension.Extension, token string) context.Context {
	t.Helper()
	ctx, err := ext.(interface {
		Authenticate(context.Context, map[string][]string) (context.Context, error)
	}).Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer " + token}})
	require.NoError(t, err)
	return ctx
}

// probe is one result record to put in a batch.
type probe struct {
	agent   string // resource quorate.agent.id
	group   string
	name    string
	success bool
}

func results(probes ...probe) plog.Logs {
	ld := plog.NewLogs()
	for _, p := range probes {
		rl := ld.ResourceLogs().AppendEmpty()
		resultschema.SetResource(rl.Resource(), p.agent)
		ep := &endpoint.Endpoint{Name: p.name, Group: p.group, URL: "http://127.0.0.1:1/health"}
		res := &result.Result{Timestamp: time.Now(), Duration: 5 * time.Millisecond, HTTPStatus: 200, Success: p.success}
		resultschema.AppendLogRecord(rl.ScopeLogs().AppendEmpty(), ep, endpoint.TypeHTTP, res, time.Now())
	}
	return ld
}

// records lists "event key" of every record the sink got.
func records(sink *consumertest.LogsSink) []string {
	var out []string
	for _, ld := range sink.AllLogs() {
		for i := 0; i < ld.ResourceLogs().Len(); i++ {
			sls := ld.ResourceLogs().At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					lr := lrs.At(k)
					key, _ := lr.Attributes().Get(AttrEndpointKey)
					s := lr.EventName() + " " + key.AsString()
					if tr, ok := lr.Attributes().Get(AttrTransition); ok {
						s += " " + tr.Str()
					}
					out = append(out, s)
				}
			}
		}
	}
	return out
}

func TestStartNeedsTheCentralExtension(t *testing.T) {
	f := NewFactory()
	p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	err = p.Start(context.Background(), testHost{})
	require.ErrorContains(t, err, `extension "quorate_central" is not running`)
	other := extensiontest.NewNopFactory()
	nop, err := other.Create(context.Background(), extensiontest.NewNopSettings(other.Type()), other.CreateDefaultConfig())
	require.NoError(t, err)
	err = p.Start(context.Background(), testHost{centralID: nop})
	require.ErrorContains(t, err, "not a quorate_central extension")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestLifecycleWithARunningCentral(t *testing.T) {
	ext := startCentral(t)
	f := NewFactory()
	for range 2 {
		p, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(f.Type()), f.CreateDefaultConfig(), consumertest.NewNop())
		require.NoError(t, err)
		require.NoError(t, p.Start(context.Background(), testHost{centralID: ext}))
		require.NoError(t, p.ConsumeLogs(agentCtx(t, ext, "test-token-eu"), results(probe{"eu", "core", "api", true})))
		require.NoError(t, p.Shutdown(context.Background()))
	}
}

func TestConsumeLogsRejectsWhatTheAgentMayNotReport(t *testing.T) {
	p, ext, sink := startProcessor(t)
	ld := results(
		probe{"eu", "core", "api", true},
		probe{"us", "core", "api", false},      // in another agent's name
		probe{"eu", "", "central-only", false}, // not assigned to eu
		probe{"eu", "", "eu-only", true},
	)
	// A record that is not a probe result.
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty().Body().SetStr("hello")

	err := p.ConsumeLogs(agentCtx(t, ext, "test-token-eu"), ld)
	st := status.Convert(err)
	require.Equal(t, codes.PermissionDenied, st.Code(), "error: %v", err)
	// not_assigned is dropped and counted but not refused: the agent learns of
	// assignment changes by polling, and a refusal would stall its queue.
	assert.Contains(t, st.Message(), "rejected 2 of 5 records")
	assert.Contains(t, st.Message(), "agent_mismatch: 1, malformed: 1)")
	assert.Equal(t, []string{
		"quorate.probe.result core_api",
		"quorate.probe.result _eu-only",
	}, records(sink))
}

func TestConsumeLogsOnlyMalformedIsInvalidArgument(t *testing.T) {
	p, ext, sink := startProcessor(t)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().SetEventName(resultschema.EventName)
	err := p.ConsumeLogs(agentCtx(t, ext, "test-token-eu"), ld)
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "error: %v", err)
	assert.Empty(t, records(sink))
}

func TestConsumeLogsNeedsAnIdentity(t *testing.T) {
	tests := []struct {
		name string
		ctx  context.Context
		want string
	}{
		{name: "no auth at all", ctx: context.Background(), want: "no agent identity"},
		{name: "in-process as an agent with a token", ctx: inprocess.NewContext(context.Background(), "eu"), want: "only a tokenless agent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, sink := startProcessor(t)
			err := p.ConsumeLogs(tt.ctx, results(probe{"eu", "core", "api", false}))
			st := status.Convert(err)
			assert.Equal(t, codes.Unauthenticated, st.Code())
			assert.Contains(t, st.Message(), tt.want)
			assert.Empty(t, records(sink))
		})
	}
}

func TestConsumeLogsAcceptsTheInProcessLocalAgent(t *testing.T) {
	p, _, sink := startProcessor(t)
	ctx := inprocess.NewContext(context.Background(), "local")
	require.NoError(t, p.ConsumeLogs(ctx, results(probe{"local", "", "central-only", false})))
	// Transitions go downstream while the batch is decided, before the
	// accepted results.
	assert.Equal(t, []string{
		"quorate.quorum.transition _central-only agent_triggered",
		"quorate.quorum.transition _central-only fired",
		"quorate.probe.result _central-only",
	}, records(sink))
}

func TestConsumeLogsOverTheRateIsResourceExhausted(t *testing.T) {
	p, ext, sink := startProcessor(t)
	// The default rate is 50/s with a burst of 50; the 51st request in the
	// same instant is over. The authenticator takes the wall clock, so
	// send far more than could refill meanwhile.
	var err error
	for range 200 {
		if err = p.ConsumeLogs(agentCtx(t, ext, "test-token-us"), results(probe{"us", "core", "api", true})); err != nil {
			break
		}
	}
	st := status.Convert(err)
	require.Equal(t, codes.ResourceExhausted, st.Code(), "error: %v", err)
	require.Len(t, st.Details(), 1)
	assert.Less(t, len(sink.AllLogs()), 200)
}

func TestTransitionsAreEmittedAsLogRecords(t *testing.T) {
	p, ext, sink := startProcessor(t)
	for range 2 {
		require.NoError(t, p.ConsumeLogs(agentCtx(t, ext, "test-token-eu"), results(probe{"eu", "core", "api", false})))
		require.NoError(t, p.ConsumeLogs(agentCtx(t, ext, "test-token-us"), results(probe{"us", "core", "api", false})))
	}
	var fired plog.LogRecord
	found := false
	for _, ld := range sink.AllLogs() {
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for k := 0; k < lrs.Len(); k++ {
			if v, ok := lrs.At(k).Attributes().Get(AttrTransition); ok && v.Str() == "fired" {
				fired, found = lrs.At(k), true
			}
		}
	}
	require.True(t, found, "no fired transition in %q", records(sink))
	assert.Equal(t, TransitionEventName, fired.EventName())
	assert.Equal(t, plog.SeverityNumberWarn, fired.SeverityNumber())
	assert.Equal(t, "core/api alert 0 (slack) fired: 2 of 2 reporting agents triggered, quorum 2 of 2", fired.Body().Str())
	want := map[string]any{
		AttrTransition:      "fired",
		AttrEndpointKey:     "core_api",
		AttrEndpointName:    "api",
		AttrEndpointGroup:   "core",
		AttrAlertIndex:      int64(0),
		AttrAlertType:       "slack",
		AttrAlertDesc:       "core api down",
		AttrQuorumTriggered: int64(2),
		AttrQuorumReporting: int64(2),
		AttrQuorumRequired:  int64(2),
		AttrQuorumMonitors:  int64(2),
	}
	assert.Equal(t, want, fired.Attributes().AsRaw())
}

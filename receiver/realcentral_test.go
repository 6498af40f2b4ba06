package receiver

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/quorate/quorate/quorum/centralextension"
)

// monitoringYAML assigns the named endpoints, each probing path /<name> of
// target, to agent eu.
func monitoringYAML(target string, names ...string) string {
	s := fmt.Sprintf("agents:\n  - id: %s\n    token: %s\nendpoints:\n", testAgent, testToken)
	for _, n := range names {
		s += fmt.Sprintf("  - name: %s\n    group: demo\n    url: %s/%s\n    interval: 50ms\n    conditions: [\"[STATUS] == 200\"]\n    monitored-by: [%s]\n",
			n, target, n, testAgent)
	}
	return s
}

// freeLoopbackAddr is a port nothing listens on right now.
func freeLoopbackAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestFollowsTheRealCentral runs the central extension itself, so the wire
// format, ETag and reload path are the real ones rather than the contract
// as assignmentstest restates it.
func TestFollowsTheRealCentral(t *testing.T) {
	target := upTarget(t)
	dir := t.TempDir()
	monitoring := filepath.Join(dir, "monitoring.yaml")
	require.NoError(t, os.WriteFile(monitoring, []byte(monitoringYAML(target.URL, "a")), 0o600))

	f := centralextension.NewFactory()
	ccfg := f.CreateDefaultConfig().(*centralextension.Config)
	ccfg.MonitoringFile = monitoring
	ccfg.API.NetAddr.Endpoint = freeLoopbackAddr(t)
	ccfg.Metrics.NetAddr.Endpoint = freeLoopbackAddr(t)
	ccfg.Storage.Path = filepath.Join(dir, "quorate.db")
	central, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), ccfg)
	require.NoError(t, err)
	require.NoError(t, central.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, central.Shutdown(context.Background())) })

	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.AgentID = testAgent
	cc := cfg.Central.GetOrInsertDefault()
	cc.Endpoint = "http://" + ccfg.API.NetAddr.Endpoint
	cc.Token = configopaque.String(testToken)
	cc.RefreshInterval = testRefresh
	cc.CacheFile = filepath.Join(dir, "assignments.json")
	require.NoError(t, cfg.Validate())
	log, logs := observed(t)
	_, sink := startAgent(t, cfg, log)

	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_a"] >= 2 }, patience, 5*time.Millisecond)
	first := nthLog(t, logs, "Applied assignments", 1)
	require.Equal(t, []string{"demo_a"}, keys(first, "started"))

	// The central reloads the edited file; the agent follows without a restart.
	require.NoError(t, os.WriteFile(monitoring, []byte(monitoringYAML(target.URL, "a", "b")), 0o600))
	second := nthLog(t, logs, "Applied assignments", 2)
	require.Equal(t, []string{"demo_b"}, keys(second, "started"))
	require.EqualValues(t, 1, second.ContextMap()["unchanged"])
	require.NotEqual(t, first.ContextMap()["checksum"], second.ContextMap()["checksum"])
	require.Eventually(t, func() bool { return resultsByKey(sink)["demo_b"] >= 2 }, patience, 5*time.Millisecond)
}

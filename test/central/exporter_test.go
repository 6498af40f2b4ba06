package central

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
)

// agentExporter is the otlp_http exporter an agent pushes with, without a
// queue or retries so that each call shows the central's answer.
func agentExporter(t *testing.T, c *central, token string) exporter.Logs {
	t.Helper()
	f := otlphttpexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlphttpexporter.Config)
	cfg.ClientConfig.Endpoint = c.otlp
	cfg.ClientConfig.Headers.Set("Authorization", configopaque.String("Bearer "+token))
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.Enabled = false
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func TestAgentExporterSeesTheCentralsAnswers(t *testing.T) {
	c := startCentral(t)
	eu := agentExporter(t, c, "central-test-eu")
	if err := eu.ConsumeLogs(context.Background(), results(probe{"eu", "core_api", true})); err != nil {
		t.Fatalf("accepted batch: %v", err)
	}
	// A record for an endpoint no longer assigned is dropped without an
	// error, so the exporter moves on to what is queued behind it.
	if err := eu.ConsumeLogs(context.Background(), results(probe{"eu", "core_api", true}, probe{"eu", "_us-only", true})); err != nil {
		t.Fatalf("batch with an unassigned record: %v, want success", err)
	}
	// A record in another agent's name is refused for good: no retry.
	err := eu.ConsumeLogs(context.Background(), results(probe{"us", "core_api", true}))
	if err == nil || !consumererror.IsPermanent(err) {
		t.Fatalf("batch in another agent's name: %v, want a permanent error", err)
	}
	err = agentExporter(t, c, "central-test-mars").ConsumeLogs(context.Background(), results(probe{"eu", "core_api", true}))
	if err == nil || !consumererror.IsPermanent(err) {
		t.Fatalf("unknown token: %v, want a permanent error", err)
	}
	c.stop()
	if n := countRows(t, c.db, "r.agent_id = ?", "eu"); n != 2 {
		t.Fatalf("%d results of eu stored, want the 2 accepted", n)
	}
}

package central

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryRunsTheCentralExample runs bin/quorate with examples/central.yaml
// and examples/monitoring.yaml, moved to free ports and a temporary database
// through the QUORATE_* variables the example reads.
func TestBinaryRunsTheCentralExample(t *testing.T) {
	bin := os.Getenv("QUORATE_BIN")
	if bin == "" {
		t.Skip("QUORATE_BIN is not set: run `make test`, which builds bin/quorate and sets it")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	dir := t.TempDir()
	c := &central{db: filepath.Join(dir, "quorate.db")}
	otlpAddr, apiAddr, metricsAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	c.otlp, c.api, c.metrics = "http://"+otlpAddr, "http://"+apiAddr, "http://"+metricsAddr

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// level=none keeps the collector's own metrics off port 8888, which tests
	// running in parallel would otherwise fight over.
	cmd := exec.CommandContext(ctx, bin, "--config", filepath.Join("examples", "central.yaml"), "--set=service::telemetry::metrics::level=none")
	cmd.Dir = root // the example's monitoring_file is relative to it
	cmd.Env = append(os.Environ(),
		"QUORATE_DB="+c.db,
		"QUORATE_CENTRAL_FILE="+filepath.Join(dir, "central.jsonl"),
		"QUORATE_OTLP_ENDPOINT="+otlpAddr,
		"QUORATE_API_ENDPOINT="+apiAddr,
		"QUORATE_METRICS_ENDPOINT="+metricsAddr,
	)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// done closes when the process has exited; waitErr is valid after that.
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-done
	}()

	// Ready once the agent API answers.
	for {
		resp, err := http.Get(c.api + "/api/v1/agents")
		if err == nil {
			_ = resp.Body.Close()
			break
		}
		select {
		case <-done:
			t.Fatalf("quorate exited: %v\n%s", waitErr, stderr.String())
		case <-ctx.Done():
			t.Fatalf("quorate did not become ready\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}

	for _, s := range []struct {
		name  string
		token string
		p     probe
		want  int
	}{
		{"own result", "demo-token-eu-replace-me", probe{"eu", "demo_health", true}, http.StatusOK},
		{"in another agent's name", "demo-token-eu-replace-me", probe{"us", "demo_health", true}, http.StatusForbidden},
		{"not assigned to ap (dropped, answered 200)", "demo-token-ap-replace-me", probe{"ap", "demo_port", true}, http.StatusOK},
		{"unknown token", "not-a-token", probe{"eu", "demo_health", true}, http.StatusUnauthorized},
	} {
		if got := post(t, c, s.token, results(s.p)).StatusCode; got != s.want {
			t.Errorf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	metrics := scrape(t, c.metrics)
	for _, w := range []string{
		`quorate_results_rejected_total{agent_id="eu",reason="agent_mismatch"} 1`,
		`quorate_results_rejected_total{agent_id="ap",reason="not_assigned"} 1`,
		`quorate_results_total{agent_id="eu",endpoint_key="demo_health",success="true"} 1`,
	} {
		if !strings.Contains(metrics, w+"\n") {
			t.Errorf("metrics lack %s", w)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-done
	if waitErr != nil {
		t.Fatalf("quorate exited with %v after SIGTERM\n%s", waitErr, stderr.String())
	}
	if n := countRows(t, c.db, "1 = 1"); n != 1 {
		t.Errorf("%d results stored, want the 1 accepted", n)
	}
	if !strings.Contains(stderr.String(), "Monitoring config keys accepted but not used") {
		t.Errorf("the unused Gatus key ui was not reported at startup:\n%s", stderr.String())
	}
}

// Package binary drives the built collector, bin/quorate, the way a user does:
// `components`, `validate` and a live run of the shipped examples against
// loopback targets. `make test` builds the binary first and points
// QUORATE_BIN at it.
package binary

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/quorate/quorate/internal/demotarget"
	"github.com/quorate/quorate/internal/resultschema"
)

// quorateBin is the collector under test; without it (plain `go test`) the
// tests skip and say how to run them.
func quorateBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("QUORATE_BIN")
	if bin == "" {
		t.Skip("QUORATE_BIN is not set: run `make test`, which builds bin/quorate and sets it")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("QUORATE_BIN=%s: %v (run `make build`)", bin, err)
	}
	return bin
}

// noTelemetryPort keeps the collector's own metrics off port 8888, which
// tests running in parallel would otherwise fight over.
const noTelemetryPort = "--set=service::telemetry::metrics::level=none"

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, quorateBin(t), args...)
	cmd.Dir = repoRoot(t) // examples name other files relative to the repository
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func TestComponentsListsProbeReceiver(t *testing.T) {
	out, stderr, err := run(t, "components")
	if err != nil {
		t.Fatalf("components: %v\n%s", err, stderr)
	}
	for _, want := range []string{"name: probe", "name: otlp", "name: otlp_http", "name: debug", "name: file", "name: batch", "name: memory_limiter", "name: file_storage", "name: quorum", "name: quorate_central", "name: agent"} {
		if !strings.Contains(out, want) {
			t.Errorf("components output lacks %q", want)
		}
	}
}

func TestValidateAcceptsExamples(t *testing.T) {
	matches, _ := filepath.Glob(filepath.Join(repoRoot(t), "examples", "*.yaml"))
	if len(matches) == 0 {
		t.Fatal("no examples/*.yaml")
	}
	for _, path := range matches {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(raw, []byte("\nservice:")) {
			continue // not a collector config (e.g. the central's monitoring file)
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, stderr, err := run(t, "validate", "--config", path); err != nil {
				t.Fatalf("validate %s: %v\n%s", path, err, stderr)
			}
		})
	}
}

func TestValidateRejectsBadEndpoints(t *testing.T) {
	tests := []struct {
		name      string
		endpoint  string
		wantInErr []string
	}{
		{
			name:      "condition without comparator",
			endpoint:  "name: api\n        url: http://127.0.0.1:1/\n        conditions: [\"[STATUS] 200\"]",
			wantInErr: []string{`"api"`, `[STATUS] 200`},
		},
		{
			name:      "unknown scheme",
			endpoint:  "name: ftp-box\n        url: ftp://127.0.0.1/\n        conditions: [\"[CONNECTED] == true\"]",
			wantInErr: []string{`"ftp-box"`, "url"},
		},
		{
			name:      "no conditions",
			endpoint:  "name: bare\n        url: http://127.0.0.1:1/",
			wantInErr: []string{`"bare"`, "conditions"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "receivers:\n  probe:\n    endpoints:\n      - " + tt.endpoint + "\n" +
				"exporters:\n  debug: {}\nservice:\n  pipelines:\n    logs:\n      receivers: [probe]\n      exporters: [debug]\n"
			path := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, err := run(t, "validate", "--config", path)
			if err == nil {
				t.Fatalf("validate accepted:\n%s", cfg)
			}
			for _, want := range tt.wantInErr {
				if !strings.Contains(stderr, want) {
					t.Errorf("error lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestStandaloneExampleWritesResults runs examples/standalone.yaml against a
// demo target that fails for this agent, and reads the file exporter's output.
func TestStandaloneExampleWritesResults(t *testing.T) {
	bin := quorateBin(t)
	target := demotarget.New()
	target.SetFailing([]string{"local"}, false)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: target}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	dir := t.TempDir()
	resultsFile := filepath.Join(dir, "results.jsonl")
	cmd := exec.Command(bin, "--config", filepath.Join(repoRoot(t), "examples", "standalone.yaml"), noTelemetryPort)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "QUORATE_DEMO_TARGET="+ln.Addr().String(), "QUORATE_RESULTS_FILE="+resultsFile)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("collector did not stop cleanly on SIGTERM: %v\n%s", err, logs.String())
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("collector still running 30s after SIGTERM")
		}
	}()

	// The first probe of a 10s endpoint starts within its interval; allow
	// generous time so a loaded CI machine does not turn this into a timing test.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("collector exited early: %v\n%s", err, logs.String())
		default:
		}
		if rec, ok := findResult(t, resultsFile, "demo_health"); ok {
			checkFailedHealth(t, rec)
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("no result for demo_health in %s within 60s; collector output:\n%s", resultsFile, logs.String())
}

func findResult(t *testing.T, path, key string) (resultschema.Decoded, bool) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return resultschema.Decoded{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var u plog.JSONUnmarshaler
	for sc.Scan() {
		ld, err := u.UnmarshalLogs(sc.Bytes())
		if err != nil {
			continue // a line still being written
		}
		decoded, err := resultschema.DecodeLogs(ld)
		if err != nil {
			t.Fatalf("results file holds records that do not decode: %v", err)
		}
		for _, d := range decoded {
			if d.Key == key {
				return d, true
			}
		}
	}
	return resultschema.Decoded{}, false
}

func checkFailedHealth(t *testing.T, d resultschema.Decoded) {
	t.Helper()
	if d.AgentID != "local" || d.Name != "health" || d.Group != "demo" || d.Type != "HTTP" {
		t.Errorf("identity = agent %q name %q group %q type %q", d.AgentID, d.Name, d.Group, d.Type)
	}
	if d.Result.Success || d.Result.HTTPStatus != 503 {
		t.Errorf("success=%v status=%d, want false and 503", d.Result.Success, d.Result.HTTPStatus)
	}
	var got []string
	for _, c := range d.Result.ConditionResults {
		got = append(got, c.Condition)
	}
	want := []string{"[STATUS] (503) == 200", "[BODY].status (DOWN) == UP", "[RESPONSE_TIME] < 300"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("conditions = %q, want %q", got, want)
	}
	if d.Labels["team"] != "sre" {
		t.Errorf("labels = %v, want team=sre", d.Labels)
	}
}

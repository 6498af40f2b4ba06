package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// demoEnv is what scripts/demo.sh exports for the demo's monitoring file.
var demoEnv = []string{
	"QUORATE_DEMO_TARGET_OK=127.0.0.1:18090",
	"QUORATE_DEMO_TARGET_ONE_REGION=127.0.0.1:18091",
	"QUORATE_DEMO_TARGET_ALL_DOWN=127.0.0.1:18092",
}

func TestShippedAgentAndDemoConfigsValidate(t *testing.T) {
	bin := quorateBin(t)
	tests := []struct {
		name   string
		config string
		env    []string
	}{
		{"agent example with its defaults", "examples/agent.yaml", nil},
		{"agent example as make demo runs it", "examples/agent.yaml", []string{
			"QUORATE_AGENT_ID=ap", "QUORATE_AGENT_TOKEN=demo-token-ap-replace-me",
			"QUORATE_CENTRAL_API=http://127.0.0.1:18081", "QUORATE_CENTRAL_OTLP=http://127.0.0.1:18080",
			"QUORATE_REFRESH_INTERVAL=5s", "QUORATE_ASSIGNMENTS_FILE=" + filepath.Join(t.TempDir(), "a.json"),
			"QUORATE_TELEMETRY_PORT=18102", "QUORATE_QUEUE_SIZE=5", "QUORATE_MAX_BATCH_SIZE=5",
		}},
		{"central with the demo monitoring file", "examples/central.yaml", append([]string{
			"QUORATE_MONITORING_FILE=examples/demo/monitoring.yaml",
		}, demoEnv...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, "validate", "--config", tt.config)
			cmd.Dir = repoRoot()
			cmd.Env = append(os.Environ(), tt.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("validate %s: %v\n%s", tt.config, err, out)
			}
		})
	}
}

// TestMakeDemoShowsDegradedAndFiring runs scripts/demo.sh (what make demo
// runs) on free ports until its status shows the one-agent failure as
// degraded and the all-agents failure as firing, then stops it with
// Ctrl-C's signal and checks that it shuts everything down.
func TestMakeDemoShowsDegradedAndFiring(t *testing.T) {
	quorateBin(t)
	if _, err := os.Stat(filepath.Join(repoRoot(), "bin", "quorate")); err != nil {
		t.Skip("scripts/demo.sh runs bin/quorate, which is not built")
	}
	for _, tool := range []string{"bash", "curl", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the demo needs %s", tool)
		}
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := freeDemoPorts(t)
	cmd := exec.CommandContext(ctx, "bash", "scripts/demo.sh")
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), fmt.Sprintf("QUORATE_DEMO_PORT=%d", base), "QUORATE_DEMO_DIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := bufio.NewScanner(stdout)
	status := map[string]string{}
	statusLine := regexp.MustCompile(`^\s+(demo_\S+)\s+(firing=\S+ degraded=\S+)`)
	want := map[string]string{
		"demo_ok":         "firing=0 degraded=0",
		"demo_one-region": "firing=0 degraded=1",
		"demo_all-down":   "firing=1 degraded=0",
	}
	reached := false
	for !reached && lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if m := statusLine.FindStringSubmatch(lines.Text()); m != nil {
			status[m[1]] = m[2]
		}
		reached = len(status) == len(want)
		for k, v := range want {
			reached = reached && status[k] == v
		}
	}
	if !reached {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("the demo never showed %v\nstdout:\n%s\nstderr:\n%s", want, out.String(), stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("demo exited with %v after Ctrl-C\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	if !strings.Contains(out.String(), "demo stopped") {
		t.Errorf("the demo did not report stopping:\n%s", out.String())
	}
	// Nothing of the demo listens any more.
	for _, port := range demoPorts(base) {
		if listening(port) {
			t.Errorf("port %d still answers after the demo stopped", port)
		}
	}
}

// demoPorts are the ports scripts/demo.sh uses from its base port.
func demoPorts(base int) []int {
	return []int{base, base + 1, base + 2, base + 10, base + 11, base + 12, base + 20, base + 21, base + 22}
}

// freeDemoPorts picks a base port for the demo, below the ephemeral range
// the other tests' free ports come from, whose demo ports are all free.
func freeDemoPorts(t *testing.T) int {
	for range 20 {
		base := 20000 + 100*rand.IntN(100)
		if !slices.ContainsFunc(demoPorts(base), listening) {
			return base
		}
	}
	t.Fatal("found no free block of ports for the demo")
	return 0
}

func listening(port int) bool {
	conn, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err == nil {
		_ = conn.Close()
	}
	return err == nil
}

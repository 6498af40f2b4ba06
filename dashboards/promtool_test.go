package dashboards

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// promtool returns the path of Prometheus's promtool, the parser and rule
// evaluator these tests rely on (Prometheus itself is too large a
// dependency for go.mod). In CI (CI=true; .ci/run installs Debian's
// prometheus package) a missing promtool fails the test, elsewhere it skips.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err == nil {
		return path
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatalf("promtool not in PATH with CI=true: install it (apt-get install prometheus): %v", err)
	}
	t.Skipf("promtool not in PATH (apt-get install prometheus); skipping: %v", err)
	return ""
}

// runPromtool runs promtool with args in dir and fails the test with its
// output when it exits non-zero.
func runPromtool(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v (in %s): %v\n%s", args, dir, err, out)
	}
	return string(out)
}

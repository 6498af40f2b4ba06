package alertmanager

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The end-to-end test runs Debian's Alertmanager (package
// prometheus-alertmanager) on loopback, drives a K-of-M incident through
// the engine and reads what Alertmanager's webhook receivers get.

// alertmanagerBinary is the Alertmanager to run. In CI (CI=true; .ci/run
// installs prometheus-alertmanager) a missing one fails, elsewhere it skips.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		t.Fatal("prometheus-alertmanager not in PATH with CI=true: install it (apt-get install prometheus-alertmanager)")
	}
	t.Skip("prometheus-alertmanager not in PATH (apt-get install prometheus-alertmanager); skipping the end-to-end test")
	return ""
}

// amConfig routes alerts with send_on_resolved="false" to a receiver with
// send_resolved: false, the way the README tells users to honour Gatus's
// send-on-resolved, and everything else to one that notifies resolutions.
const amConfig = `
route:
  receiver: loud
  group_by: [alertname, endpoint_key]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: quiet
      matchers: ['send_on_resolved="false"']
receivers:
  - name: loud
    webhook_configs:
      - url: %[1]s/loud
        send_resolved: true
  - name: quiet
    webhook_configs:
      - url: %[1]s/quiet
        send_resolved: false
`

// notification is the part of Alertmanager's webhook payload we read.
type notification struct {
	Receiver string `json:"receiver"`
	Status   string `json:"status"`
	Alerts   []struct {
		Status      string            `json:"status"`
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
		EndsAt      time.Time         `json:"endsAt"`
	} `json:"alerts"`
}

// webhook keeps the notifications of each receiver, in arrival order.
type webhook struct {
	mu  sync.Mutex
	got map[string][]notification
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var n notification
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got[r.URL.Path] = append(w.got[r.URL.Path], n)
}

func (w *webhook) notifications(path string) []notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]notification(nil), w.got[path]...)
}

// has reports whether path received an alert of endpoint key with status.
func (w *webhook) has(path, key, status string) bool {
	for _, n := range w.notifications(path) {
		for _, a := range n.Alerts {
			if a.Labels[LabelEndpointKey] == key && a.Status == status {
				return true
			}
		}
	}
	return false
}

// countingTransport counts the posts that reached Alertmanager.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK {
		c.n.Add(1)
	}
	return resp, err
}

// lockedBuffer collects Alertmanager's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startAlertmanager runs Alertmanager on a free loopback port, without
// clustering, and returns its base URL once it is ready.
func startAlertmanager(t *testing.T, receiverURL string) string {
	t.Helper()
	bin := alertmanagerBinary(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	require.NoError(t, os.WriteFile(cfg, fmt.Appendf(nil, amConfig, receiverURL), 0o600))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	out := &lockedBuffer{}
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--cluster.listen-address=", // no gossip, no other port
		"--log.level=debug",
	)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("alertmanager output:\n%s", out)
		}
	})

	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		select {
		case <-exited:
			t.Fatalf("alertmanager exited before it was ready:\n%s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready at %s: %v\n%s", base, err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// activeAlerts is Alertmanager's list of alerts not yet resolved for one
// endpoint key.
func activeAlerts(t *testing.T, base, key string) int {
	t.Helper()
	q := url.Values{"filter": {fmt.Sprintf("%s=%q", LabelEndpointKey, key)}}
	resp, err := http.Get(base + "/api/v2/alerts?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var alerts []json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&alerts))
	return len(alerts)
}

func TestEndToEndWithARealAlertmanager(t *testing.T) {
	hook := &webhook{got: map[string][]notification{}}
	receiver := httptest.NewServer(hook)
	defer receiver.Close()
	base := startAlertmanager(t, receiver.URL)

	r := newRig(t, false) // the wall clock: Alertmanager compares times with its own
	posts := &countingTransport{}
	client, err := NewClient(&http.Client{Transport: posts, Timeout: 10 * time.Second}, base)
	require.NoError(t, err)
	n, err := New(Options{Client: client, Source: r.eng, ResendInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	r.eng.Subscribe(n.Sink)
	n.Start()
	defer func() { require.NoError(t, n.Shutdown(t.Context())) }()

	// core/api: 3 agents, agent-quorum 2. One failing agent is degraded
	// only, then a second one makes the quorum fire.
	r.round(keyAPI, euFails, allAgent...)
	r.round(keyAPI, euFails, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	r.round(keyAPI, twoFail, allAgent...)
	// web: send-on-resolved false, agent-quorum 1.
	r.round(keyWeb, map[string]bool{"eu": false, "us": true}, "eu", "us")

	waitFor(t, "the firing notification of core/api", func() bool { return hook.has("/loud", keyAPI, "firing") })
	waitFor(t, "the firing notification of web", func() bool { return hook.has("/quiet", keyWeb, "firing") })

	// A few resends of the firing alerts reach Alertmanager, which must
	// dedupe them (repeat_interval is 1h).
	sent := posts.n.Load()
	waitFor(t, "resends", func() bool { return posts.n.Load() >= sent+3 })

	// web recovers: its resolution reaches Alertmanager.
	r.round(keyWeb, map[string]bool{"eu": true, "us": true}, "eu", "us")
	waitFor(t, "web to be resolved in Alertmanager", func() bool { return activeAlerts(t, base, keyWeb) == 0 })

	// core/api recovers: one agent left triggered is below the quorum.
	r.round(keyAPI, euFails, allAgent...)
	r.round(keyAPI, euFails, allAgent...)
	waitFor(t, "the resolved notification of core/api", func() bool { return hook.has("/loud", keyAPI, "resolved") })

	// Notifications of a group arrive in order: everything core/api caused
	// up to its resolution is here.
	var firing, resolved int
	for _, nt := range hook.notifications("/loud") {
		for _, a := range nt.Alerts {
			require.Equal(t, keyAPI, a.Labels[LabelEndpointKey], "only core/api is routed to loud")
			switch a.Status {
			case "firing":
				firing++
				assert.Equal(t, 0, resolved, "no firing after the resolution")
				assert.Equal(t, "QuorateQuorumFiring", a.Labels[LabelAlertName])
				assert.Equal(t, "true", a.Labels[LabelSendOnResolved])
				assert.Equal(t, "eu,us", a.Annotations[AnnotationTriggeredAgents])
				assert.Equal(t, "2/3", a.Annotations[AnnotationQuorum])
				assert.Equal(t, "eu: [STATUS] (503) == 200\nus: [STATUS] (503) == 200", a.Annotations[AnnotationFailures])
			case "resolved":
				resolved++
				assert.Equal(t, "eu", a.Annotations[AnnotationTriggeredAgents])
				assert.False(t, a.EndsAt.Before(a.StartsAt))
			}
		}
	}
	assert.Equal(t, 1, firing, "exactly one firing alert for the incident, not one per agent nor one per resend")
	assert.Equal(t, 1, resolved, "and its resolution")

	quiet := hook.notifications("/quiet")
	require.Len(t, quiet, 1, "web: the firing only; its receiver does not notify resolutions")
	require.Len(t, quiet[0].Alerts, 1)
	assert.Equal(t, "firing", quiet[0].Alerts[0].Status)
	assert.Equal(t, "false", quiet[0].Alerts[0].Labels[LabelSendOnResolved])
}

package monitoring

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitLimit only keeps a broken watcher from hanging the test run; no
// assertion depends on how fast a reload happens.
const waitLimit = 20 * time.Second

func endpointsYAML(names ...string) string {
	var b strings.Builder
	b.WriteString("endpoints:\n")
	for _, n := range names {
		b.WriteString("  - {name: " + n + ", url: 'http://127.0.0.1/" + n + "', conditions: ['[STATUS] == 200']}\n")
	}
	return b.String()
}

// replaceFile writes like an editor: a temporary file renamed over the old.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

type recorder struct {
	reloads chan *Config
	errs    chan error
}

func newRecorder() *recorder {
	return &recorder{reloads: make(chan *Config, 16), errs: make(chan error, 16)}
}

func (r *recorder) options() WatcherOptions {
	return WatcherOptions{
		OnReload: func(c *Config) { r.reloads <- c },
		OnError:  func(err error) { r.errs <- err },
		Debounce: 20 * time.Millisecond,
	}
}

func (r *recorder) nextReload(t *testing.T) *Config {
	t.Helper()
	select {
	case c := <-r.reloads:
		return c
	case err := <-r.errs:
		t.Fatalf("reload failed: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("no reload after the file changed")
	}
	return nil
}

func (r *recorder) nextError(t *testing.T) error {
	t.Helper()
	select {
	case c := <-r.reloads:
		t.Fatalf("reloaded %d endpoints; want an error", len(c.Endpoints))
	case err := <-r.errs:
		return err
	case <-time.After(waitLimit):
		t.Fatal("no error reported after an invalid change")
	}
	return nil
}

func startWatcher(t *testing.T, content string) (*Watcher, *recorder, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "monitoring.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	w, err := NewWatcher(path, rec.options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return w, rec, path
}

func TestWatcherReloadsOnRenameReplace(t *testing.T) {
	w, rec, path := startWatcher(t, endpointsYAML("a"))
	if _, ok := w.Config().Endpoint("_a"); !ok {
		t.Fatal("initial config lacks endpoint a")
	}
	replaceFile(t, path, endpointsYAML("a", "b"))
	got := rec.nextReload(t)
	if _, ok := got.Endpoint("_b"); !ok {
		t.Fatalf("reloaded config lacks endpoint b")
	}
	if w.Config() != got {
		t.Error("Config() does not return the reloaded config")
	}
}

func TestWatcherReloadsOnInPlaceWrite(t *testing.T) {
	w, rec, path := startWatcher(t, endpointsYAML("a"))
	if err := os.WriteFile(path, []byte(endpointsYAML("c")), 0o600); err != nil {
		t.Fatal(err)
	}
	got := rec.nextReload(t)
	if _, ok := got.Endpoint("_c"); !ok || w.Config() != got {
		t.Fatal("in-place write was not applied")
	}
}

func TestWatcherKeepsRunningConfigOnInvalidChange(t *testing.T) {
	w, rec, path := startWatcher(t, endpointsYAML("a"))
	before := w.Config()

	replaceFile(t, path, strings.Replace(endpointsYAML("a"), "conditions:", "monitored-by: [mars], conditions:", 1))
	err := rec.nextError(t)
	for _, want := range []string{path, "keeping the running config", `monitored-by: unknown agent "mars"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not contain %q: %v", want, err)
		}
	}
	if w.Config() != before {
		t.Fatal("an invalid change replaced the running config")
	}

	// A fixed file is picked up again.
	replaceFile(t, path, endpointsYAML("a", "d"))
	if _, ok := rec.nextReload(t).Endpoint("_d"); !ok {
		t.Fatal("the fixed config was not applied")
	}
}

func TestWatcherIgnoresUnchangedContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitoring.yaml")
	if err := os.WriteFile(path, []byte(endpointsYAML("a")), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	w, err := NewWatcher(path, rec.options())
	if err != nil {
		t.Fatal(err)
	}
	// Stop the loop so the reloads below are the only ones.
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	before := w.Config()
	w.reload()
	if len(rec.reloads) != 0 || len(rec.errs) != 0 || w.Config() != before {
		t.Fatal("a reload of identical bytes replaced the config or reported")
	}
	if err := os.WriteFile(path, []byte(endpointsYAML("b")), 0o600); err != nil {
		t.Fatal(err)
	}
	w.reload()
	if len(rec.reloads) != 1 {
		t.Fatal("changed bytes were not reloaded")
	}
}

func TestWatcherConfigIsSafeToReadDuringReloads(t *testing.T) {
	w, rec, path := startWatcher(t, endpointsYAML("a"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				if len(w.Config().Endpoints) == 0 {
					t.Error("read an empty config")
					return
				}
			}
		}
	}()
	for _, names := range [][]string{{"a", "b"}, {"c"}, {"a", "b", "c"}} {
		replaceFile(t, path, endpointsYAML(names...))
		if got := rec.nextReload(t); len(got.Endpoints) != len(names) {
			t.Errorf("reloaded %d endpoints, want %d", len(got.Endpoints), len(names))
		}
	}
	close(stop)
	wg.Wait()
}

func TestNewWatcherRefusesInvalidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitoring.yaml")
	if err := os.WriteFile(path, []byte("endpoints: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if w, err := NewWatcher(path, WatcherOptions{}); err == nil {
		_ = w.Stop()
		t.Fatal("an invalid file started a watcher")
	}
}

func TestWatcherStopIsIdempotent(t *testing.T) {
	w, _, _ := startWatcher(t, endpointsYAML("a"))
	if err := w.Stop(); err != nil {
		t.Fatal(err)
	}
	// t.Cleanup stops it again; goleak in TestMain checks nothing is left.
}

func TestWatcherFollowsConfigMapSymlinkSwap(t *testing.T) {
	// Kubernetes mounts a ConfigMap as name -> ..data/name, and updates it
	// by pointing ..data at a new directory; the file's own name sees no event.
	dir := t.TempDir()
	writeVersion := func(version, content string) {
		t.Helper()
		if err := os.Mkdir(filepath.Join(dir, version), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, version, "monitoring.yaml"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(version, filepath.Join(dir, "..data_tmp")); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
	}
	writeVersion("..v1", endpointsYAML("a"))
	path := filepath.Join(dir, "monitoring.yaml")
	if err := os.Symlink(filepath.Join("..data", "monitoring.yaml"), path); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	w, err := NewWatcher(path, rec.options())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()

	writeVersion("..v2", endpointsYAML("a", "e"))
	if _, ok := rec.nextReload(t).Endpoint("_e"); !ok {
		t.Fatal("the swapped config was not applied")
	}
}

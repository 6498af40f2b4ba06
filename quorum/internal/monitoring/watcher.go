package monitoring

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long the watcher waits after the last file event
// before reloading: editors write, rename and chmod in quick succession.
const DefaultDebounce = 200 * time.Millisecond

// WatcherOptions tune a Watcher. The callbacks run on the watcher's
// goroutine, one at a time; they must not call Stop.
type WatcherOptions struct {
	// OnReload receives each new config after it replaced the running one.
	OnReload func(*Config)
	// OnError receives why a change was not applied; the running config
	// stays. The caller logs it.
	OnError func(error)
	// Debounce overrides DefaultDebounce.
	Debounce time.Duration
}

// Watcher holds the current monitoring config and reloads it when the file
// changes, without a restart.
//
// It watches the file's directory rather than the file, so that an editor's
// write-to-temp-and-rename and a Kubernetes ConfigMap's symlink swap (..data)
// are both seen. A reload happens only when the file's bytes changed.
type Watcher struct {
	path     string
	opts     WatcherOptions
	current  atomic.Pointer[Config]
	fs       *fsnotify.Watcher
	done     chan struct{}
	finished chan struct{}
	stopOnce sync.Once
	lastSum  [sha256.Size]byte
}

// NewWatcher loads the file (an invalid file is an error) and starts
// watching it. Call Stop when done.
func NewWatcher(path string, opts WatcherOptions) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read monitoring config: %w", err)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("monitoring config %s: %w", path, err)
	}
	fs, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch monitoring config: %w", err)
	}
	if err := fs.Add(filepath.Dir(path)); err != nil {
		_ = fs.Close()
		return nil, fmt.Errorf("watch the directory of %s: %w", path, err)
	}
	w := &Watcher{
		path:     path,
		opts:     opts,
		fs:       fs,
		done:     make(chan struct{}),
		finished: make(chan struct{}),
		lastSum:  sha256.Sum256(data),
	}
	w.current.Store(cfg)
	go w.loop()
	return w, nil
}

// Config is the running config. Each call may return a newer one; hold on
// to the returned pointer for a consistent view.
func (w *Watcher) Config() *Config { return w.current.Load() }

// Stop ends watching and waits for the watcher's goroutine. It is safe to
// call more than once.
func (w *Watcher) Stop() error {
	var err error
	w.stopOnce.Do(func() {
		close(w.done)
		<-w.finished
		err = w.fs.Close()
	})
	return err
}

func (w *Watcher) loop() {
	defer close(w.finished)
	var (
		timer  *time.Timer
		fire   <-chan time.Time
		target = filepath.Base(w.path)
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if !concerns(ev, target) {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(w.opts.Debounce)
			} else {
				timer.Reset(w.opts.Debounce)
			}
			fire = timer.C
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(fmt.Errorf("watching monitoring config %s: %w", w.path, err))
		case <-fire:
			fire = nil
			w.reload()
		}
	}
}

// concerns reports whether a directory event may have changed the file:
// an event on its name, or on Kubernetes's ..data links.
func concerns(ev fsnotify.Event, target string) bool {
	base := filepath.Base(ev.Name)
	return base == target || strings.HasPrefix(base, "..")
}

func (w *Watcher) reload() {
	data, err := os.ReadFile(w.path)
	if err != nil {
		w.report(fmt.Errorf("reload monitoring config: %w; keeping the running config", err))
		return
	}
	sum := sha256.Sum256(data)
	if sum == w.lastSum {
		return
	}
	w.lastSum = sum
	cfg, err := Parse(data)
	if err != nil {
		w.report(fmt.Errorf("reload monitoring config %s: keeping the running config: %w", w.path, err))
		return
	}
	w.current.Store(cfg)
	if w.opts.OnReload != nil {
		w.opts.OnReload(cfg)
	}
}

func (w *Watcher) report(err error) {
	if w.opts.OnError != nil {
		w.opts.OnError(err)
	}
}

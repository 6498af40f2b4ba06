package centralextension

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	"go.uber.org/zap"

	"github.com/quorate/quorate/quorum/internal/alertmanager"
	"github.com/quorate/quorate/quorum/internal/api"
	"github.com/quorate/quorate/quorum/internal/engine"
)

// pruneInterval is how often the storage retention is applied.
const pruneInterval = time.Hour

// Central is what other Quorate components find in host.GetExtensions():
// the quorum processor takes the engine from it.
type Central interface {
	// Engine is the running engine; nil before Start and after Shutdown.
	Engine() *engine.Engine
}

type central struct {
	cfg *Config
	set extension.Settings
	eng atomic.Pointer[engine.Engine]

	servers []*http.Server
	// addrs are the servers' listening addresses by name, for tests that
	// listen on port 0.
	addrs map[string]net.Addr
	stop  chan struct{}
	loops sync.WaitGroup

	// notifier posts to Alertmanager when alertmanager.url is set.
	notifier    *alertmanager.Notifier
	unsubscribe func()
}

var (
	_ extension.Extension            = (*central)(nil)
	_ extensionauth.Server           = (*central)(nil)
	_ extensionmiddleware.HTTPServer = (*central)(nil)
	_ extensionmiddleware.GRPCServer = (*central)(nil)
	_ Central                        = (*central)(nil)
)

func newCentral(cfg *Config, set extension.Settings) *central {
	return &central{cfg: cfg, set: set}
}

func (c *central) Engine() *engine.Engine { return c.eng.Load() }

// Start opens the engine (monitoring config, storage, restored state) and
// starts the API and metrics servers and the ticker.
func (c *central) Start(ctx context.Context, host component.Host) error {
	eng, err := engine.Open(ctx, engine.Options{
		MonitoringFile: c.cfg.MonitoringFile,
		Storage:        c.cfg.Storage,
		Logger:         c.set.Logger,
	})
	if err != nil {
		return fmt.Errorf("quorate_central: %w", err)
	}
	c.stop = make(chan struct{})
	apiHandler := touchOnAssignments(eng, api.NewHandler(eng, eng.Authenticator(), c.set.Logger))
	for _, s := range []struct {
		name    string
		cfg     *confighttp.ServerConfig
		handler http.Handler
	}{
		{"api", &c.cfg.API, apiHandler},
		{"metrics", &c.cfg.Metrics, metricsHandler(eng)},
	} {
		if err := c.serve(ctx, host, s.name, s.cfg, s.handler); err != nil {
			c.stopServers(ctx)
			_ = eng.Close(ctx)
			return err
		}
	}
	if err := c.startNotifier(ctx, host, eng); err != nil {
		c.stopServers(ctx)
		_ = eng.Close(ctx)
		return err
	}
	c.eng.Store(eng)
	c.loops.Add(1)
	go c.loop(eng, c.stop)
	return nil
}

func (c *central) serve(ctx context.Context, host component.Host, name string, sc *confighttp.ServerConfig, h http.Handler) error {
	ln, err := sc.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("quorate_central: listen on %s.endpoint %q: %w", name, sc.NetAddr.Endpoint, err)
	}
	srv, err := sc.ToServer(ctx, host.GetExtensions(), c.set.TelemetrySettings, h)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("quorate_central: %s server: %w", name, err)
	}
	c.servers = append(c.servers, srv)
	if c.addrs == nil {
		c.addrs = map[string]net.Addr{}
	}
	c.addrs[name] = ln.Addr()
	c.set.Logger.Info("Quorate central server listening", zap.String("server", name), zap.String("address", ln.Addr().String()))
	c.loops.Add(1)
	go func() {
		defer c.loops.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(fmt.Errorf("quorate_central %s server: %w", name, err)))
		}
	}()
	return nil
}

// loop ticks the engine and prunes the storage until Shutdown.
func (c *central) loop(eng *engine.Engine, stop <-chan struct{}) {
	defer c.loops.Done()
	tick := time.NewTicker(c.cfg.TickInterval)
	defer tick.Stop()
	prune := time.NewTimer(0) // once at start, then hourly
	defer prune.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := eng.Tick(ctx, now); err != nil && !errors.Is(err, engine.ErrClosed) {
				c.set.Logger.Error("Quorum tick failed", zap.Error(err))
			}
			cancel()
		case now := <-prune.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			if _, err := eng.Prune(ctx, now); err != nil && !errors.Is(err, engine.ErrClosed) {
				c.set.Logger.Error("Storage retention failed", zap.Error(err))
			}
			cancel()
			prune.Reset(pruneInterval)
		}
	}
}

// Shutdown stops the servers and the ticker, then saves the state and
// closes the storage.
func (c *central) Shutdown(ctx context.Context) error {
	eng := c.eng.Swap(nil)
	if c.stop != nil {
		close(c.stop)
		c.stop = nil
	}
	serr := c.stopServers(ctx)
	c.loops.Wait()
	c.stopNotifier(ctx)
	if eng == nil {
		return serr
	}
	return errors.Join(serr, eng.Close(ctx))
}

// startNotifier subscribes the Alertmanager notifier to the engine's
// transitions and posts the alerts already firing; nothing when
// alertmanager.url is empty.
func (c *central) startNotifier(ctx context.Context, host component.Host, eng *engine.Engine) error {
	amc := &c.cfg.Alertmanager
	if !amc.Enabled() {
		return nil
	}
	hc, err := amc.ToClient(ctx, host.GetExtensions(), c.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("quorate_central: alertmanager client: %w", err)
	}
	client, err := alertmanager.NewClient(hc, amc.URL)
	if err != nil {
		return fmt.Errorf("quorate_central: alertmanager.%w", err)
	}
	n, err := alertmanager.New(alertmanager.Options{
		Client:         client,
		Source:         eng,
		Logger:         c.set.Logger,
		ResendInterval: amc.ResendInterval,
		Labels:         amc.Labels,
	})
	if err != nil {
		return fmt.Errorf("quorate_central: %w", err)
	}
	c.unsubscribe = eng.Subscribe(n.Sink)
	n.Start()
	c.notifier = n
	c.set.Logger.Info("Posting quorum alerts to Alertmanager", zap.Stringer("notifier", n))
	return nil
}

// stopNotifier stops hearing transitions and tries once more to post what
// is pending. What cannot be posted is logged by the notifier, not an
// error of the shutdown: Alertmanager being away must not fail it.
func (c *central) stopNotifier(ctx context.Context) {
	if c.unsubscribe != nil {
		c.unsubscribe()
		c.unsubscribe = nil
	}
	if c.notifier != nil {
		_ = c.notifier.Shutdown(ctx)
		c.notifier = nil
	}
}

func (c *central) stopServers(ctx context.Context) error {
	var errs []error
	for _, srv := range c.servers {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	c.servers = nil
	return errors.Join(errs...)
}

// metricsHandler serves the product metrics at /metrics only.
func metricsHandler(eng *engine.Engine) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", eng.Metrics().Handler())
	return mux
}

// touchOnAssignments records an agent's contact when it fetched its
// assignments with its own token (the API answered 200 or 304), so an agent
// that polls keeps counting as alive.
func touchOnAssignments(eng *engine.Engine, h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(api.AssignmentsPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		if rec.status == http.StatusOK || rec.status == http.StatusNotModified {
			_ = eng.Touch(r.Context(), r.PathValue("agentId"))
		}
	}))
	mux.Handle("/", h)
	return mux
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

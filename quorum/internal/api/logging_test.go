package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/quorate/quorate/quorum/internal/auth"
)

func TestLogsNeverContainTokens(t *testing.T) {
	cfg := parseConfig(t, baseYAML)
	core, logs := observer.New(zap.DebugLevel)
	frozen := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	srv := httptest.NewServer(newHandler(&fakeSource{cfg: cfg}, auth.New(cfg), zap.New(core), frozen))
	t.Cleanup(srv.Close)
	api := &testAPI{url: srv.URL}

	const presented = "tok-presented-but-unknown"
	requests := []struct{ path, authorization string }{
		{path: euPath, authorization: bearer(presented)},                                // unknown
		{path: euPath, authorization: "Basic " + presented},                             // wrong scheme
		{path: "/api/v1/agents/us/assignments", authorization: bearer("tok-eu-5f1c2a")}, // forbidden
		{path: euPath, authorization: bearer("tok-eu-5f1c2a")},                          // rate limited
	}
	for _, req := range requests {
		api.do(t, http.MethodGet, req.path, req.authorization)
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged; the test would prove nothing")
	}
	for _, entry := range logs.All() {
		line := entry.Message + " " + fmt.Sprint(entry.ContextMap())
		for _, tok := range append([]string{presented}, testTokens...) {
			if strings.Contains(line, tok) {
				t.Errorf("log entry contains a token: %s", entry.Message)
			}
		}
	}
}

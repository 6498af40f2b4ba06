package api

import (
	"net/http"
	"testing"
	"time"
)

func TestMethodNotAllowed(t *testing.T) {
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	for _, path := range []string{AgentsPath, euPath} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			t.Run(method+" "+path, func(t *testing.T) {
				r := api.do(t, method, path, bearer("tok-eu-5f1c2a"))
				checkJSONError(t, r, http.StatusMethodNotAllowed)
				if got := r.header.Get("Allow"); got != "GET, HEAD" {
					t.Errorf("Allow = %q, want GET, HEAD", got)
				}
			})
		}
	}
}

func TestNotFound(t *testing.T) {
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	paths := []string{
		"/",
		"/api/v1",
		"/api/v1/agents/",
		"/api/v1/agents/eu",
		"/api/v1/agents/eu/assignments/",
		"/api/v1/agents/eu/assignments/extra",
		"/api/v2/agents",
		"/metrics",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			r := api.do(t, http.MethodGet, path, bearer("tok-eu-5f1c2a"))
			checkJSONError(t, r, http.StatusNotFound)
		})
	}
}

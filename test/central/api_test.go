package central

import (
	"net/http"
	"testing"
)

func TestAgentAPIThroughTheCollector(t *testing.T) {
	c := startCentral(t)
	url := c.api + "/api/v1/agents/eu/assignments"
	eu := map[string]string{"Authorization": "Bearer central-test-eu"}

	ok := get(t, url, eu)
	etag := ok.Header.Get("ETag")
	if ok.StatusCode != http.StatusOK || len(etag) < 3 || etag[0] != '"' {
		t.Fatalf("assignments: %d with ETag %q, want 200 with a quoted ETag", ok.StatusCode, etag)
	}
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"the current ETag is 304", map[string]string{"Authorization": "Bearer central-test-eu", "If-None-Match": etag}, http.StatusNotModified},
		{"a stale ETag is 200", map[string]string{"Authorization": "Bearer central-test-eu", "If-None-Match": `"old"`}, http.StatusOK},
		{"another agent's token is 403", map[string]string{"Authorization": "Bearer central-test-us"}, http.StatusForbidden},
		{"an unknown token is 401", map[string]string{"Authorization": "Bearer central-test-mars"}, http.StatusUnauthorized},
		{"no token is 401", nil, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(t, url, tt.header).StatusCode; got != tt.want {
				t.Fatalf("status %d, want %d", got, tt.want)
			}
		})
	}
	if got := get(t, c.api+"/api/v1/agents", nil).StatusCode; got != http.StatusOK {
		t.Fatalf("agents list: %d", got)
	}
}

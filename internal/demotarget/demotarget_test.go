package demotarget

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthFailsOnlyForChosenAgents(t *testing.T) {
	srv := httptest.NewServer(New())
	defer srv.Close()
	get := func(agent string) int {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/health", nil)
		req.Header.Set(AgentHeader, agent)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("eu"); got != 200 {
		t.Fatalf("before control: got %d, want 200", got)
	}
	resp, err := http.Post(srv.URL+"/control?fail-agents=eu,us", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for agent, want := range map[string]int{"eu": 503, "us": 503, "ap": 200} {
		if got := get(agent); got != want {
			t.Errorf("agent %s: got %d, want %d", agent, got, want)
		}
	}
	resp, _ = http.Post(srv.URL+"/control?fail-all=true", "", nil)
	resp.Body.Close()
	if got := get("ap"); got != 503 {
		t.Errorf("fail-all: got %d, want 503", got)
	}
}

package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const euPath = "/api/v1/agents/eu/assignments"

func TestAssignmentsUnauthenticated(t *testing.T) {
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	tests := []struct {
		name          string
		authorization string
		wantChallenge string
	}{
		{name: "missing token", wantChallenge: `Bearer realm="quorate"`},
		{name: "basic scheme", authorization: "Basic ZXU6dG9rLWV1LTVmMWMyYQ==", wantChallenge: `Bearer realm="quorate"`},
		{name: "bearer without token", authorization: "Bearer", wantChallenge: `Bearer realm="quorate"`},
		{name: "token without scheme", authorization: "tok-eu-5f1c2a", wantChallenge: `Bearer realm="quorate"`},
		{name: "unknown token", authorization: bearer("tok-eu-5f1c2b"), wantChallenge: `Bearer realm="quorate", error="invalid_token"`},
		{name: "agent id as token", authorization: bearer("eu"), wantChallenge: `Bearer realm="quorate", error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := api.do(t, http.MethodGet, euPath, tt.authorization)
			checkJSONError(t, r, http.StatusUnauthorized)
			if got := r.header.Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantChallenge)
			}
			if r.header.Get("ETag") != "" {
				t.Error("401 carries an ETag")
			}
		})
	}
}

func TestAssignmentsForbidden(t *testing.T) {
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	tests := []struct {
		name string
		path string
	}{
		{name: "another agent", path: "/api/v1/agents/us/assignments"},
		{name: "agent without endpoints", path: "/api/v1/agents/idle/assignments"},
		{name: "implicit local agent", path: "/api/v1/agents/local/assignments"},
		{name: "unknown agent", path: "/api/v1/agents/nobody/assignments"},
		{name: "id differing in case", path: "/api/v1/agents/EU/assignments"},
	}
	var bodies [][]byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := api.do(t, http.MethodGet, tt.path, bearer("tok-eu-5f1c2a"))
			checkJSONError(t, r, http.StatusForbidden)
			bodies = append(bodies, r.body)
		})
	}
	// Existing or not, the answer must not tell.
	for i := 1; i < len(bodies); i++ {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("403 bodies differ: %s vs %s", bodies[i], bodies[0])
		}
	}
}

func TestAssignmentsRateLimited(t *testing.T) {
	// The clock stands still: a bucket of 1 request per second, burst 1,
	// never refills during the test.
	api := startAPI(t, parseConfig(t, baseYAML), 0)
	if r := api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a")); r.status != http.StatusOK {
		t.Fatalf("first request: status %d, want 200; body %s", r.status, r.body)
	}
	tests := []struct {
		name string
		path string
	}{
		{name: "own assignments", path: euPath},
		// The bucket is the token owner's, checked before the path.
		{name: "another agent's assignments", path: "/api/v1/agents/us/assignments"},
		// A 304 would cost as much as a 200.
		{name: "conditional request", path: euPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := api.do(t, http.MethodGet, tt.path, bearer("tok-eu-5f1c2a"), "If-None-Match", "*")
			checkJSONError(t, r, http.StatusTooManyRequests)
			secs, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Errorf("Retry-After = %q, want a positive number of seconds", r.header.Get("Retry-After"))
			}
		})
	}
	t.Run("other agents keep their own bucket", func(t *testing.T) {
		if r := api.do(t, http.MethodGet, "/api/v1/agents/us/assignments", bearer("tok-us-93be07")); r.status != http.StatusOK {
			t.Errorf("us: status %d, want 200", r.status)
		}
	})
}

func TestAssignmentsOK(t *testing.T) {
	cfg := parseConfig(t, baseYAML)
	api := startAPI(t, cfg, time.Hour)
	tests := []struct {
		agent     string
		token     string
		wantNames []string // sorted by endpoint key
	}{
		// paused is disabled; the key core_health sorts after _web.
		{agent: "eu", token: "tok-eu-5f1c2a", wantNames: []string{"web", "health"}},
		{agent: "us", token: "tok-us-93be07", wantNames: []string{"us-only", "health"}},
		{agent: "idle", token: "tok-idle-44d1", wantNames: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.agent, func(t *testing.T) {
			r := api.do(t, http.MethodGet, "/api/v1/agents/"+tt.agent+"/assignments", bearer(tt.token))
			if r.status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", r.status, r.body)
			}
			sum := cfg.AssignmentsChecksum(tt.agent)
			if sum == "" {
				t.Fatal("config has no checksum for the agent")
			}
			wantHeaders := map[string]string{
				"ETag":          `"` + sum + `"`,
				"Cache-Control": "no-cache",
				"Content-Type":  "application/json",
			}
			for name, want := range wantHeaders {
				if got := r.header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			checkNoTokens(t, r)

			var raw map[string]any
			if err := json.Unmarshal(r.body, &raw); err != nil {
				t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
			}
			top := []string{}
			for k := range raw {
				top = append(top, k)
			}
			slices.Sort(top)
			if want := []string{"agent_id", "checksum", "endpoints"}; !slices.Equal(top, want) {
				t.Errorf("top-level keys %q, want %q", top, want)
			}
			keys := map[string]bool{}
			jsonKeys(raw, keys)
			for k := range keys {
				lower := strings.ToLower(k)
				if strings.Contains(lower, "alert") || strings.Contains(lower, "token") || strings.Contains(lower, "maintenance") || lower == "monitored-by" {
					t.Errorf("body has key %q; assignments must hold only the probe spec", k)
				}
			}

			var got AssignmentsResponse
			if err := json.Unmarshal(r.body, &got); err != nil {
				t.Fatal(err)
			}
			if got.AgentID != tt.agent || got.Checksum != sum {
				t.Errorf("agent_id %q checksum %q, want %q %q", got.AgentID, got.Checksum, tt.agent, sum)
			}
			if got.Endpoints == nil {
				t.Fatal(`endpoints is null, want a list (possibly [])`)
			}
			names := []string{}
			for _, ep := range got.Endpoints {
				names = append(names, ep.Name)
			}
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("endpoints %q, want %q", names, tt.wantNames)
			}
		})
	}
	t.Run("probe spec survives the trip", func(t *testing.T) {
		r := api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a"))
		var got AssignmentsResponse
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		ep := got.Endpoints[1]
		if ep.Group != "core" || ep.URL != "http://127.0.0.1:8080/health" || ep.Interval != 30*time.Second ||
			ep.Headers["Accept"] != "application/json" || !slices.Equal(ep.Conditions, []string{"[STATUS] == 200", "[RESPONSE_TIME] < 300"}) {
			t.Errorf("core/health came back as %+v", ep)
		}
	})
}

func TestAssignmentsHead(t *testing.T) {
	cfg := parseConfig(t, baseYAML)
	api := startAPI(t, cfg, time.Hour)
	r := api.do(t, http.MethodHead, euPath, bearer("tok-eu-5f1c2a"))
	if r.status != http.StatusOK || len(r.body) != 0 {
		t.Fatalf("HEAD: status %d body %q, want 200 and no body", r.status, r.body)
	}
	if got, want := r.header.Get("ETag"), `"`+cfg.AssignmentsChecksum("eu")+`"`; got != want {
		t.Errorf("ETag = %q, want %q", got, want)
	}
}

func TestAssignmentsNotModified(t *testing.T) {
	cfg := parseConfig(t, baseYAML)
	api := startAPI(t, cfg, time.Hour)
	sum := cfg.AssignmentsChecksum("eu")
	other := cfg.AssignmentsChecksum("us")
	tests := []struct {
		name        string
		ifNoneMatch []string
		wantStatus  int
	}{
		{name: "quoted checksum", ifNoneMatch: []string{`"` + sum + `"`}, wantStatus: http.StatusNotModified},
		{name: "unquoted checksum", ifNoneMatch: []string{sum}, wantStatus: http.StatusNotModified},
		{name: "weak tag compares weakly", ifNoneMatch: []string{`W/"` + sum + `"`}, wantStatus: http.StatusNotModified},
		{name: "list naming it", ifNoneMatch: []string{`"0000", "` + sum + `" , "ffff"`}, wantStatus: http.StatusNotModified},
		{name: "one of several header lines", ifNoneMatch: []string{`"0000"`, `"` + sum + `"`}, wantStatus: http.StatusNotModified},
		{name: "star", ifNoneMatch: []string{"*"}, wantStatus: http.StatusNotModified},
		{name: "another agent's checksum", ifNoneMatch: []string{`"` + other + `"`}, wantStatus: http.StatusOK},
		{name: "list not naming it", ifNoneMatch: []string{`"0000", W/"ffff"`}, wantStatus: http.StatusOK},
		{name: "prefix of the checksum", ifNoneMatch: []string{`"` + sum[:16] + `"`}, wantStatus: http.StatusOK},
		{name: "empty header", ifNoneMatch: []string{""}, wantStatus: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			for _, v := range tt.ifNoneMatch {
				header = append(header, "If-None-Match", v)
			}
			r := api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a"), header...)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", r.status, tt.wantStatus)
			}
			if got := r.header.Get("ETag"); got != `"`+sum+`"` {
				t.Errorf("ETag = %q, want the current checksum", got)
			}
			if r.header.Get("Cache-Control") != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", r.header.Get("Cache-Control"))
			}
			if tt.wantStatus == http.StatusNotModified && len(r.body) != 0 {
				t.Errorf("304 has a body: %q", r.body)
			}
			if tt.wantStatus == http.StatusOK && len(r.body) == 0 {
				t.Error("200 has no body")
			}
		})
	}
	t.Run("unauthenticated conditional request", func(t *testing.T) {
		r := api.do(t, http.MethodGet, euPath, "", "If-None-Match", `"`+sum+`"`)
		checkJSONError(t, r, http.StatusUnauthorized)
	})
}

func TestAssignmentsChecksumFollowsConfig(t *testing.T) {
	base := parseConfig(t, baseYAML)
	tests := []struct {
		name        string
		from, to    string
		wantChanged bool
	}{
		{name: "probe URL changed", from: "http://127.0.0.1:8080/health", to: "http://127.0.0.1:8081/health", wantChanged: true},
		{name: "condition changed", from: "[RESPONSE_TIME] < 300", to: "[RESPONSE_TIME] < 500", wantChanged: true},
		{name: "endpoint assigned to the agent", from: "monitored-by: [us]", to: "monitored-by: [us, eu]", wantChanged: true},
		{name: "endpoint enabled", from: "enabled: false", to: "enabled: true", wantChanged: true},
		// What an agent does not receive does not change its checksum.
		{name: "alert changed", from: "description: core health", to: "description: core health v2", wantChanged: false},
		{name: "maintenance window changed", from: `start: "02:00"`, to: `start: "03:00"`, wantChanged: false},
		{name: "agent renamed", from: "name: Frankfurt", to: "name: Frankfurt-1", wantChanged: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(baseYAML, tt.from) {
				t.Fatalf("base config has no %q", tt.from)
			}
			api := startAPI(t, base, time.Hour)
			first := api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a"))
			oldTag := first.header.Get("ETag")

			next := parseConfig(t, strings.Replace(baseYAML, tt.from, tt.to, 1))
			api.src.setConfig(next)
			api.auth.Update(next)

			r := api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a"), "If-None-Match", oldTag)
			newTag := r.header.Get("ETag")
			if newTag != `"`+next.AssignmentsChecksum("eu")+`"` {
				t.Errorf("ETag %s is not the new config's checksum", newTag)
			}
			if tt.wantChanged {
				if r.status != http.StatusOK || newTag == oldTag {
					t.Errorf("status %d ETag %s (was %s); want 200 with a new ETag", r.status, newTag, oldTag)
				}
			} else if r.status != http.StatusNotModified || newTag != oldTag {
				t.Errorf("status %d ETag %s (was %s); want 304 with the same ETag", r.status, newTag, oldTag)
			}
		})
	}
}

func TestAssignmentsAfterTokenRotation(t *testing.T) {
	api := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	next := parseConfig(t, strings.Replace(baseYAML, "token: tok-eu-5f1c2a", "token: tok-eu-rotated", 1))
	api.src.setConfig(next)
	api.auth.Update(next)
	checkJSONError(t, api.do(t, http.MethodGet, euPath, bearer("tok-eu-5f1c2a")), http.StatusUnauthorized)
	if r := api.do(t, http.MethodGet, euPath, bearer("tok-eu-rotated")); r.status != http.StatusOK {
		t.Errorf("rotated token: status %d, want 200", r.status)
	}
}

func TestAssignmentsServiceUnavailable(t *testing.T) {
	// lagging: the authenticator already knows an agent the served config
	// does not, as between the two updates of a reload.
	lagging := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	lagging.auth.Update(parseConfig(t, strings.Replace(baseYAML, "agents:\n", "agents:\n  - id: new\n    token: tok-new-0001\n", 1)))
	// unloaded: no config yet.
	unloaded := startAPI(t, parseConfig(t, baseYAML), time.Hour)
	unloaded.src.setConfig(nil)
	tests := []struct {
		name  string
		api   *testAPI
		path  string
		token string
	}{
		{name: "agent not in the served config yet", api: lagging, path: "/api/v1/agents/new/assignments", token: "tok-new-0001"},
		{name: "no config for assignments", api: unloaded, path: euPath, token: "tok-eu-5f1c2a"},
		{name: "no config for the listing", api: unloaded, path: AgentsPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			authorization := ""
			if tt.token != "" {
				authorization = bearer(tt.token)
			}
			r := tt.api.do(t, http.MethodGet, tt.path, authorization)
			checkJSONError(t, r, http.StatusServiceUnavailable)
			if r.header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		})
	}
}

package probe

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

// rdapTestServer answers /domain/<name> from domains (name -> JSON body) and
// 404 otherwise, counting requests.
type rdapTestServer struct {
	*httptest.Server
	hits atomic.Int64
}

func startRDAPServer(t *testing.T, domains map[string]string) *rdapTestServer {
	t.Helper()
	s := &rdapTestServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		body, ok := domains[strings.TrimPrefix(r.URL.Path, "/domain/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func rdapDomainJSON(expiration time.Time) string {
	return fmt.Sprintf(`{"objectClassName":"domain","ldhName":"EXAMPLE.COM","events":[
		{"eventAction":"registration","eventDate":"1995-08-14T04:00:00Z"},
		{"eventAction":"expiration","eventDate":%q},
		{"eventAction":"last update of RDAP database","eventDate":"2026-01-01T00:00:00Z"}]}`,
		expiration.Format(time.RFC3339))
}

func lookupWithBase(t *testing.T, baseURL, host string) *result.Result {
	t.Helper()
	target, err := NewTarget(&endpoint.Endpoint{Name: "rdap", URL: "https://" + host}, Options{RDAPBaseURL: baseURL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := &result.Result{Hostname: host}
	lookupDomainExpiration(ctx, target, res)
	return res
}

func TestDomainExpirationFromRDAP(t *testing.T) {
	expiration := time.Now().Add(90 * 24 * time.Hour).Truncate(time.Second)
	srv := startRDAPServer(t, map[string]string{
		"example.com":   rdapDomainJSON(expiration),
		"example.co.uk": rdapDomainJSON(expiration),
	})
	for _, host := range []string{"example.com", "www.example.com", "api.eu.example.com", "www.example.co.uk"} {
		t.Run(host, func(t *testing.T) {
			maxLeft := time.Until(expiration)
			res := lookupWithBase(t, srv.URL+"/", host)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if res.DomainExpiration <= maxLeft-time.Minute || res.DomainExpiration > maxLeft {
				t.Errorf("DomainExpiration = %v, want just under %v", res.DomainExpiration, maxLeft)
			}
		})
	}
}

func TestDomainExpirationErrors(t *testing.T) {
	srv := startRDAPServer(t, map[string]string{
		"noexpiry.com": `{"objectClassName":"domain","events":[{"eventAction":"registration","eventDate":"2000-01-01T00:00:00Z"}]}`,
		"baddate.com":  `{"events":[{"eventAction":"expiration","eventDate":"next year"}]}`,
		"notjson.com":  `<html>`,
	})
	tests := []struct {
		name, host, wantErr string
	}{
		{"missing expiration event", "noexpiry.com", "no expiration event"},
		{"unparsable date", "baddate.com", "not RFC 3339"},
		{"response that is not JSON", "notjson.com", "not valid JSON"},
		{"domain unknown to the server", "unknown.com", "HTTP 404"},
		{"IP address host", "192.0.2.1", "IP address"},
		{"public suffix host", "co.uk", "public suffix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := lookupWithBase(t, srv.URL, tc.host)
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], tc.wantErr) {
				t.Fatalf("errors = %v, want one containing %q", res.Errors, tc.wantErr)
			}
			if res.DomainExpiration != 0 {
				t.Errorf("DomainExpiration = %v, want 0", res.DomainExpiration)
			}
		})
	}
}

func TestDomainExpirationIsCached(t *testing.T) {
	srv := startRDAPServer(t, map[string]string{"cached.com": rdapDomainJSON(time.Now().Add(400 * 24 * time.Hour))})
	for i := range 3 {
		if res := lookupWithBase(t, srv.URL, "www.cached.com"); len(res.Errors) > 0 {
			t.Fatalf("lookup %d: %v", i, res.Errors)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Errorf("RDAP server got %d requests, want 1", got)
	}
}

func TestDomainExpirationKeepsStaleValueWhenRefreshFails(t *testing.T) {
	expiration := time.Now().Add(10 * 24 * time.Hour)
	fail := atomic.Bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if fail.Load() {
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(rdapDomainJSON(expiration)))
	}))
	defer srv.Close()
	c := newRDAPClient("http://127.0.0.1:1/unused")
	ctx := context.Background()
	if _, err := c.expiration(ctx, srv.URL, "stale.com"); err != nil {
		t.Fatal(err)
	}
	// Make the entry stale and the server fail.
	key := srv.URL + " stale.com"
	c.mu.Lock()
	e := c.entries[key]
	e.freshUntil = time.Now().Add(-time.Second)
	c.entries[key] = e
	c.mu.Unlock()
	fail.Store(true)

	got, err := c.expiration(ctx, srv.URL, "stale.com")
	if err != nil {
		t.Fatalf("error %v, want the stale value", err)
	}
	if !got.Equal(expiration.Truncate(time.Second)) {
		t.Errorf("expiration = %v, want %v", got, expiration.Truncate(time.Second))
	}
	if _, err := c.expiration(ctx, srv.URL, "other.com"); err == nil || !strings.Contains(err.Error(), "HTTP 429") {
		t.Errorf("uncached lookup error = %v, want HTTP 429", err)
	}
}

func TestDomainExpirationUsesBootstrapRegistry(t *testing.T) {
	expiration := time.Now().Add(200 * 24 * time.Hour).Truncate(time.Second)
	rdapSrv := startRDAPServer(t, map[string]string{"example.org": rdapDomainJSON(expiration)})
	var bootstrapHits atomic.Int64
	bootstrap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		bootstrapHits.Add(1)
		fmt.Fprintf(w, `{"version":"1.0","services":[
			[["com","net"],["https://rdap.invalid/com/"]],
			[["org"],["%s/"]]]}`, rdapSrv.URL)
	}))
	defer bootstrap.Close()

	c := newRDAPClient(bootstrap.URL)
	ctx := context.Background()
	got, err := c.expiration(ctx, "", "example.org")
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	if !got.Equal(expiration) {
		t.Errorf("expiration = %v, want %v", got, expiration)
	}
	if _, err := c.expiration(ctx, "", "example.dev"); err == nil || !strings.Contains(err.Error(), "no RDAP server") {
		t.Errorf("unlisted TLD error = %v, want no RDAP server", err)
	}
	if got := bootstrapHits.Load(); got != 1 {
		t.Errorf("bootstrap fetched %d times, want 1", got)
	}
}

func TestRDAPBootstrapLookup(t *testing.T) {
	reg, err := parseRDAPBootstrap([]byte(`{"services":[
		[["com","NET"],["http://a.invalid/","https://a.invalid/"]],
		[["uk"],["https://uk.invalid/"]],
		[["co.uk"],["https://co-uk.invalid/"]],
		[["bad"]]]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"example.com":   "https://a.invalid/",
		"example.net":   "https://a.invalid/",
		"example.co.uk": "https://co-uk.invalid/",
		"example.uk":    "https://uk.invalid/",
		"example.xyz":   "",
	}
	for domain, want := range tests {
		got, err := reg.lookup(domain)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("lookup(%q) = %q, %v; want %q", domain, got, err, want)
		}
	}
	if _, err := parseRDAPBootstrap([]byte(`{"services":[]}`)); err == nil {
		t.Error("empty registry parsed without error")
	}
}

func TestRegistrableDomain(t *testing.T) {
	tests := map[string]string{
		"example.com":           "example.com",
		"WWW.Example.COM.":      "example.com",
		"a.b.example.co.uk":     "example.co.uk",
		"user.github.io":        "github.io",
		"deep.user.github.io":   "github.io",
		"host.example.internal": "example.internal",
	}
	for host, want := range tests {
		got, err := registrableDomain(host)
		if err != nil || got != want {
			t.Errorf("registrableDomain(%q) = %q, %v; want %q", host, got, err, want)
		}
	}
	for _, host := range []string{"", "com", "co.uk", "127.0.0.1", "::1", "localhost"} {
		if got, err := registrableDomain(host); err == nil {
			t.Errorf("registrableDomain(%q) = %q, want an error", host, got)
		}
	}
}

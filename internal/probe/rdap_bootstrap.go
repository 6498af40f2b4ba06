package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ianaRDAPBootstrapURL is the IANA registry that maps each TLD to its RDAP
// servers (RFC 9224).
const ianaRDAPBootstrapURL = "https://data.iana.org/rdap/dns.json"

// rdapBootstrapTTL is how long the bootstrap registry is reused; IANA changes
// it rarely and asks clients to cache it.
const rdapBootstrapTTL = 24 * time.Hour

// rdapMaxResponse caps bootstrap and RDAP responses (the bootstrap file is ~100 KB).
const rdapMaxResponse = 4 << 20

// rdapBootstrap maps a TLD (lower case, no dots around it) to RDAP base URLs.
type rdapBootstrap map[string][]string

// rdapBootstrapCache holds the registry in memory; the zero value is empty.
type rdapBootstrapCache struct {
	url string

	mu      sync.Mutex
	reg     rdapBootstrap
	fetched time.Time
}

// baseURL returns the RDAP base URL for domain's TLD, fetching the registry
// when it is missing or stale. A stale registry is still used when IANA
// cannot be reached.
func (c *rdapBootstrapCache) baseURL(ctx context.Context, client *http.Client, domain string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reg == nil || time.Since(c.fetched) > rdapBootstrapTTL {
		reg, err := fetchRDAPBootstrap(ctx, client, c.url)
		switch {
		case err == nil:
			c.reg, c.fetched = reg, time.Now()
		case c.reg == nil:
			return "", err
		}
	}
	return c.reg.lookup(domain)
}

func fetchRDAPBootstrap(ctx context.Context, client *http.Client, url string) (rdapBootstrap, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("RDAP bootstrap %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("RDAP bootstrap: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("RDAP bootstrap %s: HTTP %d", url, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, rdapMaxResponse))
	if err != nil {
		return nil, fmt.Errorf("RDAP bootstrap %s: %w", url, err)
	}
	return parseRDAPBootstrap(data)
}

// parseRDAPBootstrap reads the RFC 9224 format:
// {"services": [[["com","net"], ["https://rdap.example/"]], ...]}.
func parseRDAPBootstrap(data []byte) (rdapBootstrap, error) {
	var doc struct {
		Services [][][]string `json:"services"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("RDAP bootstrap: invalid JSON: %w", err)
	}
	reg := rdapBootstrap{}
	for _, svc := range doc.Services {
		if len(svc) != 2 {
			continue
		}
		urls := preferHTTPS(svc[1])
		for _, tld := range svc[0] {
			reg[strings.Trim(strings.ToLower(tld), ".")] = urls
		}
	}
	if len(reg) == 0 {
		return nil, fmt.Errorf("RDAP bootstrap: no services listed")
	}
	return reg, nil
}

// preferHTTPS orders https URLs first; RFC 9224 lets clients choose.
func preferHTTPS(urls []string) []string {
	out := make([]string, 0, len(urls))
	for _, u := range urls {
		if strings.HasPrefix(strings.ToLower(u), "https://") {
			out = append(out, u)
		}
	}
	for _, u := range urls {
		if !strings.HasPrefix(strings.ToLower(u), "https://") {
			out = append(out, u)
		}
	}
	return out
}

// lookup finds the longest registered suffix of domain, per RFC 9224 §4.
func (r rdapBootstrap) lookup(domain string) (string, error) {
	labels := strings.Split(strings.ToLower(domain), ".")
	for i := range labels {
		if urls := r[strings.Join(labels[i:], ".")]; len(urls) > 0 {
			return urls[0], nil
		}
	}
	return "", fmt.Errorf("no RDAP server is registered for the TLD of %s; set the agent's RDAP base URL", domain)
}

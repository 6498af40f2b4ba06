package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/publicsuffix"
	"golang.org/x/sync/singleflight"

	"github.com/quorate/quorate/internal/result"
)

// Domain expiry dates change only on renewal, and registries rate limit RDAP,
// so results are reused: for a day while the domain has more than a month
// left, then for an hour so that a last-minute renewal is seen soon. Gatus
// caches its WHOIS/RDAP answers in the same spirit.
const (
	rdapFreshLong   = 24 * time.Hour
	rdapFreshShort  = time.Hour
	rdapNearExpiry  = 30 * 24 * time.Hour
	rdapAcceptTypes = "application/rdap+json, application/json"
)

// rdap is the process-wide lookup state shared by all targets.
var rdapLookups = newRDAPClient(ianaRDAPBootstrapURL)

type rdapClient struct {
	http      *http.Client
	bootstrap *rdapBootstrapCache
	flight    singleflight.Group

	mu      sync.Mutex
	entries map[string]rdapEntry // key: base URL + " " + domain
}

type rdapEntry struct {
	expiration time.Time
	freshUntil time.Time
}

func newRDAPClient(bootstrapURL string) *rdapClient {
	return &rdapClient{
		http:      &http.Client{},
		bootstrap: &rdapBootstrapCache{url: bootstrapURL},
		entries:   map[string]rdapEntry{},
	}
}

// lookupDomainExpiration sets res.DomainExpiration ([DOMAIN_EXPIRATION]) from
// an RDAP lookup of the registrable domain of res.Hostname. Gatus falls back
// to WHOIS when RDAP fails; Quorate uses RDAP only.
func lookupDomainExpiration(ctx context.Context, t *Target, res *result.Result) {
	domain, err := registrableDomain(res.Hostname)
	if err != nil {
		res.AddError("[DOMAIN_EXPIRATION]: " + err.Error())
		return
	}
	expiration, err := rdapLookups.expiration(ctx, t.Options.RDAPBaseURL, domain)
	if err != nil {
		res.AddError(fmt.Sprintf("[DOMAIN_EXPIRATION]: %s: %v", domain, err))
		return
	}
	res.DomainExpiration = time.Until(expiration)
}

// registrableDomain is the domain a registry knows: the ICANN public suffix
// plus one label (www.example.co.uk -> example.co.uk). Private suffixes such
// as github.io are skipped because their registries do not run RDAP for them.
func registrableDomain(host string) (string, error) {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if host == "" {
		return "", errors.New("the endpoint has no host name")
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return "", fmt.Errorf("%s is an IP address; domain expiration needs a domain name", host)
	}
	suffix, icann := publicsuffix.PublicSuffix(host)
	for !icann && strings.Contains(suffix, ".") {
		suffix, icann = publicsuffix.PublicSuffix(suffix[strings.IndexByte(suffix, '.')+1:])
	}
	if host == suffix || !strings.HasSuffix(host, "."+suffix) {
		return "", fmt.Errorf("%s is a public suffix, not a registered domain", host)
	}
	rest := strings.TrimSuffix(host, "."+suffix)
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + suffix, nil
}

// expiration returns the domain's expiration date, from the cache while it is
// fresh. When a refresh fails, a cached date is still returned.
func (c *rdapClient) expiration(ctx context.Context, baseURL, domain string) (time.Time, error) {
	key := baseURL + " " + domain
	c.mu.Lock()
	cached, ok := c.entries[key]
	c.mu.Unlock()
	if ok && time.Now().Before(cached.freshUntil) {
		return cached.expiration, nil
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		exp, err := c.query(ctx, baseURL, domain)
		if err != nil {
			return time.Time{}, err
		}
		fresh := rdapFreshLong
		if time.Until(exp) < rdapNearExpiry {
			fresh = rdapFreshShort
		}
		c.mu.Lock()
		c.entries[key] = rdapEntry{expiration: exp, freshUntil: time.Now().Add(fresh)}
		c.mu.Unlock()
		return exp, nil
	})
	if err != nil {
		if ok {
			return cached.expiration, nil
		}
		return time.Time{}, err
	}
	return v.(time.Time), nil
}

// query fetches <base>/domain/<domain> and reads its "expiration" event.
func (c *rdapClient) query(ctx context.Context, baseURL, domain string) (time.Time, error) {
	if baseURL == "" {
		var err error
		if baseURL, err = c.bootstrap.baseURL(ctx, c.http, domain); err != nil {
			return time.Time{}, err
		}
	}
	url := strings.TrimSuffix(baseURL, "/") + "/domain/" + domain
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("RDAP URL %s: %w", url, err)
	}
	req.Header.Set("Accept", rdapAcceptTypes)
	resp, err := c.http.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("RDAP lookup: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return time.Time{}, fmt.Errorf("RDAP server %s does not know the domain (HTTP 404)", url)
	case resp.StatusCode != http.StatusOK:
		return time.Time{}, fmt.Errorf("RDAP lookup %s: HTTP %d", url, resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, rdapMaxResponse))
	if err != nil {
		return time.Time{}, fmt.Errorf("RDAP lookup %s: %w", url, err)
	}
	return parseRDAPExpiration(data)
}

// parseRDAPExpiration reads the eventDate of the "expiration" event of an
// RDAP domain object (RFC 9083 §4.5).
func parseRDAPExpiration(data []byte) (time.Time, error) {
	var doc struct {
		Events []struct {
			Action string `json:"eventAction"`
			Date   string `json:"eventDate"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return time.Time{}, fmt.Errorf("RDAP response is not valid JSON: %w", err)
	}
	for _, ev := range doc.Events {
		if !strings.EqualFold(ev.Action, "expiration") {
			continue
		}
		when, err := time.Parse(time.RFC3339, ev.Date)
		if err != nil {
			return time.Time{}, fmt.Errorf("RDAP expiration eventDate %q is not RFC 3339: %w", ev.Date, err)
		}
		return when, nil
	}
	return time.Time{}, errors.New("RDAP response has no expiration event")
}

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// metrics is one scrape in the Prometheus text format.
type metrics string

var scrapeClient = &http.Client{Timeout: 5 * time.Second}

// scrape fetches base/metrics; an error is returned, not fatal, because
// the process may be down on purpose.
func scrape(base string) (metrics, error) {
	resp, err := scrapeClient.Get(base + "/metrics")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s/metrics: %s", base, resp.Status)
	}
	return metrics(b), nil
}

var labelPair = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

// value is the sample of name whose labels include every pair of labels
// ("k", "v", ...); found is false when there is none.
func (m metrics) value(name string, labels ...string) (v float64, found bool) {
	for line := range strings.Lines(string(m)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		series, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		metric, labelText, _ := strings.Cut(series, "{")
		if metric != name {
			continue
		}
		have := map[string]string{}
		for _, m := range labelPair.FindAllStringSubmatch(labelText, -1) {
			have[m[1]] = m[2]
		}
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		// A timestamp may follow the value.
		val, _, _ = strings.Cut(val, " ")
		f, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		return f, true
	}
	return 0, false
}

// get is value, with an absent series read as 0 (counters that have not
// counted yet are not exported by the collector's telemetry).
func (m metrics) get(name string, labels ...string) float64 {
	v, _ := m.value(name, labels...)
	return v
}

// eventually polls cond until it holds or timeout passes; the last detail
// cond returned goes into the failure, with what dump adds (process logs).
// Waits are generous: they bound a hang, they do not assert speed.
func eventually(t testing.TB, timeout time.Duration, what string, dump func() string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var detail string
	for {
		var ok bool
		ok, detail = cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	extra := ""
	if dump != nil {
		extra = "\n" + dump()
	}
	t.Fatalf("%s: not within %s; last seen: %s%s", what, timeout, detail, extra)
}

func itoa(n int) string { return strconv.Itoa(n) }

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// markerTimeout is how long a marker may stay invisible in the metrics
// before it is counted as lost.
const markerTimeout = 10 * time.Second

// pendingMarker is a marker result on its way: the agent's marker number
// in the metrics must reach want. abandoned is set when the central did not
// answer 200.
type pendingMarker struct {
	agent     string
	want      float64
	start     time.Time // when the POST carrying it began
	abandoned atomic.Bool
	// missed is when the last scrape that did not count it began: the
	// central gathered after that, so the metric changed later.
	missed time.Time
}

// poller scrapes the central's metrics while markers are pending, every
// interval, and brackets for each marker the time from its POST's start to
// the change of its metric: at most the end of the first scrape that shows
// it (upper), at least the start of the last one that did not (lower). The
// bracket is as wide as a scrape. The marker's metric is the certificate
// expiry of the marker endpoint, set by the same call that counts the
// result; asking for that family only (name[]), whose only series are the
// agents' markers, keeps a scrape to about a millisecond.
type poller struct {
	client   *http.Client
	url      string
	key      string
	interval time.Duration
	add      chan *pendingMarker
	stop     chan struct{} // closed when no more markers come
	done     chan struct{}

	// Read after done is closed.
	samples   []time.Duration // upper bounds
	lower     []time.Duration
	scrapes   []time.Duration
	lost      int
	abandoned int
	errors    int
	lastErr   error
	bodyBytes int
}

func newPoller(metricsURL string, interval time.Duration, capacity int) *poller {
	// The central gathers only the family asked for with name[].
	u := metricsURL + "/metrics?" + url.Values{"name[]": {markerMetric}}.Encode()
	return &poller{
		client:   &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}},
		url:      u,
		key:      markerKey(),
		interval: interval,
		add:      make(chan *pendingMarker, capacity),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

func (p *poller) run(ctx context.Context) {
	defer close(p.done)
	var pend []*pendingMarker
	for {
		if len(pend) == 0 {
			select {
			case m := <-p.add:
				pend = append(pend, m)
			case <-p.stop:
				// Markers may still sit in add after stop.
				select {
				case m := <-p.add:
					pend = append(pend, m)
				default:
					return
				}
			case <-ctx.Done():
				return
			}
		}
	more:
		for {
			select {
			case m := <-p.add:
				pend = append(pend, m)
			default:
				break more
			}
		}
		begin := time.Now()
		counts, err := p.scrape(ctx)
		end := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.errors++
			p.lastErr = err
		} else {
			p.scrapes = append(p.scrapes, end.Sub(begin))
		}
		keep := pend[:0]
		for _, m := range pend {
			switch {
			case m.abandoned.Load():
				p.abandoned++
			case err == nil && counts[m.agent] >= m.want:
				p.samples = append(p.samples, end.Sub(m.start))
				p.lower = append(p.lower, max(0, m.missed.Sub(m.start)))
			case end.Sub(m.start) > markerTimeout:
				p.lost++
			default:
				if err == nil {
					m.missed = begin
				}
				keep = append(keep, m)
			}
		}
		pend = keep
		if len(pend) > 0 {
			select {
			case <-time.After(p.interval):
			case <-ctx.Done():
				return
			}
		}
	}
}

func (p *poller) scrape(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: HTTP %d", p.url, resp.StatusCode)
	}
	p.bodyBytes = len(text)
	return markerCounts(text, p.key), nil
}

// markerMetric is the family the poller reads markers from.
const markerMetric = "quorate_endpoint_certificate_expiry_timestamp_seconds"

// markerCounts reads, from Prometheus text, which marker each agent's
// certificate expiry of endpoint key says the central has taken in last
// (see markerEpoch).
func markerCounts(text []byte, key string) map[string]float64 {
	out := map[string]float64{}
	prefix := []byte(markerMetric + "{")
	wantKey := []byte(`endpoint_key="` + key + `"`)
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		// The key test is a cheap filter; parseLabels decides.
		if !bytes.HasPrefix(line, prefix) || !bytes.Contains(line, wantKey) {
			continue
		}
		end := bytes.LastIndexByte(line, '}')
		if end < 0 {
			continue
		}
		labels := parseLabels(line[len(prefix):end])
		if labels["endpoint_key"] != key {
			continue
		}
		fields := bytes.Fields(line[end+1:])
		if len(fields) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(string(fields[0]), 64)
		if err != nil {
			continue
		}
		// Whole seconds after the epoch; the float carries microseconds.
		out[labels["agent_id"]] = math.Round(v - float64(markerEpoch.Unix()))
	}
	return out
}

// parseLabels reads name="value" pairs separated by commas. The benchmark's
// label values hold no quotes or commas, so no unescaping is needed.
func parseLabels(s []byte) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		eq := bytes.IndexByte(s, '=')
		if eq < 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return out
		}
		name := string(bytes.TrimSpace(s[:eq]))
		rest := s[eq+2:]
		q := bytes.IndexByte(rest, '"')
		if q < 0 {
			return out
		}
		out[name] = string(rest[:q])
		s = bytes.TrimPrefix(rest[q+1:], []byte(","))
	}
	return out
}

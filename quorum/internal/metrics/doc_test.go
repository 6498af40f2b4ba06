package metrics

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const docPath = "../../../docs/metrics.md"

// documented is one row of a metrics table in docs/metrics.md.
type documented struct {
	typ    string
	labels []string
}

// docRow matches "| `name` | type | `l1`, `l2` | meaning |".
var docRow = regexp.MustCompile("^\\|\\s*`(quorate_[a-z0-9_]+)`\\s*\\|\\s*([a-z]+)\\s*\\|([^|]*)\\|")

var backticked = regexp.MustCompile("`([a-z_]+)`")

func readDocTables(t *testing.T) map[string]documented {
	t.Helper()
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("read %s: %v", docPath, err)
	}
	out := map[string]documented{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		m := docRow.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("%s: %s documented twice", docPath, m[1])
		}
		var labels []string
		for _, l := range backticked.FindAllStringSubmatch(m[3], -1) {
			labels = append(labels, l[1])
		}
		sort.Strings(labels)
		out[m[1]] = documented{typ: m[2], labels: labels}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no metric table rows found", docPath)
	}
	return out
}

// TestDocMatchesScrape scrapes Handler over HTTP and checks that every
// metric in the doc's tables is served with the documented type and
// labels, and that nothing is served that the doc does not list.
func TestDocMatchesScrape(t *testing.T) {
	doc := readDocTables(t)
	body := scrape(t, populated())

	parser := expfmt.NewTextParser(model.LegacyValidation)
	served, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}

	for name, d := range doc {
		mf, ok := served[name]
		if !ok {
			t.Errorf("%s is documented but not served", name)
			continue
		}
		if got := strings.ToLower(mf.GetType().String()); got != d.typ {
			t.Errorf("%s: served as %s, documented as %s", name, got, d.typ)
		}
		for _, s := range mf.GetMetric() {
			var labels []string
			for _, l := range s.GetLabel() {
				labels = append(labels, l.GetName())
			}
			sort.Strings(labels)
			if strings.Join(labels, ",") != strings.Join(d.labels, ",") {
				t.Errorf("%s: served with labels %v, documented %v", name, labels, d.labels)
				break
			}
		}
	}
	for name := range served {
		if _, ok := doc[name]; !ok {
			t.Errorf("%s is served but not documented in %s", name, docPath)
		}
	}
}

// TestDocSeriesCounts checks the per-pair, per-endpoint and per-agent
// series counts that the doc's cardinality section states.
func TestDocSeriesCounts(t *testing.T) {
	count := func(m *Metrics) int {
		n := 0
		for _, mf := range families(t, m) {
			for _, s := range mf.GetMetric() {
				n++
				if h := s.GetHistogram(); h != nil {
					n += len(h.GetBucket()) + 2 // buckets, sum, count; +Inf is the series itself
				}
			}
		}
		return n
	}
	m := New()
	base := count(m) // the unauthenticated counter
	setUpTwoByTwo(m) // 2 endpoints, 2 agents, 4 pairs
	got := count(m) - base
	const perPair, perEndpoint, perAgent = 22, 15, 7
	if want := 4*perPair + 2*perEndpoint + 2*perAgent; got != want {
		t.Errorf("series for 2 endpoints x 2 agents = %d, want %d (update docs/metrics.md)", got, want)
	}
	raw, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, phrase := range []string{"pair: 22 series", "Per endpoint: 15", "Per agent: 7"} {
		if !strings.Contains(string(raw), phrase) {
			t.Errorf("%s no longer says %q", docPath, phrase)
		}
	}
}

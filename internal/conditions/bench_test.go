package conditions

import (
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// BenchmarkEvaluate judges three typical conditions against a small JSON body,
// as each probe of a typical HTTP endpoint does.
func BenchmarkEvaluate(b *testing.B) {
	var parsed []*Condition
	for _, raw := range []string{"[STATUS] == 200", "[RESPONSE_TIME] < 300", "[BODY].status == UP"} {
		c, err := Parse(raw)
		if err != nil {
			b.Fatal(err)
		}
		parsed = append(parsed, c)
	}
	r := &result.Result{
		HTTPStatus: 200,
		Duration:   120 * time.Millisecond,
		Body:       []byte(`{"status":"UP","components":{"db":{"status":"UP","details":{"database":"PostgreSQL"}},"ping":{"status":"UP"}},"version":"1.4.2","uptime":123456}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		r.ConditionResults = r.ConditionResults[:0]
		for _, c := range parsed {
			if !c.Evaluate(r, false) {
				b.Fatal("condition failed")
			}
		}
	}
}

// BenchmarkEvaluateFailing measures the display work done on failures.
func BenchmarkEvaluateFailing(b *testing.B) {
	c, err := Parse("[BODY].components.db.status == UP")
	if err != nil {
		b.Fatal(err)
	}
	r := &result.Result{Body: []byte(`{"status":"DOWN","components":{"db":{"status":"DOWN"}}}`)}
	b.ReportAllocs()
	for b.Loop() {
		r.ConditionResults = r.ConditionResults[:0]
		if c.Evaluate(r, false) {
			b.Fatal("condition held")
		}
	}
}

package conditions

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

var genOperands = []string{
	"[STATUS]", "[status]", "[RESPONSE_TIME]", "[IP]", "[DNS_RCODE]", "[CONNECTED]",
	"[CERTIFICATE_EXPIRATION]", "[certificate_expiration]", "[DOMAIN_EXPIRATION]", "[BODY]", "[BODY].",
	"[BODY].status", "[BODY].data[1].id", "[BODY][0]", "[BODY].items", "[BODY].n", "[BODY].big", "[BODY].obj",
	"len([BODY])", "len([BODY].items)", "len([STATUS])", "len([IP])", "len([NOPE])", "len()",
	"has([BODY].status)", "has([BODY].nope)", "has([IP])", "has([BODY])", "has()", "has([BODY].)",
	"200", "0", "-1", "0xC8", "0310", "1_000", "1.9", ".5e4", "+1e3", "0x1p4", "NaN", "-Infinity", "inf", "48h", "1.5s", "300ms", "-5m", "0s", "1500000µs", "2000000μs", "1h30m", "+2s",
	"UP", "DOWN", "true", "false", "", "potato", "[UNKNOWN]", "NOERROR", "127.0.0.1",
	"pat(*)", "pat(2*)", "pat(U*)", "pat([)", "pat(*<b>*)", "pat(any(2*))", "any(200, 429)", "any(UP,DOWN)",
	"any()", "any(pat(x))", "(", ")", "x)",
}

var genBodies = []string{
	"",
	"UP",
	"  200\n",
	`{"status":"UP","data":[{"id":1},{"id":2}],"items":[1,"a",null],"n":1.9,"big":1000000,"obj":{"b":"<b>","a":[]}}`,
	`{"status":"DOWN","data":[{"id":"0x2"},{"id":2.0}],"items":[],"n":"48h","big":"pat(*)","obj":null}`,
	`[{"id":1},"UP",[200]]`,
	`[1,2,3]`,
	`{"status": 1e400}`,
	`null`,
	"<html><b>UP</b></html>",
}

// TestEvaluateAgreesWithModelOnGeneratedConditions judges generated
// conditions against generated results and compares every outcome and
// display string with the naive model of Gatus.
func TestEvaluateAgreesWithModelOnGeneratedConditions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ops := []string{" == ", " != ", " < ", " <= ", " > ", " >= "}
	for range 50000 {
		raw := genOperands[rng.IntN(len(genOperands))] + ops[rng.IntN(len(ops))] + genOperands[rng.IntN(len(genOperands))]
		r := result.Result{
			HTTPStatus:            []int{0, 200, 429, 503}[rng.IntN(4)],
			Duration:              time.Duration(rng.IntN(2000)) * time.Millisecond,
			IP:                    []string{"", "127.0.0.1", "10.1.2.3"}[rng.IntN(3)],
			DNSRCode:              []string{"", "NOERROR", "NXDOMAIN"}[rng.IntN(3)],
			Connected:             rng.IntN(2) == 0,
			CertificateExpiration: time.Duration(rng.Int64N(int64(1000*time.Hour))) - 10*time.Hour,
			DomainExpiration:      time.Duration(rng.IntN(3)) * 10 * time.Minute,
			Body:                  []byte(genBodies[rng.IntN(len(genBodies))]),
		}
		d := Display{DontResolveFailed: rng.IntN(4) == 0, ResolveSuccessful: rng.IntN(2) == 0}
		c, err := Parse(raw)
		if err != nil {
			t.Fatalf("Parse(%q): %v", raw, err)
		}
		ref := refEvaluate(raw, &r, d)
		got := c.EvaluateWith(&r, d)
		if shown := r.ConditionResults[0].Condition; got != ref.success || shown != ref.shown {
			t.Fatalf("%q on body %q: got (%v, %q), model (%v, %q)", raw, r.Body, got, shown, ref.success, ref.shown)
		}
	}
}

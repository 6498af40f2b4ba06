package conditions

import (
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

var fuzzSeeds = []struct {
	condition string
	body      string
}{
	{"[STATUS] == 200", ""},
	{"[RESPONSE_TIME] < 300", ""},
	{"[BODY].status == UP", `{"status":"UP"}`},
	{"[BODY].data[1].id == 2", `{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}`},
	{"[BODY][0].id == 1", `[{"id": 1}, {"id": 2}]`},
	{"[BODY][3][2] == 7", `[[1, 2], [3, 4], [], [5, 6, 7]]`},
	{"len([BODY].data) < 5", `{"data": [1, 2, {"a": [true, null]}]}`},
	{"has([BODY].errors) == false", `{"errors": ["1"], "errors": null}`},
	{"[BODY].name == pat(john*)", `{"name": "john.doe"}`},
	{"[BODY] == pat(*<div>*)", "<html><div>x</div></html>"},
	{"[STATUS] == any(200, 429)", ""},
	{"any(200, 429) == [STATUS]", ""},
	{"[CERTIFICATE_EXPIRATION] > 48h", ""},
	{"[DOMAIN_EXPIRATION] > 720h", ""},
	{"[IP] == pat(10.*)", ""},
	{"[DNS_RCODE] == NOERROR", ""},
	{"[CONNECTED] == true", ""},
	{"[BODY].balance > 100", `{"balance": "123.40000000000005"}`},
	{"[BODY].data == 0x1", `{"data": "0x1"}`},
	{"[BODY].v >= 1e3", `{"v": 1e400}`},
	{"[BODY].a.b == {\"c\":1}", `{"a": {"b": {"c": 1.0}}}`},
	{"[BODY].s != x", "{\"s\": \"a\\u00e9\xff\"}"},
	{"[BODY].x[-1] == 1", `{"x": [1]}`},
	{"[BODY].x[0] == 1", `[1]`},
	{"len([BODY]) == 3", `[1,2,3]`},
	{"[BODY]. == a", "a\n"},
	{"pat(pat(any(x)) == pat(any(x))", ""},
	{"[RESPONSE_TIME] < 1.5s", ""},
	{"[STATUS] ==200", ""},
	{"1 == 2 == 1", ""},
}

// FuzzParseEvaluate checks that no condition and no probe result make Parse
// or Evaluate panic, and that the outcome always matches the naive model.
func FuzzParseEvaluate(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s.condition, []byte(s.body), 200+i, "10.0.0.1", int64(i*137), i%2 == 0, uint8(i))
	}
	f.Fuzz(func(t *testing.T, condition string, body []byte, status int, ip string, millis int64, connected bool, mode uint8) {
		r := result.Result{
			HTTPStatus:            status,
			IP:                    ip,
			DNSRCode:              ip,
			Connected:             connected,
			Body:                  body,
			Duration:              time.Duration(millis) * time.Millisecond,
			CertificateExpiration: time.Duration(millis) * time.Second,
			DomainExpiration:      time.Duration(-millis) * time.Minute,
		}
		d := Display{DontResolveFailed: mode&1 != 0, ResolveSuccessful: mode&2 != 0}
		ref := refEvaluate(condition, &r, d)

		c, err := Parse(condition)
		if (err == nil) != ref.valid {
			t.Fatalf("Parse(%q) error = %v, model says valid = %v", condition, err, ref.valid)
		}
		if err != nil {
			return
		}
		_ = c.UsesIP() || c.UsesDomainExpiration() || c.UsesBody()
		got := c.EvaluateWith(&r, d)
		shown := r.ConditionResults[0].Condition
		if got != ref.success || shown != ref.shown {
			t.Fatalf("%q on body %q: got (%v, %q), model (%v, %q)", condition, body, got, shown, ref.success, ref.shown)
		}
	})
}

// FuzzJSONPath compares the raw-byte JSON walk with decoding the whole body.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []struct{ path, body string }{
		{"data[0].apps[1].name", `{"data": [{"apps": [{"name":"app1"}, {"name":"app2"}]}]}`},
		{"[3][2]", `[[1, 2], [3, 4], [], [5, 6, 7]]`},
		{"a", `{"a": 1, "a": {"b": [1, "x", null, 1e21, -0.0]}}`},
		{"a.b", `{"a": {"b": "<&>"}}`},
		{"", `[ {"x": "\ud800"} ]`},
		{"k\u00e9y", `{"k\u00e9y": 1.5e-9}`},
	} {
		f.Add(s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, path string, body []byte) {
		text, length, ok := evalPath(path, body)
		refText, refLen, refErr := refJSONEval(path, body)
		if ok != (refErr == nil) || text != refText || length != refLen {
			t.Fatalf("path %q on %q: got (%q, %d, %v), model (%q, %d, %v)", path, body, text, length, ok, refText, refLen, refErr)
		}
	})
}

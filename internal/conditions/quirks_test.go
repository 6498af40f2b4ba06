package conditions

import (
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// TestEvaluateFollowsGatusCode pins behaviours that follow from Gatus's code
// rather than from its tests. Several are surprising; configurations written
// for Gatus rely on them, so they are kept.
func TestEvaluateFollowsGatusCode(t *testing.T) {
	runEvalCases(t, []evalCase{
		// Placeholders.
		{"placeholder names ignore case", "[status] == 200", result.Result{HTTPStatus: 200}, Display{}, true, "[status] == 200"},
		{"dns rcode", "[DNS_RCODE] == NOERROR", result.Result{DNSRCode: "NXDOMAIN"}, Display{}, false, "[DNS_RCODE] (NXDOMAIN) == NOERROR"},
		{"unknown placeholder is text", "[UNKNOWN] == [UNKNOWN]", result.Result{}, Display{}, true, "[UNKNOWN] == [UNKNOWN]"},
		{"context without a suite is text", "[STATUS] == [CONTEXT].status", result.Result{HTTPStatus: 200}, Display{}, false, "[STATUS] (200) == [CONTEXT].status"},
		{"has of unknown is false", "has([NOPE]) == false", result.Result{}, Display{}, true, "has([NOPE]) == false"},
		{"len of unknown is invalid", "len([NOPE]) == 0", result.Result{}, Display{}, false, "len([NOPE]) (INVALID) == 0"},
		{"has of empty ip", "has([IP]) == true", result.Result{}, Display{}, false, "has([IP]) (false) == true"},
		{"len of ip", "len([IP]) == 9", result.Result{IP: "127.0.0.1"}, Display{}, true, "len([IP]) == 9"},
		{"len of status counts digits", "len([STATUS]) == 3", result.Result{HTTPStatus: 503}, Display{}, true, "len([STATUS]) == 3"},
		{"has of empty", "has() == false", result.Result{}, Display{}, true, "has() == false"},
		{"function names are case-sensitive", "LEN([BODY]) == 1", body("x"), Display{}, false, "LEN([BODY]) == 1"},

		// Equality.
		{"hex literal", "[STATUS] == 0xC8", result.Result{HTTPStatus: 200}, Display{}, true, "[STATUS] == 0xC8"},
		{"signed hex equals signed decimal", "[BODY] == -1", body("-0x1"), Display{}, true, "[BODY] == -1"},
		{"micro sign unit", "[RESPONSE_TIME] < 1500000µs", result.Result{Duration: time.Second}, Display{}, true, "[RESPONSE_TIME] < 1500000µs"},
		{"greek mu unit", "[RESPONSE_TIME] > 2000000μs", result.Result{Duration: time.Second}, Display{}, false, "[RESPONSE_TIME] (1000) > 2000000μs (2s)"},
		{"hex float truncated", "[BODY] > 15", body("0x1p4"), Display{}, true, "[BODY] > 15"},
		{"leading zero is octal", "[STATUS] == 0310", result.Result{HTTPStatus: 200}, Display{}, true, "[STATUS] == 0310"},
		{"1.0 is not the integer 1", "[BODY].id == 1.0", body(`{"id": 1}`), Display{}, false, "[BODY].id (1) == 1.0"},
		{"large json numbers print in exponent form", "[BODY].count == 1000000", body(`{"count": 1000000}`), Display{}, false, "[BODY].count (1e+06) == 1000000"},
		{"exponent form still compares as number", "[BODY].count >= 1000000", body(`{"count": 1000000}`), Display{}, true, "[BODY].count >= 1000000"},
		{"any trims options", "[STATUS] == any(200,  429 )", result.Result{HTTPStatus: 429}, Display{}, true, "[STATUS] == any(200,  429 )"},
		{"any compares text", "[STATUS] == any(0xC8)", result.Result{HTTPStatus: 200}, Display{}, false, "[STATUS] (200) == any(0xC8)"},
		{"pattern crosses slashes", "[BODY].path == pat(/api/*)", body(`{"path": "/api/v1/users"}`), Display{}, true, "[BODY].path == pat(/api/*)"},
		{"star matches everything", "[BODY] == pat(*)", body("a/b"), Display{}, true, "[BODY] == pat(*)"},
		{"bad pattern never matches", "[BODY] == pat([)", body("["), Display{}, false, "[BODY] ([) == pat([)"},
		{"body text can be a pattern", "[BODY] == foo", body("pat(f*)"), Display{}, true, "[BODY] == foo"},
		{"not equal", "[STATUS] != 500", result.Result{HTTPStatus: 500}, Display{}, false, "[STATUS] (500) != 500"},
		{"only the first two parts count", "1 == 2 == 1", result.Result{}, Display{}, false, "1 == 2"},
		{"empty side", "[BODY] ==  ", body(""), Display{}, true, "[BODY] ==  "},

		// Ordering.
		{"float truncated", "[BODY].v > 1", body(`{"v": 1.9}`), Display{}, false, "[BODY].v (1) > 1"},
		{"missing path is 0", "[BODY].data.id > 5", body(`{}`), Display{}, false, "[BODY].data.id (0) > 5"},
		{"missing len is 0", "len([BODY].items) > 0", body(`{}`), Display{}, false, "len([BODY].items) (0) > 0 (0s)"},
		{"zero literal shown as duration", "[RESPONSE_TIME] < 0", result.Result{Duration: 5 * time.Millisecond}, Display{}, false, "[RESPONSE_TIME] (5) < 0 (0s)"},
		{"fractional duration shown in seconds", "[RESPONSE_TIME] < 1.5s", result.Result{Duration: 2 * time.Second}, Display{}, false, "[RESPONSE_TIME] (2000) < 1.5s (1s)"},
		{"sub-second duration literal", "[RESPONSE_TIME] < 300ms", result.Result{Duration: 400 * time.Millisecond}, Display{}, false, "[RESPONSE_TIME] (400) < 300ms (0s)"},
		{"domain expiration", "[DOMAIN_EXPIRATION] > 720h", result.Result{DomainExpiration: 100 * time.Hour}, Display{}, false, "[DOMAIN_EXPIRATION] (100h) > 720h"},
		{"expired certificate", "[CERTIFICATE_EXPIRATION] > 48h", result.Result{CertificateExpiration: -2 * time.Hour}, Display{}, false, "[CERTIFICATE_EXPIRATION] (-2h) > 48h"},
		{"minutes and seconds kept", "[CERTIFICATE_EXPIRATION] > 48h", result.Result{CertificateExpiration: time.Hour + 15*time.Second}, Display{}, false, "[CERTIFICATE_EXPIRATION] (1h0m15s) > 48h"},
		// Gatus trims "0s" then "0m" as text: 1h30m0s shows as 1h3 and
		// ten minutes as 1.
		{"ninety minutes shows as 1h3", "[CERTIFICATE_EXPIRATION] > 48h", result.Result{CertificateExpiration: 90 * time.Minute}, Display{}, false, "[CERTIFICATE_EXPIRATION] (1h3) > 48h"},
		{"ten minutes shows as 1", "[CERTIFICATE_EXPIRATION] > 48h", result.Result{CertificateExpiration: 10 * time.Minute}, Display{}, false, "[CERTIFICATE_EXPIRATION] (1) > 48h"},
		{"lower-case expiration shows milliseconds", "[certificate_expiration] > 48h", result.Result{CertificateExpiration: time.Hour}, Display{}, false, "[certificate_expiration] (3600000) > 48h"},
		{"status zero against zero", "[STATUS] > 0", result.Result{}, Display{}, false, "[STATUS] (0) > 0 (0s)"},

		// JSON paths.
		{"duplicate keys keep the last", "[BODY].a == 2", body(`{"a": 1, "a": 2}`), Display{}, true, "[BODY].a == 2"},
		{"escaped key", "[BODY].name == x", body(`{"n\u0061me": "x"}`), Display{}, true, "[BODY].name == x"},
		{"escaped value", "[BODY].name == jöhn", body(`{"name": "j\u00f6hn"}`), Display{}, true, "[BODY].name == jöhn"},
		{"keys are case-sensitive", "[BODY].Status == UP", body(`{"status": "UP"}`), Display{}, false, "[BODY].Status (INVALID) == UP"},
		{"object re-encoded sorted and escaped", `[BODY].user == {"a":1,"b":"\u003cx\u003e"}`, body(`{"user": {"b": "<x>", "a": 1.0}}`), Display{}, true, `[BODY].user == {"a":1,"b":"\u003cx\u003e"}`},
		{"array printed Go style", "[BODY].items == [1 a map[k:true] <nil>]", body(`{"items": [1, "a", {"k": true}, null]}`), Display{}, true, "[BODY].items == [1 a map[k:true] <nil>]"},
		{"keys after an array are ignored", "[BODY].items.first == [1 2]", body(`{"items": [1, 2]}`), Display{}, true, "[BODY].items.first == [1 2]"},
		{"key on array body returns the array", "len([BODY].anything) == 2", body(`[1, 2]`), Display{}, true, "len([BODY].anything) == 2"},
		{"key on scalar body returns it", "[BODY].x.y == 42", body(`42`), Display{}, true, "[BODY].x.y == 42"},
		{"keys after a string do not resolve", "has([BODY].name.first) == false", body(`{"name": "john"}`), Display{}, true, "has([BODY].name.first) == false"},
		{"nested arrays", "[BODY][3][2] == 7", body(`[[1, 2], [3, 4], [], [5, 6, 7]]`), Display{}, true, "[BODY][3][2] == 7"},
		{"nested arrays in object", "[BODY].data[1][1] == eeeee", body(`{"data": [["a", "b", "c"], ["d", "eeeee", "f"]]}`), Display{}, true, "[BODY].data[1][1] == eeeee"},
		{"index out of range", "[BODY][5].id == 1", body(`[{"id": 1}]`), Display{}, false, "[BODY][5].id (INVALID) == 1"},
		{"negative index", "[BODY].data[-1] == 1", body(`{"data": [1]}`), Display{}, false, "[BODY].data[-1] (INVALID) == 1"},
		{"word index", "[BODY].data[x] == 1", body(`{"data": [1]}`), Display{}, false, "[BODY].data[x] (INVALID) == 1"},
		{"indexed key on array body", "[BODY].data[0] == 1", body(`[1]`), Display{}, false, "[BODY].data[0] (INVALID) == 1"},
		{"dotted key inside brackets stays one key", "has([BODY].a[0.5]) == false", body(`{"a": [1]}`), Display{}, true, "has([BODY].a[0.5]) == false"},
		{"number out of float range anywhere", "[BODY].a == 1", body(`{"a": 1, "b": 1e400}`), Display{}, false, "[BODY].a (INVALID) == 1"},
		{"trailing newline kept by len", "len([BODY]) == 4", body("abc\n"), Display{}, true, "len([BODY]) == 4"},
		{"body trimmed for text", "[BODY] == abc", body("  abc\n"), Display{}, true, "[BODY] == abc"},
		{"dot alone is the raw body", "[BODY]. == abc", body("abc\n"), Display{}, false, "[BODY]. (abc\n) == abc"},
		{"len of broken array body falls back to text", "len([BODY]) == 3", body("[x]"), Display{}, true, "len([BODY]) == 3"},
		{"case-insensitive body with path", "[body].status == UP", body(`{"status": "UP"}`), Display{}, true, "[body].status == UP"},
		{"invalid utf-8 replaced", "[BODY].s == a\uFFFDb", body("{\"s\": \"a\xffb\"}"), Display{}, true, "[BODY].s == a\uFFFDb"},
		{"len counts bytes", "len([BODY].s) == 5", body(`{"s": "jöhn"}`), Display{}, true, "len([BODY].s) == 5"},
		{"truncation counts runes", "[BODY] == pat(x*)", body(strings.Repeat("é", 30)), Display{}, false, "[BODY] (" + strings.Repeat("é", 25) + "...(truncated)) == pat(x*)"},
		{"short multibyte text is marked truncated", "[BODY] == pat(x*)", body(strings.Repeat("é", 20)), Display{}, false, "[BODY] (" + strings.Repeat("é", 20) + "...(truncated)) == pat(x*)"},
		{"25 bytes are not truncated", "[BODY] == pat(x*)", body(strings.Repeat("a", 25)), Display{}, false, "[BODY] (" + strings.Repeat("a", 25) + ") == pat(x*)"},
	})
}

func TestEvaluateDisplayOptions(t *testing.T) {
	failing := result.Result{HTTPStatus: 503}
	passing := result.Result{HTTPStatus: 200}
	runEvalCases(t, []evalCase{
		{"failure resolved by default", "[STATUS] == 200", failing, Display{}, false, "[STATUS] (503) == 200"},
		{"failure kept as written", "[STATUS] == 200", failing, Display{DontResolveFailed: true}, false, "[STATUS] == 200"},
		{"success kept as written by default", "[STATUS] == 200", passing, Display{}, true, "[STATUS] == 200"},
		{"success resolved on request", "[STATUS] == 200", passing, Display{ResolveSuccessful: true}, true, "[STATUS] (200) == 200"},
		{"success resolved, numeric", "[RESPONSE_TIME] < 1s", result.Result{Duration: 20 * time.Millisecond}, Display{ResolveSuccessful: true}, true, "[RESPONSE_TIME] (20) < 1s"},
		{"success shown as written, untrimmed", "  [STATUS] == 200 ", passing, Display{}, true, "  [STATUS] == 200 "},
	})
}

func TestEvaluateAppendsInOrder(t *testing.T) {
	r := &result.Result{HTTPStatus: 200, Duration: 900 * time.Millisecond}
	for _, raw := range []string{"[STATUS] == 200", "[RESPONSE_TIME] < 300"} {
		c, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		c.Evaluate(r, false)
	}
	want := []result.ConditionResult{
		{Condition: "[STATUS] == 200", Success: true},
		{Condition: "[RESPONSE_TIME] (900) < 300", Success: false},
	}
	if len(r.ConditionResults) != len(want) {
		t.Fatalf("got %d results, want %d", len(r.ConditionResults), len(want))
	}
	for i := range want {
		if r.ConditionResults[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, r.ConditionResults[i], want[i])
		}
	}
	if len(r.Errors) != 0 {
		t.Errorf("evaluation added errors: %v", r.Errors)
	}
}

// TestEvaluateDoesNotKeepViewsOfTheBody guards bytesView: display strings
// must be copies, so reusing the body buffer cannot change them.
func TestEvaluateDoesNotKeepViewsOfTheBody(t *testing.T) {
	c, err := Parse("[BODY].status == UP")
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte(`{"status":"DOWN"}`)
	r := &result.Result{Body: buf}
	c.Evaluate(r, false)
	copy(buf, `{"status":"XXXX"}`)
	if got, want := r.ConditionResults[0].Condition, "[BODY].status (DOWN) == UP"; got != want {
		t.Errorf("display changed with the body: %q, want %q", got, want)
	}
}

// TestEvaluateIsSafeForConcurrentUse shares parsed conditions between
// goroutines, as probes of one endpoint from several schedulers would.
func TestEvaluateIsSafeForConcurrentUse(t *testing.T) {
	var parsed []*Condition
	for _, raw := range []string{"[STATUS] == any(200, 204)", "[BODY].items[1] == b", "len([BODY].items) > 1", "[CERTIFICATE_EXPIRATION] > 48h"} {
		c, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, c)
	}
	done := make(chan []result.ConditionResult)
	for g := range 8 {
		go func() {
			r := &result.Result{HTTPStatus: 200 + 4*(g%2), Body: []byte(`{"items": ["a", "b"]}`), CertificateExpiration: time.Duration(g) * time.Hour}
			for range 200 {
				r.ConditionResults = r.ConditionResults[:0]
				for _, c := range parsed {
					c.Evaluate(r, false)
				}
			}
			done <- r.ConditionResults
		}()
	}
	for range 8 {
		got := <-done
		if len(got) != 4 || !got[0].Success || !got[1].Success || !got[2].Success || got[3].Success {
			t.Errorf("unexpected results %+v", got)
		}
	}
}

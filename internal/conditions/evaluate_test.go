package conditions

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// evalCase is one condition judged against one probe result: whether it holds
// and the exact text Gatus shows for it.
type evalCase struct {
	name      string
	condition string
	input     result.Result
	display   Display
	wantOK    bool
	wantShown string
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.condition)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.condition, err)
			}
			r := tc.input
			got := c.EvaluateWith(&r, tc.display)
			if len(r.ConditionResults) != 1 {
				t.Fatalf("got %d condition results, want 1", len(r.ConditionResults))
			}
			cr := r.ConditionResults[0]
			if got != tc.wantOK || cr.Success != tc.wantOK {
				t.Errorf("%q: success = %v (recorded %v), want %v", tc.condition, got, cr.Success, tc.wantOK)
			}
			if cr.Condition != tc.wantShown {
				t.Errorf("%q: shown as\n  %q\nwant\n  %q", tc.condition, cr.Condition, tc.wantShown)
			}
			// The reference model must agree, or one of them is wrong.
			ref := refEvaluate(tc.condition, &tc.input, tc.display)
			if ref.success != tc.wantOK || ref.shown != tc.wantShown {
				t.Errorf("reference model disagrees: success %v shown %q", ref.success, ref.shown)
			}
		})
	}
}

func body(s string) result.Result { return result.Result{Body: []byte(s)} }

const htmlPage = `<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8" /></head><body><div id="user">%s</div></body></html>`

// TestEvaluateGatusCases are the behaviours Gatus's own condition tests pin down.
func TestEvaluateGatusCases(t *testing.T) {
	dontResolve := Display{DontResolveFailed: true}
	runEvalCases(t, []evalCase{
		{"ip matches", "[IP] == 127.0.0.1", result.Result{IP: "127.0.0.1"}, Display{}, true, "[IP] == 127.0.0.1"},
		{"status matches", "[STATUS] == 200", result.Result{HTTPStatus: 200}, Display{}, true, "[STATUS] == 200"},
		{"status differs", "[STATUS] == 200", result.Result{HTTPStatus: 500}, Display{}, false, "[STATUS] (500) == 200"},
		{"status below", "[STATUS] < 300", result.Result{HTTPStatus: 201}, Display{}, true, "[STATUS] < 300"},
		{"status not below", "[STATUS] < 300", result.Result{HTTPStatus: 404}, Display{}, false, "[STATUS] (404) < 300"},
		{"response time below", "[RESPONSE_TIME] < 500", result.Result{Duration: 50 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] < 500"},
		{"response time below duration", "[RESPONSE_TIME] < 1s", result.Result{Duration: 50 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] < 1s"},
		{"non-numeric side counts as 0", "[RESPONSE_TIME] < potato", result.Result{Duration: 50 * time.Millisecond}, Display{}, false, "[RESPONSE_TIME] (50) < potato (0)"},
		{"response time above", "[RESPONSE_TIME] > 500", result.Result{Duration: 750 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] > 500"},
		{"response time above duration", "[RESPONSE_TIME] > 1s", result.Result{Duration: 2 * time.Second}, Display{}, true, "[RESPONSE_TIME] > 1s"},
		{"at least, equal", "[RESPONSE_TIME] >= 500", result.Result{Duration: 500 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] >= 500"},
		{"at least, below", "[RESPONSE_TIME] >= 500", result.Result{Duration: 499 * time.Millisecond}, Display{}, false, "[RESPONSE_TIME] (499) >= 500"},
		{"at most, equal", "[RESPONSE_TIME] <= 500", result.Result{Duration: 500 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] <= 500"},
		{"at most, below", "[RESPONSE_TIME] <= 500", result.Result{Duration: 25 * time.Millisecond}, Display{}, true, "[RESPONSE_TIME] <= 500"},
		{"at most, above", "[RESPONSE_TIME] <= 500", result.Result{Duration: 750 * time.Millisecond}, Display{}, false, "[RESPONSE_TIME] (750) <= 500"},
		{"body text", "[BODY] == test", body("test"), Display{}, true, "[BODY] == test"},
		{"success resolved on request", "[BODY].status == UP", body(`{"status":"UP"}`), Display{ResolveSuccessful: true}, true, "[BODY].status (UP) == UP"},
		{"body number equal", "[BODY] == 123", body("123"), Display{}, true, "[BODY] == 123"},
		{"body number below", "[BODY] < 124", body("123"), Display{}, true, "[BODY] < 124"},
		{"body number above", "[BODY] > 122", body("123"), Display{}, true, "[BODY] > 122"},
		{"body number not above", "[BODY] > 123", body("100"), Display{}, false, "[BODY] (100) > 123"},
		{"json path", "[BODY].status == UP", body(`{"status":"UP"}`), Display{}, true, "[BODY].status == UP"},
		{"json path differs", "[BODY].status == UP", body(`{"status":"DOWN"}`), Display{}, false, "[BODY].status (DOWN) == UP"},
		{"nested json path", "[BODY].data.name == john", body(`{"data": {"id": 1, "name": "john"}}`), Display{}, true, "[BODY].data.name == john"},
		{"missing json path", "[BODY].data.name == john", body(`{"data": {"id": 1}}`), Display{}, false, "[BODY].data.name (INVALID) == john"},
		{"len of missing json path", "len([BODY].data.name) == john", body(`{"data": {"id": 1}}`), Display{}, false, "len([BODY].data.name) (INVALID) == john"},
		{"two paths differ", "[BODY].user.firstName != [BODY].user.lastName", body(`{"user": {"firstName": "john", "lastName": "doe"}}`), Display{}, true, "[BODY].user.firstName != [BODY].user.lastName"},
		{"two paths not equal", "[BODY].user.firstName == [BODY].user.lastName", body(`{"user": {"firstName": "john", "lastName": "doe"}}`), Display{}, false, "[BODY].user.firstName (john) == [BODY].user.lastName (doe)"},
		{"array body", "[BODY][0].id == 1", body(`[{"id": 1}, {"id": 2}]`), Display{}, true, "[BODY][0].id == 1"},
		{"not json", "[BODY].data == OK", body(`{"data": null}"`), Display{}, false, "[BODY].data (INVALID) == OK"},
		{"null element", "[BODY].items[0] == OK", body(`{"items": [null, null]}`), Display{}, false, "[BODY].items[0] (INVALID) == OK"},
		{"null body", "[BODY].data == OK", body(`null`), Display{}, false, "[BODY].data (INVALID) == OK"},
		{"index into object body", "[BODY][0].name == test", body(`{"statusCode": 500, "message": "Internal Server Error"}`), Display{}, false, "[BODY][0].name (INVALID) == test"},
		{"json int", "[BODY].data.id == 1", body(`{"data": {"id": 1}}`), Display{}, true, "[BODY].data.id == 1"},
		{"json array element", "[BODY].data[1].id == 2", body(`{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}`), Display{}, true, "[BODY].data[1].id == 2"},
		{"json int above", "[BODY].data.id > 0", body(`{"data": {"id": 1}}`), Display{}, true, "[BODY].data.id > 0"},
		{"hex text above", "[BODY].data > 0", body(`{"data": "0x1"}`), Display{}, true, "[BODY].data > 0"},
		{"hex text equals decimal", "[BODY].data == 1", body(`{"data": "0x1"}`), Display{}, true, "[BODY].data == 1"},
		{"hex text equals hex", "[BODY].data == 0x1", body(`{"data": "0x1"}`), Display{}, true, "[BODY].data == 0x1"},
		{"hex 2", "[BODY].data == 2", body(`{"data": "0x2"}`), Display{}, true, "[BODY].data == 2"},
		{"hex F", "[BODY].data == 15", body(`{"data": "0xF"}`), Display{}, true, "[BODY].data == 15"},
		{"hex mixed case", "[BODY].data == 12648243", body(`{"data": "0xC0ff33"}`), Display{}, true, "[BODY].data == 12648243"},
		{"len of hex text", "len([BODY].data) == 3", body(`{"data": "0x1"}`), Display{}, true, "len([BODY].data) == 3"},
		{"hex with leading zero", "[BODY].data >= 1", body(`{"data": "0x01"}`), Display{}, true, "[BODY].data >= 1"},
		{"len of hex with leading zero", "len([BODY].data) == 4", body(`{"data": "0x01"}`), Display{}, true, "len([BODY].data) == 4"},
		{"octal above", "[BODY].data > 0", body(`{"data": "0o1"}`), Display{}, true, "[BODY].data > 0"},
		{"octal equals decimal", "[BODY].data == 2", body(`{"data": "0o2"}`), Display{}, true, "[BODY].data == 2"},
		{"octal equals octal", "[BODY].data == 0o2", body(`{"data": "0o2"}`), Display{}, true, "[BODY].data == 0o2"},
		{"binary above", "[BODY].data > 0", body(`{"data": "0b1"}`), Display{}, true, "[BODY].data > 0"},
		{"binary equals decimal", "[BODY].data == 2", body(`{"data": "0b0010"}`), Display{}, true, "[BODY].data == 2"},
		{"binary equals binary", "[BODY].data == 0b10", body(`{"data": "0b0010"}`), Display{}, true, "[BODY].data == 0b10"},
		{"json int not above", "[BODY].data.id > 5", body(`{"data": {"id": 1}}`), Display{}, false, "[BODY].data.id (1) > 5"},
		{"float text truncated", "[BODY].balance > 100", body(`{"balance": "123.40000000000005"}`), Display{}, true, "[BODY].balance > 100"},
		{"json int below", "[BODY].data.id < 5", body(`{"data": {"id": 2}}`), Display{}, true, "[BODY].data.id < 5"},
		{"json int not below", "[BODY].data.id < 5", body(`{"data": {"id": 10}}`), Display{}, false, "[BODY].data.id (10) < 5"},
		{"connected", "[CONNECTED] == true", result.Result{Connected: true}, Display{}, true, "[CONNECTED] == true"},
		{"not connected", "[CONNECTED] == true", result.Result{}, Display{}, false, "[CONNECTED] (false) == true"},
		{"no certificate", "[CERTIFICATE_EXPIRATION] == 0", result.Result{}, Display{}, true, "[CERTIFICATE_EXPIRATION] == 0"},
		{"certificate above milliseconds", "[CERTIFICATE_EXPIRATION] > " + strconv.FormatInt((28*24*time.Hour).Milliseconds(), 10), result.Result{CertificateExpiration: 60 * 24 * time.Hour}, Display{}, true, "[CERTIFICATE_EXPIRATION] > 2419200000"},
		{"certificate not above milliseconds", "[CERTIFICATE_EXPIRATION] > 2419200000", result.Result{CertificateExpiration: 14 * 24 * time.Hour}, Display{}, false, "[CERTIFICATE_EXPIRATION] (336h) > 2419200000"},
		{"certificate above duration", "[CERTIFICATE_EXPIRATION] > 12h", result.Result{CertificateExpiration: 24 * time.Hour}, Display{}, true, "[CERTIFICATE_EXPIRATION] > 12h"},
		{"certificate not above duration", "[CERTIFICATE_EXPIRATION] > 48h", result.Result{CertificateExpiration: 24 * time.Hour}, Display{}, false, "[CERTIFICATE_EXPIRATION] (24h) > 48h"},
		{"no placeholders", "1 == 2", result.Result{}, Display{}, false, "1 == 2"},

		{"len of json text", "len([BODY].data.name) == 4", body(`{"data": {"name": "john"}}`), Display{}, true, "len([BODY].data.name) == 4"},
		{"len of array body", "len([BODY]) == 3", body(`[{"id": 1}, {"id": 2}, {"id": 3}]`), Display{}, true, "len([BODY]) == 3"},
		{"len of json array", "len([BODY].data) == 3", body(`{"data": [{"id": 1}, {"id": 2}, {"id": 3}]}`), Display{}, true, "len([BODY].data) == 3"},
		{"len of missing array", "len([BODY].data) == 8", body(`{"name": "john.doe"}`), Display{}, false, "len([BODY].data) (INVALID) == 8"},
		{"len of text body", "len([BODY]) == 8", body("john.doe"), Display{}, true, "len([BODY]) == 8"},
		{"len of json string", "len([BODY].name) == 8", body(`{"name": "john.doe"}`), Display{}, true, "len([BODY].name) == 8"},
		{"len of json int", "len([BODY].age) == 2", body(`{"age":18}`), Display{}, true, "len([BODY].age) == 2"},
		{"len of json bool", "len([BODY].adult) == 4", body(`{"adult":true}`), Display{}, true, "len([BODY].adult) == 4"},
		{"len of object in array", "len([BODY][0]) == 23", body(`[{"age":18,"adult":true}]`), Display{}, true, "len([BODY][0]) == 23"},
		{"len of int in array", "len([BODY][0].age) == 2", body(`[{"age":18,"adult":true}]`), Display{}, true, "len([BODY][0].age) == 2"},
		{"len of bool in array", "len([BODY][0].adult) == 4", body(`[{"age":18,"adult":true}]`), Display{}, true, "len([BODY][0].adult) == 4"},
		{"len of object body", "len([BODY]) == 20", body(`{"name": "john.doe"}`), Display{}, true, "len([BODY]) == 20"},

		{"pattern on body", "[BODY] == pat(*john*)", body(`{"name": "john.doe"}`), Display{}, true, "[BODY] == pat(*john*)"},
		{"pattern on json text", "[BODY].name == pat(john*)", body(`{"name": "john.doe"}`), Display{}, true, "[BODY].name == pat(john*)"},
		{"pattern misses", "[BODY].name == pat(bob*)", body(`{"name": "john.doe"}`), Display{}, false, "[BODY].name (john.doe) == pat(bob*)"},
		{"pattern on html", `[BODY] == pat(*<div id="user">john.doe</div>*)`, body(fmt.Sprintf(htmlPage, "john.doe")), Display{}, true, `[BODY] == pat(*<div id="user">john.doe</div>*)`},
		{"pattern misses html, truncated", `[BODY] == pat(*<div id="user">john.doe</div>*)`, body(fmt.Sprintf(htmlPage, "jane.doe")), Display{}, false, `[BODY] (<!DOCTYPE html><html lang...(truncated)) == pat(*<div id="user">john.doe</div>*)`},
		{"pattern on the left, truncated", `pat(*<div id="user">john.doe</div>*) == [BODY]`, body(fmt.Sprintf(htmlPage, "jane.doe")), Display{}, false, `pat(*<div id="user">john.doe</div>*) == [BODY] (<!DOCTYPE html><html lang...(truncated))`},
		{"pattern on array text", "[BODY].data == pat(*Whatever*)", body(`{"data": ["hello", "world", "Whatever"]}`), Display{}, true, "[BODY].data == pat(*Whatever*)"},
		{"pattern on ip", "[IP] == pat(10.*)", result.Result{IP: "10.0.0.0"}, Display{}, true, "[IP] == pat(10.*)"},
		{"pattern misses ip", "[IP] == pat(10.*)", result.Result{IP: "255.255.255.255"}, Display{}, false, "[IP] (255.255.255.255) == pat(10.*)"},
		{"pattern on status", "[STATUS] == pat(4*)", result.Result{HTTPStatus: 404}, Display{}, true, "[STATUS] == pat(4*)"},
		{"pattern misses status", "[STATUS] == pat(4*)", result.Result{HTTPStatus: 200}, Display{}, false, "[STATUS] (200) == pat(4*)"},

		{"any first", "[BODY].name == any(john.doe, jane.doe)", body(`{"name": "john.doe"}`), Display{}, true, "[BODY].name == any(john.doe, jane.doe)"},
		{"any second", "[BODY].name == any(john.doe, jane.doe)", body(`{"name": "jane.doe"}`), Display{}, true, "[BODY].name == any(john.doe, jane.doe)"},
		{"any misses", "[BODY].name == any(john.doe, jane.doe)", body(`{"name": "bob"}`), Display{}, false, "[BODY].name (bob) == any(john.doe, jane.doe)"},
		{"any status", "[STATUS] == any(200, 429)", result.Result{HTTPStatus: 200}, Display{}, true, "[STATUS] == any(200, 429)"},
		{"any status second", "[STATUS] == any(200, 429)", result.Result{HTTPStatus: 429}, Display{}, true, "[STATUS] == any(200, 429)"},
		{"any on the left", "any(200, 429) == [STATUS]", result.Result{HTTPStatus: 429}, Display{}, true, "any(200, 429) == [STATUS]"},
		{"any misses status", "[STATUS] == any(200, 429)", result.Result{HTTPStatus: 404}, Display{}, false, "[STATUS] (404) == any(200, 429)"},
		{"any misses, not resolved", "[STATUS] == any(200, 429)", result.Result{HTTPStatus: 404}, dontResolve, false, "[STATUS] == any(200, 429)"},

		{"has missing key", "has([BODY].errors) == false", body(`{}`), Display{}, true, "has([BODY].errors) == false"},
		{"has object key", "has([BODY].article) == true", body("{\n  \"article\": {\n    \"id\": 123,\n    \"title\": \"Hello, world!\",\n    \"tags\": [\"hello\", \"world\"]\n  }\n}"), Display{}, true, "has([BODY].article) == true"},
		{"has present key", "has([BODY].errors) == false", body(`{"errors": ["1"]}`), Display{}, false, "has([BODY].errors) (true) == false"},
		{"has present key, not resolved", "has([BODY].errors) == false", body(`{"errors": ["1"]}`), dontResolve, false, "has([BODY].errors) == false"},
	})
}

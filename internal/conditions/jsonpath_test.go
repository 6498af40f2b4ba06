package conditions

import "testing"

// evalPath is what a [BODY].<path> operand reads: the text, its len() and
// whether the path resolved.
func evalPath(path string, body []byte) (text string, length int, ok bool) {
	p := parseJSONPath(path)
	if p.empty && !looksLikeArray(body) {
		return string(body), len(body), true
	}
	at, ok := p.walk(body)
	if !ok {
		return "", 0, false
	}
	return jsonText(body, at), jsonLen(body, at), true
}

func TestJSONPathResolvesAsGatus(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		wantText         string
		wantLen          int
		wantOK           bool
	}{
		{"simple", "key", `{"key": "value"}`, "value", 5, true},
		{"not json", "key", "invalid data", "", 0, false},
		{"missing key", "key", `{}`, "", 0, false},
		{"long walk", "long.simple.walk", `{"long": {"simple": {"walk": "value"}}}`, "value", 5, true},
		{"array of objects", "ids[1].id", `{"ids": [{"id": 1}, {"id": 2}]}`, "2", 1, true},
		{"array of values", "ids[0]", `{"ids": [1, 2]}`, "1", 1, true},
		{"array body without path", "", `[1, 2]`, "[1 2]", 2, true},
		{"word index", "ids[wat]", `{"ids": [1, 2]}`, "", 0, false},
		{"index at root", "[1]", `[1, 2]`, "2", 1, true},
		{"object at root index", "[0]", `[{"id": 1}, {"id": 2}]`, `{"id":1}`, 8, true},
		{"key of object at root index", "[0].id", `[{"id": 1}, {"id": 2}]`, "1", 1, true},
		{"root index out of range", "[5].id", `[{"id": 1}, {"id": 2}]`, "", 0, false},
		{"walk then array", "data.ids[0].id", `{"data": {"ids": [{"id": 1}, {"id": 2}, {"id": 3}]}}`, "1", 1, true},
		{"nested arrays", "[3][2]", `[[1, 2], [3, 4], [], [5, 6, 7]]`, "7", 1, true},
		{"object with nested arrays", "data[1][1]", `{"data": [["a", "b", "c"], ["d", "eeeee", "f"]]}`, "eeeee", 5, true},
		{"arrays of objects", "data[0].apps[1].name", `{"data": [{"apps": [{"name":"app1"}, {"name":"app2"}, {"name":"app3"}]}]}`, "app2", 4, true},
		{"missing element", "data[0].apps[1].name", `{"data": [{"apps": []}]}`, "", 0, false},
		{"past a string", "data.name.invalid", `{"data": {"name": "john"}}`, "", 0, false},
		{"float as text", "balance", `{"balance": "123.40000000000005"}`, "123.40000000000005", 18, true},
		{"float as number", "balance", `{"balance": 123.40000000000005}`, "123.40000000000005", 18, true},
		{"empty path, text body", "", "plain text\n", "plain text\n", 11, true},
		{"empty path, broken array", "", "[1,]", "", 0, false},
		{"empty object", "o", `{"o": {}}`, "{}", 2, true},
		{"empty array", "a", `{"a": []}`, "[]", 0, true},
		{"false", "f", `{"f": false}`, "false", 5, true},
		{"negative exponent", "n", `{"n": 1e-7}`, "1e-07", 5, true},
		{"whitespace everywhere", "a[1]. b", "\n{ \"a\" : [ 0 , { \" b\" : \"x\" } ] }\n", "x", 1, true},
		{"escaped quote in skipped value", "b", `{"a": "x\"}", "b": "y"}`, "y", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, length, ok := evalPath(tc.path, []byte(tc.body))
			if ok != tc.wantOK || text != tc.wantText || length != tc.wantLen {
				t.Errorf("evalPath(%q, %q) = (%q, %d, %v), want (%q, %d, %v)", tc.path, tc.body, text, length, ok, tc.wantText, tc.wantLen, tc.wantOK)
			}
			refText, refLen, refErr := refJSONEval(tc.path, []byte(tc.body))
			if (refErr == nil) != tc.wantOK || refText != tc.wantText || refLen != tc.wantLen {
				t.Errorf("reference model disagrees: (%q, %d, %v)", refText, refLen, refErr)
			}
		})
	}
}

package conditions

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// This file is a second, deliberately naive model of Gatus's evaluation: every
// value is text, the body is decoded in full with encoding/json for each JSON
// path, and nothing is prepared in advance. The fuzz tests check that the
// optimised implementation agrees with it on arbitrary input. Where Gatus
// panics (a negative index, an indexed key on a non-object) the model
// resolves to nothing, as the implementation does.

type refOutcome struct {
	valid   bool
	success bool
	shown   string
}

func refEvaluate(raw string, r *result.Result, d Display) refOutcome {
	for _, op := range []string{"==", "!=", "<=", ">=", ">", "<"} {
		if !strings.Contains(raw, " "+op+" ") {
			continue
		}
		parts := strings.Split(raw, " "+op+" ")
		params := []string{strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])}
		resolved := []string{refResolve(params[0], r), refResolve(params[1], r)}
		var success bool
		var shownValues []string
		switch op {
		case "==", "!=":
			success = refEqual(resolved[0], resolved[1]) == (op == "==")
			shownValues = resolved
		default:
			a, b := refNumber(resolved[0]), refNumber(resolved[1])
			switch op {
			case "<=":
				success = a <= b
			case ">=":
				success = a >= b
			case ">":
				success = a > b
			case "<":
				success = a < b
			}
			shownValues = []string{refNumericText(params[0], a), refNumericText(params[1], b)}
		}
		shown := raw
		if (success && d.ResolveSuccessful) || (!success && !d.DontResolveFailed) {
			shown = refPrettify(params, shownValues, op)
		}
		return refOutcome{valid: true, success: success, shown: shown}
	}
	return refOutcome{}
}

func refResolve(p string, r *result.Result) string {
	fn := ""
	inner := p
	for _, f := range []string{"len", "has"} {
		if strings.HasPrefix(p, f+"(") && strings.HasSuffix(p, ")") {
			fn, inner = f, strings.TrimSuffix(strings.TrimPrefix(p, f+"("), ")")
			break
		}
	}
	apply := func(s string) string {
		switch fn {
		case "has":
			return strconv.FormatBool(s != "")
		case "len":
			return strconv.Itoa(len(s))
		}
		return s
	}
	upper := strings.ToUpper(inner)
	switch upper {
	case "[STATUS]":
		return apply(strconv.Itoa(r.HTTPStatus))
	case "[IP]":
		return apply(r.IP)
	case "[RESPONSE_TIME]":
		return apply(strconv.FormatInt(r.Duration.Milliseconds(), 10))
	case "[DNS_RCODE]":
		return apply(r.DNSRCode)
	case "[CONNECTED]":
		return apply(strconv.FormatBool(r.Connected))
	case "[CERTIFICATE_EXPIRATION]":
		return apply(strconv.FormatInt(r.CertificateExpiration.Milliseconds(), 10))
	case "[DOMAIN_EXPIRATION]":
		return apply(strconv.FormatInt(r.DomainExpiration.Milliseconds(), 10))
	case "[BODY]":
		body := strings.TrimSpace(string(r.Body))
		switch fn {
		case "has":
			return strconv.FormatBool(body != "")
		case "len":
			if _, n, err := refJSONEval("", r.Body); err == nil {
				return strconv.Itoa(n)
			}
			return strconv.Itoa(len(body))
		}
		return body
	}
	if strings.HasPrefix(upper, "[BODY].") || strings.HasPrefix(upper, "[BODY][") {
		text, n, err := refJSONEval(strings.TrimPrefix(inner[6:], "."), r.Body)
		switch {
		case fn == "has":
			return strconv.FormatBool(err == nil)
		case err != nil:
			return p + " (INVALID)"
		case fn == "len":
			return strconv.Itoa(n)
		}
		return text
	}
	switch fn {
	case "has":
		return "false"
	case "len":
		return p + " (INVALID)"
	}
	return p
}

func refJSONEval(path string, b []byte) (string, int, error) {
	if path == "" && !(len(b) > 0 && b[0] == '[' && b[len(b)-1] == ']') {
		return string(b), len(b), nil
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return "", 0, err
	}
	return refWalk(path, tree)
}

var errRefNowhere = fmt.Errorf("path leads nowhere")

func refWalk(path string, node any) (string, int, error) {
	var keys []string
	depth, from := 0, 0
	for i, c := range []byte(path) {
		if c == '[' {
			depth++
		} else if c == ']' {
			depth--
		}
		if c == '.' && depth == 0 {
			keys = append(keys, path[from:i])
			from = i + 1
		}
	}
	keys = append(keys, path[from:])
	switch v := refExtract(keys[0], node).(type) {
	case map[string]any:
		if len(keys) == 1 {
			b, _ := json.Marshal(v)
			return string(b), len(b), nil
		}
		return refWalk(strings.Join(keys[1:], "."), v)
	case string:
		if len(keys) > 1 {
			return "", 0, errRefNowhere
		}
		return v, len(v), nil
	case []any:
		return fmt.Sprintf("%v", v), len(v), nil
	case nil:
		return "", 0, errRefNowhere
	default:
		s := fmt.Sprintf("%v", v)
		return s, len(s), nil
	}
}

func refExtract(key string, node any) any {
	if !strings.HasSuffix(key, "]") || !strings.Contains(key, "[") {
		switch v := node.(type) {
		case []any:
			return v
		case map[string]any:
			return v[key]
		}
		return node
	}
	open, end, depth := 0, -1, 0
	for i := 0; i < len(key) && end < 0; i++ {
		if key[i] == '[' {
			open = i
			depth++
		} else if key[i] == ']' && depth == 1 {
			end = i
		}
	}
	if end < 0 {
		return nil
	}
	index, err := strconv.Atoi(key[open+1 : end])
	if err != nil || index < 0 {
		return nil
	}
	var array []any
	if name := key[:open]; name == "" {
		array, _ = node.([]any)
	} else {
		object, _ := node.(map[string]any)
		array, _ = object[name].([]any)
	}
	if index >= len(array) {
		return nil
	}
	if end+1 < len(key) && key[end+1] == '[' {
		return refExtract(key[end+1:], array[index])
	}
	return array[index]
}

func refEqual(a, b string) bool {
	aCall, bCall := strings.HasSuffix(a, ")"), strings.HasSuffix(b, ")")
	if aCall || bCall {
		aPat, bPat := aCall && strings.HasPrefix(a, "pat("), bCall && strings.HasPrefix(b, "pat(")
		if aPat {
			a = strings.TrimSuffix(strings.TrimPrefix(a, "pat("), ")")
		}
		if bPat {
			b = strings.TrimSuffix(strings.TrimPrefix(b, "pat("), ")")
		}
		if aPat && !bPat {
			return refMatch(a, b)
		}
		if bPat && !aPat {
			return refMatch(b, a)
		}
		aAny, bAny := aCall && strings.HasPrefix(a, "any("), bCall && strings.HasPrefix(b, "any(")
		if aAny {
			a = strings.TrimSuffix(strings.TrimPrefix(a, "any("), ")")
		}
		if bAny {
			b = strings.TrimSuffix(strings.TrimPrefix(b, "any("), ")")
		}
		if aAny && !bAny {
			for _, option := range strings.Split(a, ",") {
				if strings.TrimSpace(option) == b {
					return true
				}
			}
			return false
		}
		if bAny && !aAny {
			for _, option := range strings.Split(b, ",") {
				if strings.TrimSpace(option) == a {
					return true
				}
			}
			return false
		}
	}
	x, errX := strconv.ParseInt(a, 0, 64)
	y, errY := strconv.ParseInt(b, 0, 64)
	if errX == nil && errY == nil {
		return x == y
	}
	return a == b
}

func refMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	sep := string(filepath.Separator)
	ok, _ := filepath.Match(strings.ReplaceAll(pattern, sep, ""), strings.ReplaceAll(s, sep, ""))
	return ok
}

func refNumber(s string) int64 {
	if d, err := time.ParseDuration(s); err == nil && d != 0 {
		return d.Milliseconds()
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return 0
}

func refNumericText(param string, n int64) string {
	_, err := time.ParseDuration(param)
	if param == "[CERTIFICATE_EXPIRATION]" || param == "[DOMAIN_EXPIRATION]" || err == nil {
		s := (time.Duration(n) * time.Millisecond).Truncate(time.Second).String()
		if s != "0s" && strings.HasSuffix(s, "0s") {
			s = strings.TrimSuffix(strings.TrimSuffix(s, "0s"), "0m")
		}
		return s
	}
	return strconv.FormatInt(n, 10)
}

func refPrettify(params, values []string, op string) string {
	values = append([]string(nil), values...)
	for i := range 2 {
		other := 1 - i
		if strings.HasPrefix(params[i], "pat(") && strings.HasSuffix(params[i], ")") && len(values[other]) > 25 {
			values[other] = fmt.Sprintf("%.25s...(truncated)", values[other])
		}
	}
	shown := make([]string, 2)
	for i := range 2 {
		switch values[i] {
		case params[i]:
			shown[i] = params[i]
		case params[i] + " (INVALID)":
			shown[i] = values[i]
		default:
			shown[i] = params[i] + " (" + values[i] + ")"
		}
	}
	return shown[0] + " " + op + " " + shown[1]
}

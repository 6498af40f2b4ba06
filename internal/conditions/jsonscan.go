package conditions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Gatus decodes the whole body with encoding/json on every evaluation. The
// helpers here find a value in the raw bytes instead and decode only that
// value, with the same outcome: the body must be what json.Unmarshal accepts
// into an interface{}, and values print as Gatus prints them. Apart from
// decodable, they assume a body decodable has accepted, so every offset they
// reach exists.

// decodable reports whether json.Unmarshal into an interface{} succeeds:
// valid JSON whose numbers all fit a float64.
func decodable(b []byte) bool {
	return json.Valid(b) && numbersFit(b)
}

// numbersFit reports whether every number of a valid JSON text parses as a
// float64 (encoding/json rejects 1e400). Only numbers with an exponent or
// more than 308 characters can overflow, so only those are parsed.
func numbersFit(b []byte) bool {
	for i := 0; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			i = skipString(b, i)
		case c == '-' || isDigit(c):
			end := skipScalar(b, i)
			number := b[i:end]
			if len(number) > 308 || bytes.ContainsAny(number, "eE") {
				if _, err := strconv.ParseFloat(bytesView(number), 64); err != nil {
					return false
				}
			}
			i = end
		default:
			i++
		}
	}
	return true
}

// looksLikeArray is Gatus's test for whether an empty path still needs decoding.
func looksLikeArray(b []byte) bool {
	return len(b) != 0 && b[0] == '[' && b[len(b)-1] == ']'
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the offset just past the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		return skipScalar(b, i)
	}
}

// skipScalar returns the offset just past a number, true, false or null.
func skipScalar(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// skipString returns the offset just past the string whose quote is at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// objectMember returns the offset of the value of the last member named name
// of the object at b[i]: decoding into a map keeps the last duplicate.
func objectMember(b []byte, i int, name string) (at int, ok bool) {
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return 0, false
	}
	for {
		keyEnd := skipString(b, i)
		matches := keyEquals(b[i:keyEnd], name)
		i = skipSpace(b, skipSpace(b, keyEnd)+1) // past the colon
		if matches {
			at, ok = i, true
		}
		i = skipSpace(b, skipValue(b, i))
		if b[i] == '}' {
			return at, ok
		}
		i = skipSpace(b, i+1) // past the comma
	}
}

// keyEquals compares a quoted JSON key with name after decoding the key.
func keyEquals(quoted []byte, name string) bool {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw) == name
	}
	var key string
	_ = json.Unmarshal(quoted, &key) // cannot fail on a valid JSON string
	return key == name
}

// arrayElement returns the offset of element index of the array at b[i].
func arrayElement(b []byte, i, index int) (int, bool) {
	i = skipSpace(b, i+1)
	if b[i] == ']' {
		return 0, false
	}
	for n := 0; ; n++ {
		if n == index {
			return i, true
		}
		i = skipSpace(b, skipValue(b, i))
		if b[i] == ']' {
			return 0, false
		}
		i = skipSpace(b, i+1)
	}
}

// arrayLen counts the elements of the array at b[i].
func arrayLen(b []byte, i int) int {
	i = skipSpace(b, i+1)
	if b[i] == ']' {
		return 0
	}
	for n := 1; ; n++ {
		i = skipSpace(b, skipValue(b, i))
		if b[i] == ']' {
			return n
		}
		i = skipSpace(b, i+1)
	}
}

// jsonText prints the value at b[at] as Gatus does: strings decoded, numbers
// as float64 in %v form (1e+06), objects re-encoded minified with sorted
// keys, arrays in Go's %v form ([a b map[k:v]]).
func jsonText(b []byte, at int) string {
	switch b[at] {
	case '"':
		return jsonString(b[at:skipString(b, at)])
	case 't':
		return "true"
	case 'f':
		return "false"
	case '{':
		var object map[string]any
		_ = json.Unmarshal(b[at:skipValue(b, at)], &object)
		encoded, _ := json.Marshal(object) // cannot fail on decoded JSON
		return string(encoded)
	case '[':
		var array []any
		_ = json.Unmarshal(b[at:skipValue(b, at)], &array)
		return fmt.Sprintf("%v", array)
	default:
		return jsonNumber(b[at:skipScalar(b, at)])
	}
}

// jsonLen is Gatus's len(): elements of an array, bytes of anything else's text.
func jsonLen(b []byte, at int) int {
	switch b[at] {
	case '[':
		return arrayLen(b, at)
	case '"':
		quoted := b[at:skipString(b, at)]
		if raw := quoted[1 : len(quoted)-1]; bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			return len(raw)
		}
		return len(jsonString(quoted))
	default:
		return len(jsonText(b, at))
	}
}

// jsonString decodes a quoted JSON string; invalid UTF-8 becomes U+FFFD as
// encoding/json does. Without escapes the result is a view of b.
func jsonString(quoted []byte) string {
	raw := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return bytesView(raw)
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // cannot fail on a valid JSON string
	return s
}

// jsonNumber prints a JSON number as Go prints the float64 it decodes to.
// Numbers already in that form are returned as a view of b.
func jsonNumber(number []byte) string {
	f, _ := strconv.ParseFloat(bytesView(number), 64) // range checked by decodable
	var buf [32]byte
	printed := strconv.AppendFloat(buf[:0], f, 'g', -1, 64)
	if bytes.Equal(printed, number) {
		return bytesView(number)
	}
	return string(printed)
}

// bytesView returns b as a string without copying it. Evaluate uses it for
// text read from the body, which must then not outlive the evaluation: the
// prober does not change the body while conditions run, and every display
// string is built by concatenation, which copies.
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

package conditions

import (
	"strconv"
	"strings"
)

// jsonPath is the part after [BODY] in a placeholder such as
// [BODY].data[0].name, split once by Parse. Evaluation follows Gatus's
// jsonpath package, quirks included:
//   - a key applied to an array returns the array itself;
//   - reaching an array or a scalar ends the walk, whatever keys remain;
//   - a string followed by more keys, null and missing keys do not resolve;
//   - duplicate object keys resolve to the last one.
type jsonPath struct {
	keys  []pathKey
	empty bool // `[BODY].`: Gatus returns the raw body unless it looks like an array
}

// pathKey is one dot-separated key, optionally followed by array indexes.
type pathKey struct {
	name    string // the object member; empty for a bare index such as [0]
	indexed bool
	valid   bool  // false when an index is not a non-negative integer
	indexes []int // [1][2] in data[1][2]
}

// rootPath is the walk Gatus does for len([BODY]) on a JSON array body.
var rootPath = parseJSONPath("")

// parseJSONPath splits a path on the dots that are outside brackets.
func parseJSONPath(path string) jsonPath {
	p := jsonPath{empty: path == ""}
	start, depth := 0, 0
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				p.keys = append(p.keys, parsePathKey(path[start:i]))
				start = i + 1
			}
		}
	}
	p.keys = append(p.keys, parsePathKey(path[start:]))
	return p
}

// parsePathKey reads `name[1][2]`. Like Gatus, it only looks at indexes when
// the key ends with ']', reads each index up to the first ']' that closes a
// single '[', and ignores anything after an index that is not another index.
func parsePathKey(key string) pathKey {
	if !strings.HasSuffix(key, "]") || !strings.Contains(key, "[") {
		return pathKey{name: key}
	}
	k := pathKey{indexed: true, valid: true}
	rest := key
	for first := true; ; first = false {
		open, end, depth := 0, -1, 0
		for i := 0; i < len(rest); i++ {
			if rest[i] == '[' {
				open = i
				depth++
			} else if rest[i] == ']' && depth == 1 {
				end = i
				break
			}
		}
		if end < 0 {
			k.valid = false
			return k
		}
		index, err := strconv.Atoi(rest[open+1 : end])
		if err != nil || index < 0 {
			// Gatus treats a non-numeric index as missing and panics on a
			// negative one; both resolve to nothing here.
			k.valid = false
			return k
		}
		if first {
			k.name = rest[:open]
		}
		k.indexes = append(k.indexes, index)
		if end+1 >= len(rest) || rest[end+1] != '[' {
			return k
		}
		rest = rest[end+1:]
	}
}

// walk finds the value the path leads to in body and returns the offset of
// its first byte. ok is false when the body is not JSON (as encoding/json
// decodes it) or the path leads nowhere.
func (p *jsonPath) walk(body []byte) (at int, ok bool) {
	if !decodable(body) {
		return 0, false
	}
	cur := skipSpace(body, 0)
	last := len(p.keys) - 1
	for i := range p.keys {
		v, found := p.keys[i].extract(body, cur)
		if !found {
			return 0, false
		}
		switch body[v] {
		case '{':
			if i == last {
				return v, true
			}
			cur = v
		case '"':
			return v, i == last
		case 'n':
			return 0, false
		default: // arrays, numbers and booleans end the walk
			return v, true
		}
	}
	return 0, false // unreachable: a path has at least one key
}

// extract applies one key to the value at offset at.
func (k *pathKey) extract(b []byte, at int) (int, bool) {
	if !k.indexed {
		switch b[at] {
		case '{':
			return objectMember(b, at, k.name)
		default:
			// Arrays come back whole, scalars and null unchanged.
			return at, true
		}
	}
	if !k.valid {
		return 0, false
	}
	cur := at
	if k.name != "" {
		if b[cur] != '{' {
			return 0, false
		}
		member, ok := objectMember(b, cur, k.name)
		if !ok {
			return 0, false
		}
		cur = member
	}
	for _, index := range k.indexes {
		if b[cur] != '[' {
			return 0, false
		}
		element, ok := arrayElement(b, cur, index)
		if !ok {
			return 0, false
		}
		cur = element
	}
	return cur, true
}

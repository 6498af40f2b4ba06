package conditions

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestJSONPathAgreesWithDecodingOnGeneratedBodies walks generated JSON bodies
// with generated paths, mostly ones that exist, and compares the raw-byte
// walk with decoding the whole body. Byte-level fuzzing rarely produces valid
// JSON deep enough to exercise the walk; this does, deterministically.
func TestJSONPathAgreesWithDecodingOnGeneratedBodies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		var b strings.Builder
		var paths []string
		genJSON(rng, &b, 0, "", &paths)
		body := []byte(b.String())
		paths = append(paths, "", "missing", "[0]", "a.b.c", "x[-1]", "k[0][1]", "k[0]x]", "k[[0]]")
		for _, path := range paths {
			if rng.IntN(3) == 0 {
				path = mutatePath(rng, path)
			}
			text, length, ok := evalPath(path, body)
			refText, refLen, refErr := refJSONEval(path, body)
			if ok != (refErr == nil) || text != refText || length != refLen {
				t.Fatalf("case %d: path %q on %s: got (%q, %d, %v), model (%q, %d, %v)", i, path, body, text, length, ok, refText, refLen, refErr)
			}
		}
	}
}

var genKeys = []string{"k", "a", "b", "name", "k.x", `q"uote`, "é", `\u006b`, " k"}

// genJSON writes a random JSON value and collects paths that lead into it.
func genJSON(rng *rand.Rand, b *strings.Builder, depth int, path string, paths *[]string) {
	ws := func() {
		if rng.IntN(4) == 0 {
			b.WriteString([]string{" ", "\n", "\t ", "\r\n"}[rng.IntN(4)])
		}
	}
	ws()
	kind := rng.IntN(10)
	if depth > 4 && kind >= 6 {
		kind = rng.IntN(6)
	}
	switch kind {
	case 0:
		b.WriteString([]string{"null", "true", "false"}[rng.IntN(3)])
	case 1, 2:
		b.WriteString([]string{"0", "-0", "1", "18", "1.0", "1e3", "1E+21", "123.40000000000005", "-2.5e-8", "1000000", "9007199254740993", "1e400"}[rng.IntN(12)])
	case 3, 4, 5:
		b.WriteString([]string{`""`, `"UP"`, `"0x1F"`, `"a\"b"`, `"\u00e9\n"`, `"<tag>&"`, `"\ud800"`, "\"\xff\"", `"48h"`, `"pat(x*)"`}[rng.IntN(10)])
	case 6, 7:
		n := rng.IntN(4)
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			genJSON(rng, b, depth+1, path+"["+strconv.Itoa(i)+"]", paths)
		}
		ws()
		b.WriteByte(']')
	default:
		n := rng.IntN(4)
		b.WriteByte('{')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			key := genKeys[rng.IntN(len(genKeys))]
			b.WriteString(`"` + strings.ReplaceAll(key, `"`, `\"`) + `":`)
			child := key
			if path != "" {
				child = path + "." + key
			}
			genJSON(rng, b, depth+1, child, paths)
		}
		ws()
		b.WriteByte('}')
	}
	ws()
	if path != "" {
		*paths = append(*paths, path)
	}
}

func mutatePath(rng *rand.Rand, path string) string {
	switch rng.IntN(6) {
	case 0:
		return path + ".k"
	case 1:
		return path + "[0]"
	case 2:
		return strings.ToUpper(path)
	case 3:
		return "." + path
	case 4:
		return path + "[+1]"
	default:
		if len(path) > 1 {
			return path[:rng.IntN(len(path))]
		}
		return path
	}
}

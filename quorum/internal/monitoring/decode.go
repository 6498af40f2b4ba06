package monitoring

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// where locates a value in the file for error messages: the entity a user
// recognises (`endpoints[2] "core/api"`) and the path inside it.
type where struct {
	entity string
	path   string
}

// at names a field below w.
func (w where) at(rel string) string {
	p := joinPath(w.path, rel)
	switch {
	case p == "":
		return displayPath(w.entity)
	case w.entity == "":
		return p
	default:
		return w.entity + ": " + p
	}
}

// in descends into a sub-path such as alerts[1].
func (w where) in(sub string) where { return where{entity: w.entity, path: joinPath(w.path, sub)} }

func (w where) errorf(rel, format string, args ...any) error {
	return fmt.Errorf("%s: %s", w.at(rel), fmt.Sprintf(format, args...))
}

// decodeStrict decodes a YAML subtree into out using its mapstructure tags.
// Keys must match exactly (YAML is case-sensitive and so is Gatus) and every
// key must be known: each unknown one is an error naming its full path.
func decodeStrict(in any, out any, w where) error {
	var md mapstructure.Metadata
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{
		Result:     out,
		Metadata:   &md,
		TagName:    "mapstructure",
		MatchName:  func(mapKey, fieldName string) bool { return mapKey == fieldName },
		DecodeHook: textToScalar,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", w.at(""), err)
	}
	var errs []error
	if err := dec.Decode(in); err != nil {
		errs = flattenDecodeErrors(err, w)
	}
	slices.Sort(md.Unused)
	for _, key := range md.Unused {
		errs = append(errs, w.errorf(key, "unknown key; check its spelling and indentation"))
	}
	return errors.Join(errs...)
}

// textToScalar converts scalar text to the number, boolean or duration a
// field needs: the YAML tree keeps every scalar as text (see parseYAML).
func textToScalar(from, to reflect.Type, data any) (any, error) {
	s, ok := data.(string)
	if !ok || from.Kind() != reflect.String {
		return data, nil
	}
	if to == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration; write it with a unit, e.g. 30s, 5m or 1h", s)
		}
		return d, nil
	}
	switch to.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean; use true or false", s)
		}
		return b, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 0, to.Bits())
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number", s)
		}
		return n, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 0, to.Bits())
		if err != nil {
			return nil, fmt.Errorf("%q is not a whole number of zero or more", s)
		}
		return n, nil
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, to.Bits())
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return f, nil
	}
	return data, nil
}

// flattenDecodeErrors turns mapstructure's nested errors into one error per
// field, each prefixed with the field's full path.
func flattenDecodeErrors(err error, w where) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range joined.Unwrap() {
			out = append(out, flattenDecodeErrors(e, w)...)
		}
		return out
	}
	var de *mapstructure.DecodeError
	if errors.As(err, &de) {
		inner := de.Unwrap()
		if _, ok := inner.(interface{ Unwrap() []error }); ok {
			return flattenDecodeErrors(inner, w)
		}
		return []error{w.errorf(de.Name(), "%s", describeDecodeError(inner))}
	}
	return []error{w.errorf("", "%v", err)}
}

func describeDecodeError(err error) string {
	var ute *mapstructure.UnconvertibleTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("expected %s, got %s", describeType(ute.Expected.Type()), describeValue(ute.Value))
	}
	// mapstructure words these two in Go terms; say them in YAML terms.
	msg := err.Error()
	if got, ok := strings.CutPrefix(msg, "source data must be an array or slice, got "); ok {
		return "expected a list, got " + describeKind(got)
	}
	if got, ok := strings.CutPrefix(msg, "expected a map or struct, got "); ok {
		return "expected a mapping, got " + describeKind(strings.Trim(got, `"`))
	}
	return msg
}

func describeKind(kind string) string {
	switch kind {
	case "string":
		return "text"
	case "map":
		return "a mapping"
	case "slice":
		return "a list"
	default:
		return kind
	}
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	case reflect.Pointer:
		return describeType(t.Elem())
	case reflect.String:
		return "text"
	default:
		return "a " + strings.ToLower(t.Kind().String())
	}
}

func describeValue(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "text"
	case nil:
		return "nothing"
	default:
		return fmt.Sprintf("%T", v)
	}
}

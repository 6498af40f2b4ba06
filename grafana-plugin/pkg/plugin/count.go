package plugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// parseCount reads the whole number field from 1 to limit, given as a JSON
// number or a numeric string (editors may store either); absent, empty or
// 0 is def.
func parseCount(field string, raw json.RawMessage, def, limit int) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return def, nil
	}
	text := string(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(text)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s: %s is not a whole number; use 1 to %d (default %d)", field, raw, limit, def)
	case n == 0:
		return def, nil
	case n < 0 || n > limit:
		return 0, fmt.Errorf("%s: %d is out of range; use 1 to %d (default %d)", field, n, limit, def)
	}
	return n, nil
}

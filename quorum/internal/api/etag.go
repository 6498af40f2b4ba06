package api

import "strings"

// etag is the strong entity tag of a checksum.
func etag(checksum string) string {
	return `"` + checksum + `"`
}

// noneMatch reports whether If-None-Match header values name the checksum.
// As RFC 9110 section 13.1.2 asks, the comparison is weak (W/ is ignored);
// "*" matches any current representation. Unquoted tags are accepted too,
// because hand-written clients often send the bare checksum.
func noneMatch(values []string, checksum string) bool {
	if checksum == "" {
		return false
	}
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" {
				return true
			}
			tag = strings.TrimPrefix(tag, "W/")
			if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
				tag = tag[1 : len(tag)-1]
			}
			if tag == checksum {
				return true
			}
		}
	}
	return false
}

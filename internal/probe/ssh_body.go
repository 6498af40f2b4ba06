package probe

import (
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
)

// maxRandomStringLength caps [RANDOM_STRING_N] as Gatus does, so a typo such
// as [RANDOM_STRING_99999999] cannot exhaust memory.
const maxRandomStringLength = 8192

var randomStringPlaceholder = regexp.MustCompile(`\[RANDOM_STRING_\d+\]`)

const randomStringAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// placeholderBody is the endpoint body with Gatus's body placeholders
// replaced: [ENDPOINT_NAME], [ENDPOINT_GROUP], [ENDPOINT_URL],
// [RANDOM_STRING_N] and, once a connection exists, [LOCAL_ADDRESS]. Used by the
// SSH and WebSocket probers, which send the body over an open connection.
func placeholderBody(t *Target, local net.Addr) string {
	ep := t.Endpoint
	body := ep.Body
	body = strings.ReplaceAll(body, "[ENDPOINT_NAME]", ep.Name)
	body = strings.ReplaceAll(body, "[ENDPOINT_GROUP]", ep.Group)
	body = strings.ReplaceAll(body, "[ENDPOINT_URL]", ep.URL)
	body = randomStringPlaceholder.ReplaceAllStringFunc(body, func(m string) string {
		n, _ := strconv.Atoi(m[len("[RANDOM_STRING_") : len(m)-1])
		n = min(n, maxRandomStringLength)
		b := make([]byte, n)
		for i := range b {
			b[i] = randomStringAlphabet[rand.IntN(len(randomStringAlphabet))]
		}
		return string(b)
	})
	if local != nil {
		body = strings.ReplaceAll(body, "[LOCAL_ADDRESS]", local.String())
	}
	return body
}

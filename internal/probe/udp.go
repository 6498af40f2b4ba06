package probe

import (
	"context"

	"github.com/quorate/quorate/internal/result"
)

// probeUDP "connects" to the host:port after udp://. As in Gatus, without a
// body nothing is sent and [CONNECTED] only says the address was usable;
// with a body, [CONNECTED] needs a reply within the timeout, and the reply is
// [BODY]. An ICMP port unreachable makes the read fail at once.
func probeUDP(ctx context.Context, t *Target, res *result.Result) {
	probeSocket(ctx, t, res, "udp")
}

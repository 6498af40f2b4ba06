package probe

import (
	"context"
	"io"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// maxResponseBody caps how much of an HTTP response body is kept for [BODY]
// conditions. Health and JSON status endpoints are far smaller; a larger body
// is truncated at the cap (no error), so a condition on content past 1 MiB
// cannot hold. Bounding it keeps many concurrent probes from holding large
// bodies in memory.
const maxResponseBody = 1 << 20

// probeHTTP sends the endpoint's request over a fresh connection and records
// status, certificate expiry, phase timings and, when a condition reads it,
// the body. [RESPONSE_TIME] is until the response headers arrived, as Gatus.
func probeHTTP(ctx context.Context, t *Target, res *result.Result) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	h := c.http
	var trace phaseTrace
	req, err := h.newRequest(trace.with(ctx), t.Endpoint)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	start := time.Now()
	resp, err := h.client.Do(req)
	res.Duration = time.Since(start)
	trace.result(res)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	defer resp.Body.Close()
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		res.CertificateExpiration = time.Until(resp.TLS.PeerCertificates[0].NotAfter)
	}
	res.HTTPStatus = resp.StatusCode
	res.Connected = resp.StatusCode > 0
	if h.readBody {
		res.Body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		if err != nil {
			res.AddError("error reading response body: " + err.Error())
		}
	}
}

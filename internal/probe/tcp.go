package probe

import (
	"context"
	"net"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// maxSocketReply is how much of a TCP, UDP or TLS reply is kept as [BODY]:
// one read of at most 1 KiB, as Gatus.
const maxSocketReply = 1024

// probeTCP connects to the host:port after tcp://. With a body it sends it
// and waits for a reply, which becomes [BODY].
func probeTCP(ctx context.Context, t *Target, res *result.Result) {
	probeSocket(ctx, t, res, "tcp")
}

// probeSocket is the TCP and UDP probe, with Gatus's semantics: [CONNECTED]
// is whether the dial (and, with a body, the write and one read) worked. A
// failure is an observation, not an error, so `[CONNECTED] == false` can
// assert a closed port; only configuration errors are added.
func probeSocket(ctx context.Context, t *Target, res *result.Result, proto string) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	var trace phaseTrace
	start := time.Now()
	defer func() {
		res.Duration = time.Since(start)
		trace.result(res)
	}()
	conn, err := c.dial(trace.with(ctx), proto, afterScheme(t.Endpoint.URL))
	if err != nil {
		return
	}
	defer conn.Close()
	if res.IP == "" {
		res.IP = addrIP(conn.RemoteAddr())
	}
	body := requestBody(t.Endpoint)
	if body == "" {
		res.Connected = true
		return
	}
	reply, err := exchange(ctx, conn, body, &trace)
	if err != nil {
		return
	}
	res.Connected = true
	res.Body = reply
}

// exchange writes body ([LOCAL_ADDRESS] substituted) and returns what one
// read brings back, both bounded by ctx's deadline. The wait for the reply
// is recorded as the FirstByte phase.
func exchange(ctx context.Context, conn net.Conn, body string, trace *phaseTrace) ([]byte, error) {
	stop := watchConn(ctx, conn)
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return nil, err
		}
	}
	if _, err := conn.Write([]byte(withLocalAddress(body, conn.LocalAddr()))); err != nil {
		return nil, err
	}
	wrote := time.Now()
	buf := make([]byte, maxSocketReply)
	n, err := conn.Read(buf)
	if err != nil {
		return nil, err
	}
	trace.firstByte(wrote)
	return buf[:n], nil
}

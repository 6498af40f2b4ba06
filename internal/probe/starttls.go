package probe

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"time"

	"github.com/quorate/quorate/internal/result"
)

// probeSTARTTLS speaks SMTP to the host:port after starttls:// (greeting,
// EHLO, STARTTLS), completes the TLS handshake (verified unless
// client.insecure) and records the leaf certificate's expiry. Failures are
// errors, as in Gatus.
func probeSTARTTLS(ctx context.Context, t *Target, res *result.Result) {
	c := clientFor(t)
	if c.err != nil {
		res.AddError(c.err.Error())
		return
	}
	addr := afterScheme(t.Endpoint.URL)
	if _, _, err := net.SplitHostPort(addr); err != nil {
		res.AddError(fmt.Sprintf("invalid address %q for starttls, format must be host:port: %v", addr, err))
		return
	}
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	var trace phaseTrace
	defer trace.result(res)
	start := time.Now()
	conn, err := c.dial(trace.with(ctx), "tcp", addr)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	defer conn.Close()
	res.IP = firstNonEmpty(res.IP, addrIP(conn.RemoteAddr()))
	stop := watchConn(ctx, conn)
	defer stop()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	cfg := tlsConfigFor(c, addr)
	client, err := smtp.NewClient(conn, cfg.ServerName)
	if err != nil {
		res.AddError(fmt.Sprintf("starttls %s: reading SMTP greeting: %v", addr, err))
		return
	}
	defer client.Close()
	if err := client.StartTLS(cfg); err != nil {
		res.AddError(fmt.Sprintf("starttls %s: %v", addr, err))
		return
	}
	state, ok := client.TLSConnectionState()
	if !ok || len(state.PeerCertificates) == 0 {
		res.AddError("starttls " + addr + ": no TLS connection state after STARTTLS")
		return
	}
	res.Connected = true
	res.Duration = time.Since(start)
	res.CertificateExpiration = time.Until(state.PeerCertificates[0].NotAfter)
	_ = client.Quit() // polite goodbye; the verdict is already in
}

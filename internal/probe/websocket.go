package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/quorate/quorate/internal/result"
)

const (
	// wsOrigin is the Origin Gatus sends; servers that check Origin were set up for it.
	wsOrigin = "http://localhost/"
	// wsMaxMessage caps the message read as [BODY].
	wsMaxMessage = 16 << 20
)

// probeWebSocket opens a ws:// or wss:// connection, sends the body as one text
// message and records the first text or binary message received as [BODY], as
// Gatus does.
func probeWebSocket(ctx context.Context, t *Target, res *result.Result) {
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	ep := t.Endpoint
	c := clientFor(t)
	if c.err != nil {
		res.AddError("websocket: " + c.err.Error())
		return
	}
	dialer := websocket.Dialer{
		NetDialContext:    c.dial,
		TLSClientConfig:   c.tls.Clone(),
		EnableCompression: true,
		Proxy:             http.ProxyFromEnvironment,
	}
	if ep.Client != nil && ep.Client.ProxyURL != "" {
		proxy, err := parseProxyURL(ep.Client.ProxyURL)
		if err != nil {
			res.AddError("websocket: " + err.Error())
			return
		}
		dialer.Proxy = http.ProxyURL(proxy)
	}

	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	ws, resp, err := dialer.DialContext(ctx, ep.URL, wsHeaders(t))
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		res.AddError(fmt.Sprintf("websocket: dial %s: %v", ep.URL, err))
		return
	}
	defer ws.Close()
	stop := watchConn(ctx, ws.NetConn())
	defer stop()
	deadline, _ := ctx.Deadline() // always set by probeContext
	_ = ws.SetReadDeadline(deadline)
	_ = ws.SetWriteDeadline(deadline)
	if tc, ok := ws.NetConn().(*tls.Conn); ok {
		res.CertificateExpiration = wsgrpcLeafExpiration(tc.ConnectionState())
	}
	ws.SetReadLimit(wsMaxMessage)

	if err := ws.WriteMessage(websocket.TextMessage, []byte(withLocalAddress(requestBody(t.Endpoint), ws.LocalAddr()))); err != nil {
		res.AddError(fmt.Sprintf("websocket: write body to %s: %v", ep.URL, err))
		return
	}
	msgType, msg, err := ws.ReadMessage()
	if err != nil {
		res.AddError(fmt.Sprintf("websocket: read message from %s: %v", ep.URL, err))
		return
	}
	if msgType != websocket.TextMessage && msgType != websocket.BinaryMessage {
		res.AddError(fmt.Sprintf("websocket: unexpected message type %d from %s", msgType, ep.URL))
		return
	}
	res.Connected = true
	res.Body = msg
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
}

// wsHeaders are the HTTP probe's headers (User-Agent, agent header, the
// endpoint's headers) plus Gatus's Origin unless the endpoint sets one.
func wsHeaders(t *Target) http.Header {
	h := requestHeader(t.Endpoint, t.Options)
	if h.Get("Origin") == "" {
		h.Set("Origin", wsOrigin)
	}
	return h
}

// wsgrpcLeafExpiration is the time left on the peer's leaf certificate, zero
// when the connection has none.
func wsgrpcLeafExpiration(state tls.ConnectionState) time.Duration {
	if len(state.PeerCertificates) == 0 {
		return 0
	}
	return time.Until(state.PeerCertificates[0].NotAfter)
}

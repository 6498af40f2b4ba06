package probe

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"
)

// wsgrpcTLSConfig is the client TLS configuration of wss:// and grpcs://
// probes: client.insecure skips verification and client.tls adds a client
// certificate for mutual TLS, as in Gatus.
func wsgrpcTLSConfig(t *Target) (*tls.Config, error) {
	cfg := &tls.Config{}
	cc := t.Endpoint.Client
	if cc == nil {
		return cfg, nil
	}
	cfg.InsecureSkipVerify = cc.Insecure
	if cc.TLS == nil || (cc.TLS.CertificateFile == "" && cc.TLS.PrivateKeyFile == "") {
		return cfg, nil
	}
	cert, err := tls.LoadX509KeyPair(cc.TLS.CertificateFile, cc.TLS.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("client.tls: load certificate-file %q and private-key-file %q: %w", cc.TLS.CertificateFile, cc.TLS.PrivateKeyFile, err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	switch strings.ToLower(cc.TLS.Renegotiation) {
	case "once":
		cfg.Renegotiation = tls.RenegotiateOnceAsClient
	case "freely":
		cfg.Renegotiation = tls.RenegotiateFreelyAsClient
	case "", "never":
		cfg.Renegotiation = tls.RenegotiateNever
	default:
		return nil, fmt.Errorf("client.tls.renegotiation %q is invalid; use never, once or freely", cc.TLS.Renegotiation)
	}
	return cfg, nil
}

// wsgrpcLeafExpiration is the time left on the peer's leaf certificate, zero when
// the connection has none.
func wsgrpcLeafExpiration(state tls.ConnectionState) time.Duration {
	if len(state.PeerCertificates) == 0 {
		return 0
	}
	return time.Until(state.PeerCertificates[0].NotAfter)
}

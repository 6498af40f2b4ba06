package probe

import (
	"crypto/tls"
	"errors"
	"fmt"

	"github.com/quorate/quorate/internal/endpoint"
)

// renegotiation maps client.tls.renegotiation to Go's setting; anything else,
// including unset, means never (as Gatus).
var renegotiation = map[string]tls.RenegotiationSupport{
	"never":  tls.RenegotiateNever,
	"once":   tls.RenegotiateOnceAsClient,
	"freely": tls.RenegotiateFreelyAsClient,
}

// clientTLSConfig is the TLS client side of an endpoint: client.insecure
// skips verification, client.tls presents a client certificate (mutual TLS).
// Gatus loads the key pair at startup; so does this, once per target.
func clientTLSConfig(cfg *endpoint.ClientConfig) (*tls.Config, error) {
	ct := cfg.TLS
	if ct == nil || (ct.CertificateFile == "" && ct.PrivateKeyFile == "") {
		if cfg.Insecure {
			return insecureTLS, nil
		}
		return verifyingTLS, nil
	}
	tc := &tls.Config{InsecureSkipVerify: cfg.Insecure} //nolint:gosec // user's explicit choice
	if ct.CertificateFile == "" || ct.PrivateKeyFile == "" {
		return nil, errors.New("client.tls: set both certificate-file and private-key-file (PEM) for a client certificate")
	}
	pair, err := tls.LoadX509KeyPair(ct.CertificateFile, ct.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("client.tls: loading certificate-file %q and private-key-file %q: %w", ct.CertificateFile, ct.PrivateKeyFile, err)
	}
	tc.Certificates = []tls.Certificate{pair}
	tc.Renegotiation = renegotiation[ct.Renegotiation]
	return tc, nil
}

// Shared by every target without a client certificate; never mutated.
var (
	verifyingTLS = &tls.Config{}
	insecureTLS  = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // user's explicit choice
)

package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Test certificates: a throwaway CA per test that issues server and client
// certificates, as tls.Certificate values and as PEM files in t.TempDir().
//
//	ca := newTestCA(t)
//	srv := ca.serverCert(t)               // localhost, 127.0.0.1, ::1
//	ln := tls.Listen("tcp", "127.0.0.1:0", srv.serverConfig())
//	cli := ca.clientCert(t, "agent")      // cli.CertFile, cli.KeyFile for client.tls
//
// Certificates are valid for testCertValidity from issuance; compare
// [CERTIFICATE_EXPIRATION] with Leaf.NotAfter.

const testCertValidity = 90 * 24 * time.Hour

// testCA is a certificate authority for one test.
type testCA struct {
	Cert     *x509.Certificate
	Key      *ecdsa.PrivateKey
	Pool     *x509.CertPool // trusts only this CA
	CertFile string         // the CA certificate, PEM
}

// testCert is a certificate issued by a testCA.
type testCert struct {
	TLS      tls.Certificate
	Leaf     *x509.Certificate
	CertFile string // PEM certificate
	KeyFile  string // PEM private key (PKCS#8)
}

func newTestCA(t testing.TB) *testCA {
	t.Helper()
	key := newTestKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          newTestSerial(t),
		Subject:               pkix.Name{CommonName: "Quorate test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(2 * testCertValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating test CA: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parsing test CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	dir := t.TempDir()
	return &testCA{Cert: cert, Key: key, Pool: pool, CertFile: writeTestPEM(t, dir, "ca.pem", "CERTIFICATE", der)}
}

// newTestServerCert is a server certificate from a fresh CA, for tests that
// only need a TLS server (verification then needs client.insecure).
func newTestServerCert(t testing.TB, hosts ...string) *testCert {
	t.Helper()
	return newTestCA(t).serverCert(t, hosts...)
}

// serverCert issues a server certificate for hosts (DNS names or IP
// addresses); none means localhost, 127.0.0.1 and ::1.
func (ca *testCA) serverCert(t testing.TB, hosts ...string) *testCert {
	t.Helper()
	if len(hosts) == 0 {
		hosts = []string{"localhost", "127.0.0.1", "::1"}
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0]},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return ca.issue(t, tmpl)
}

// clientCert issues a client certificate for mutual TLS.
func (ca *testCA) clientCert(t testing.TB, name string) *testCert {
	t.Helper()
	return ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

// clientAuthConfig is a server configuration that requires a client
// certificate issued by ca.
func (ca *testCA) clientAuthConfig(server *testCert) *tls.Config {
	cfg := server.serverConfig()
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = ca.Pool
	return cfg
}

func (ca *testCA) issue(t testing.TB, tmpl *x509.Certificate) *testCert {
	t.Helper()
	key := newTestKey(t)
	tmpl.SerialNumber = newTestSerial(t)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	// X.509 times have second precision; truncating keeps Leaf.NotAfter
	// equal to what a client parses.
	tmpl.NotAfter = time.Now().Add(testCertValidity).Truncate(time.Second)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatalf("issuing test certificate: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parsing test certificate: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("encoding test key: %v", err)
	}
	dir := t.TempDir()
	return &testCert{
		TLS:      tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		Leaf:     leaf,
		CertFile: writeTestPEM(t, dir, "cert.pem", "CERTIFICATE", der),
		KeyFile:  writeTestPEM(t, dir, "key.pem", "PRIVATE KEY", keyDER),
	}
}

// serverConfig serves this certificate.
func (c *testCert) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.TLS}}
}

func newTestKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating test key: %v", err)
	}
	return key
}

func newTestSerial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("generating serial: %v", err)
	}
	return n
}

func writeTestPEM(t testing.TB, dir, name, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatalf("writing %s: %v", path, err)
	}
	return path
}

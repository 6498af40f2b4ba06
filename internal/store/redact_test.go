package store

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
)

func TestRedactDSNHidesThePasswordInEveryForm(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://quorate:s3cret@db:5432/q?sslmode=disable", "postgres://quorate:xxxxx@db:5432/q?sslmode=disable"},
		{"postgresql://quorate@db/q?password=s3cret", "postgresql://quorate@db/q?password=xxxxx"},
		{"host=db user=quorate password=s3cret dbname=q", "host=db user=quorate password=xxxxx dbname=q"},
		{"host=db password='s3 cret' dbname=q", "host=db password=xxxxx dbname=q"},
		{"postgres://quorate@db/q", "postgres://quorate@db/q"},
	} {
		if got := redactDSN(tc.dsn); got != tc.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func TestOpenErrorsNeverContainThePassword(t *testing.T) {
	const secret = "pa55-Wörd_never_shown"
	addr := closedPort(t)
	host, port, _ := net.SplitHostPort(addr)
	for _, dsn := range []string{
		"postgres://quorate:" + secret + "@" + addr + "/q?sslmode=disable&connect_timeout=2",
		"host=" + host + " port=" + port + " user=quorate password=" + secret + " dbname=q sslmode=disable connect_timeout=2",
		"postgres://quorate:" + secret + "@" + addr + "/q?sslmode=bogus", // unparsable
		"host=" + host + " port=notaport password=" + secret,             // unparsable
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := Open(ctx, Config{Driver: DriverPostgres, DSN: configopaque.String(dsn)})
		cancel()
		if err == nil {
			t.Fatalf("Open(%s) succeeded against a closed port", redactDSN(dsn))
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "pa55") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

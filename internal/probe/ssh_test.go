package probe

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

func sshTarget(t *testing.T, url, body string, cfg *endpoint.SSHConfig) *Target {
	t.Helper()
	target, err := NewTarget(&endpoint.Endpoint{Name: "ssh", URL: url, Body: body, SSH: cfg}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return target
}

func runSSH(t *testing.T, target *Target) *result.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := &result.Result{}
	probeSSH(ctx, target, res)
	return res
}

func TestSSHBannerCheckWithoutCredentials(t *testing.T) {
	srv := startSSHServer(t)
	for name, cfg := range map[string]*endpoint.SSHConfig{
		"no ssh block":    nil,
		"empty ssh block": {},
	} {
		t.Run(name, func(t *testing.T) {
			res := runSSH(t, sshTarget(t, "ssh://"+srv.addr, "", cfg))
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if !strings.HasPrefix(string(res.Body), "SSH-2.0-") {
				t.Errorf("Body = %q, want the SSH-2.0- banner", res.Body)
			}
			if res.HTTPStatus != 0 {
				t.Errorf("HTTPStatus = %d, want 0", res.HTTPStatus)
			}
			if len(srv.ran()) != 0 {
				t.Errorf("server ran %v, want nothing", srv.ran())
			}
		})
	}
}

func TestSSHBannerCheckFailsOnNonSSHServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("220 smtp.test ESMTP ready\r\n"))
			_ = c.Close()
		}
	}()
	res := runSSH(t, sshTarget(t, "ssh://"+ln.Addr().String(), "", nil))
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "not an SSH server") {
		t.Fatalf("errors = %v, want one saying it is not an SSH server", res.Errors)
	}
	if res.Connected {
		t.Error("Connected = true, want false")
	}
}

func TestSSHBannerCheckGivesUpWhenServerStaysSilent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		<-done // hold the connection open without a word
		_ = c.Close()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	res := &result.Result{}
	probeSSH(ctx, sshTarget(t, "ssh://"+ln.Addr().String(), "", nil), res)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], "timeout") {
		t.Fatalf("errors = %v, want one timeout error", res.Errors)
	}
	if res.Connected {
		t.Error("Connected = true, want false")
	}
}

func TestSSHBannerCheckFailsWhenNothingListens(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	res := runSSH(t, sshTarget(t, "ssh://"+addr, "", nil))
	if len(res.Errors) == 0 || res.Connected {
		t.Fatalf("errors = %v, connected = %v; want an error and not connected", res.Errors, res.Connected)
	}
}

func TestSSHCommandWithCredentials(t *testing.T) {
	srv := startSSHServer(t)
	tests := []struct {
		name       string
		body       string
		cfg        *endpoint.SSHConfig
		wantStatus int
		wantBody   string
		wantCmd    string
	}{
		{
			name: "password auth runs the command", body: `{"command": "echo hello"}`,
			cfg:        &endpoint.SSHConfig{Username: sshTestUser, Password: sshTestPassword},
			wantStatus: 0, wantBody: "hello\n", wantCmd: "echo hello",
		},
		{
			name: "non-zero exit status is [STATUS], not an error", body: `{"command": "check disk"}`,
			cfg:        &endpoint.SSHConfig{Username: sshTestUser, Password: sshTestPassword},
			wantStatus: 2, wantBody: "disk 93% full\n", wantCmd: "check disk",
		},
		{
			name: "private key auth runs the command", body: `{"command": "echo hello"}`,
			cfg:        &endpoint.SSHConfig{Username: sshTestUser, PrivateKey: string(srv.clientKey)},
			wantStatus: 0, wantBody: "hello\n", wantCmd: "echo hello",
		},
		{
			name: "private key with a wrong password still logs in by key", body: `{"command": "echo hello"}`,
			cfg:        &endpoint.SSHConfig{Username: sshTestUser, Password: "wrong", PrivateKey: string(srv.clientKey)},
			wantStatus: 0, wantBody: "hello\n", wantCmd: "echo hello",
		},
		{
			name: "body placeholders are replaced", body: `{"command": "[ENDPOINT_NAME]-ok"}`,
			cfg:        &endpoint.SSHConfig{Username: sshTestUser, Password: sshTestPassword},
			wantStatus: 0, wantBody: "ok\n", wantCmd: "endpoint-ok",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := sshTarget(t, "ssh://"+srv.addr, tc.body, tc.cfg)
			target.Endpoint.Name = "endpoint"
			before := len(srv.ran())
			res := runSSH(t, target)
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", res.Errors)
			}
			if !res.Connected {
				t.Error("Connected = false, want true")
			}
			if res.HTTPStatus != tc.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", res.HTTPStatus, tc.wantStatus)
			}
			if string(res.Body) != tc.wantBody {
				t.Errorf("Body = %q, want %q", res.Body, tc.wantBody)
			}
			if ran := srv.ran(); len(ran) != before+1 || ran[before] != tc.wantCmd {
				t.Errorf("server ran %v, want %q last", ran, tc.wantCmd)
			}
		})
	}
}

func TestSSHCommandFailures(t *testing.T) {
	srv := startSSHServer(t)
	tests := []struct {
		name          string
		body          string
		cfg           *endpoint.SSHConfig
		wantErr       string
		wantConnected bool
	}{
		{
			name: "wrong password", body: `{"command": "echo hello"}`,
			cfg:     &endpoint.SSHConfig{Username: sshTestUser, Password: "wrong"},
			wantErr: "unable to authenticate",
		},
		{
			name: "unknown user", body: `{"command": "echo hello"}`,
			cfg:     &endpoint.SSHConfig{Username: "nobody", Password: sshTestPassword},
			wantErr: "unable to authenticate",
		},
		{
			name: "unparsable private key", body: `{"command": "echo hello"}`,
			cfg:     &endpoint.SSHConfig{Username: sshTestUser, PrivateKey: "not a key"},
			wantErr: "ssh.private-key",
		},
		{
			name: "username without password or key", body: `{"command": "echo hello"}`,
			cfg:     &endpoint.SSHConfig{Username: sshTestUser},
			wantErr: "neither ssh.password nor ssh.private-key",
		},
		{
			name: "password without username", body: `{"command": "echo hello"}`,
			cfg:     &endpoint.SSHConfig{Password: sshTestPassword},
			wantErr: "ssh.username is empty",
		},
		{
			name: "body that is not JSON", body: `echo hello`,
			cfg:     &endpoint.SSHConfig{Username: sshTestUser, Password: sshTestPassword},
			wantErr: "body must be JSON", wantConnected: true,
		},
		{
			name: "body without a command", body: `{}`,
			cfg:     &endpoint.SSHConfig{Username: sshTestUser, Password: sshTestPassword},
			wantErr: "no command", wantConnected: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runSSH(t, sshTarget(t, "ssh://"+srv.addr, tc.body, tc.cfg))
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0], tc.wantErr) {
				t.Fatalf("errors = %v, want one containing %q", res.Errors, tc.wantErr)
			}
			if res.Connected != tc.wantConnected {
				t.Errorf("Connected = %v, want %v", res.Connected, tc.wantConnected)
			}
			if strings.Contains(res.Errors[0], sshTestPassword) {
				t.Errorf("error %q leaks the password", res.Errors[0])
			}
		})
	}
}

func TestSSHAddressDefaultsToPort22(t *testing.T) {
	tests := map[string]string{
		"ssh://example.org":      "example.org:22",
		"ssh://example.org:2222": "example.org:2222",
		"ssh://[::1]":            "[::1]:22",
		"ssh://[::1]:2222":       "[::1]:2222",
	}
	for in, want := range tests {
		got, err := sshAddress(in)
		if err != nil || got != want {
			t.Errorf("sshAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := sshAddress("ssh://"); err == nil {
		t.Error("sshAddress(ssh://) succeeded, want an error")
	}
}

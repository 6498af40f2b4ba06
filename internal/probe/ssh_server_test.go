package probe

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"net"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

const (
	sshTestUser     = "probe"
	sshTestPassword = "correct horse"
)

// sshTestCommands are what the test server "runs": output and exit status.
var sshTestCommands = map[string]struct {
	out    string
	status uint32
}{
	"echo hello":  {"hello\n", 0},
	"check disk":  {"disk 93% full\n", 2},
	"endpoint-ok": {"ok\n", 0},
}

// sshTestServer is an SSH server on 127.0.0.1 that accepts sshTestUser with
// sshTestPassword or with clientKey, and answers exec requests from
// sshTestCommands.
type sshTestServer struct {
	addr      string
	clientKey []byte // PEM private key the server accepts

	mu       sync.Mutex
	commands []string
}

func (s *sshTestServer) ran() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

func startSSHServer(t *testing.T) *sshTestServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(clientPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	authorized, err := ssh.NewPublicKey(clientPub)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == sshTestUser && string(pw) == sshTestPassword {
				return nil, nil
			}
			return nil, errAuth
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == sshTestUser && bytes.Equal(key.Marshal(), authorized.Marshal()) {
				return nil, nil
			}
			return nil, errAuth
		},
	}
	cfg.AddHostKey(hostSigner)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sshTestServer{addr: ln.Addr().String(), clientKey: pem.EncodeToMemory(block)}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serveConn(conn, cfg)
			}()
		}
	}()
	return s
}

var errAuth = errors.New("access denied")

func (s *sshTestServer) serveConn(conn net.Conn, cfg *ssh.ServerConfig) {
	defer conn.Close()
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		go s.serveSession(ch, requests)
	}
}

func (s *sshTestServer) serveSession(ch ssh.Channel, requests <-chan *ssh.Request) {
	defer ch.Close()
	for req := range requests {
		if req.Type != "exec" || len(req.Payload) < 4 {
			_ = req.Reply(false, nil)
			continue
		}
		cmd := string(req.Payload[4:]) // payload: uint32 length + command
		s.mu.Lock()
		s.commands = append(s.commands, cmd)
		s.mu.Unlock()
		_ = req.Reply(true, nil)
		c, known := sshTestCommands[cmd]
		if !known {
			c.out, c.status = "", 127
		}
		_, _ = ch.Write([]byte(c.out))
		status := make([]byte, 4)
		binary.BigEndian.PutUint32(status, c.status)
		_, _ = ch.SendRequest("exit-status", false, status)
		return
	}
}

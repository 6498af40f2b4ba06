package probe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/quorate/quorate/internal/endpoint"
	"github.com/quorate/quorate/internal/result"
)

const (
	sshDefaultPort = "22"
	// sshMaxOutput caps the command output kept as [BODY]; the rest is discarded
	// so a chatty command cannot exhaust the agent's memory.
	sshMaxOutput = 1 << 20
	// sshMaxBannerLines bounds the lines a server may send before its version
	// line (RFC 4253 §4.2 allows some).
	sshMaxBannerLines = 20
)

// probeSSH checks an ssh:// endpoint the way Gatus does. Without credentials
// it only reads the server's version banner. With a username and a password or
// private key it logs in, runs the command of the JSON body
// ({"command": "..."}), and records the exit status as [STATUS] and the
// standard output as [BODY].
func probeSSH(ctx context.Context, t *Target, res *result.Result) {
	ctx, cancel := probeContext(ctx, t)
	defer cancel()
	addr, err := sshAddress(t.Endpoint.URL)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	cfg := t.Endpoint.SSH
	if cfg == nil || (cfg.Username == "" && cfg.Password == "" && cfg.PrivateKey == "") {
		sshBannerCheck(ctx, t, addr, res)
		return
	}
	sshRunCommand(ctx, t, addr, cfg, res)
}

// sshAddress extracts host:port from ssh://host[:port].
func sshAddress(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return "", fmt.Errorf("ssh: url %q is not ssh://host[:port]", raw)
	}
	port := u.Port()
	if port == "" {
		port = sshDefaultPort
	}
	return net.JoinHostPort(u.Hostname(), port), nil
}

// sshBannerCheck connects and reads the version banner. Connected is true only
// when the server identifies as SSH; [BODY] is the banner, [STATUS] stays 0.
func sshBannerCheck(ctx context.Context, t *Target, addr string, res *result.Result) {
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	conn, err := sshDial(ctx, t, addr)
	if err != nil {
		res.AddError(fmt.Sprintf("ssh: connect to %s: %v", addr, err))
		return
	}
	defer conn.Close()
	banner, err := readSSHBanner(bufio.NewReader(conn))
	if err != nil {
		res.AddError(fmt.Sprintf("ssh: banner from %s: %v", addr, err))
		return
	}
	res.Connected = true
	res.Body = []byte(banner)
}

// readSSHBanner returns the first line starting with "SSH-", skipping the
// free-form lines a server may send first.
func readSSHBanner(r *bufio.Reader) (string, error) {
	var first string // first non-SSH line, to show what answered instead
	for range sshMaxBannerLines {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "SSH-") {
			return line, nil
		}
		if first == "" {
			first = line
		}
		if err != nil {
			if first != "" {
				return "", fmt.Errorf("not an SSH server: got %q", truncateForError(first))
			}
			return "", err
		}
	}
	return "", fmt.Errorf("not an SSH server: no SSH- version line in the first %d lines, got %q", sshMaxBannerLines, truncateForError(first))
}

func truncateForError(s string) string {
	const limit = 64
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}

// sshDial connects with the target's dialer (client.dns-resolver,
// client.network) and bounds every later read and write by the probe's
// deadline and by cancellation of ctx.
func sshDial(ctx context.Context, t *Target, addr string) (net.Conn, error) {
	c := clientFor(t)
	if c.err != nil {
		return nil, c.err
	}
	conn, err := c.dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	return &sshDeadlineConn{Conn: conn, stop: watchConn(ctx, conn)}, nil
}

// sshDeadlineConn releases its context watcher when closed.
type sshDeadlineConn struct {
	net.Conn
	stop func() bool
}

func (c *sshDeadlineConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

// sshCommandBody is Gatus's SSH body format.
type sshCommandBody struct {
	Command string `json:"command"`
}

func sshRunCommand(ctx context.Context, t *Target, addr string, cfg *endpoint.SSHConfig, res *result.Result) {
	if cfg.Username == "" {
		res.AddError("ssh: ssh.username is empty; set it, or remove ssh.password and ssh.private-key to only check the banner")
		return
	}
	auth, err := sshAuthMethods(cfg)
	if err != nil {
		res.AddError(err.Error())
		return
	}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()

	conn, err := sshDial(ctx, t, addr)
	if err != nil {
		res.AddError(fmt.Sprintf("ssh: connect to %s: %v", addr, err))
		return
	}
	defer conn.Close()
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{
		User: cfg.Username,
		Auth: auth,
		// Host keys are not verified, as in Gatus: its configuration has no place
		// for known hosts, so verifying would fail every pasted SSH endpoint. The
		// cost is that a man-in-the-middle could see a password; a private key
		// is not exposed that way, so prefer ssh.private-key.
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		res.AddError(fmt.Sprintf("ssh: log in to %s as %q: %v", addr, cfg.Username, err))
		return
	}
	client := ssh.NewClient(sshConn, chans, reqs)
	defer client.Close()
	res.Connected = true

	var body sshCommandBody
	raw := withLocalAddress(requestBody(t.Endpoint), conn.LocalAddr())
	if err := json.Unmarshal([]byte(raw), &body); err != nil {
		res.AddError(fmt.Sprintf(`ssh: body must be JSON such as {"command": "uptime"}: %v`, err))
		return
	}
	if strings.TrimSpace(body.Command) == "" {
		res.AddError(`ssh: body has no command; set body to {"command": "..."}`)
		return
	}
	sess, err := client.NewSession()
	if err != nil {
		res.AddError(fmt.Sprintf("ssh: open session on %s: %v", addr, err))
		return
	}
	defer sess.Close()
	out := &cappedBuffer{limit: sshMaxOutput}
	sess.Stdout = out
	err = sess.Run(body.Command)
	var exitErr *ssh.ExitError
	switch {
	case err == nil:
		res.HTTPStatus = 0
	case errors.As(err, &exitErr):
		// A non-zero exit status is an observation for [STATUS], not a probe error.
		res.HTTPStatus = exitErr.ExitStatus()
	default:
		res.AddError(fmt.Sprintf("ssh: run command on %s: %v", addr, err))
		return
	}
	res.Body = out.Bytes()
}

// sshAuthMethods prefers the private key and falls back to the password, as
// Gatus does. Errors never include the key or the password.
func sshAuthMethods(cfg *endpoint.SSHConfig) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if cfg.PrivateKey != "" {
		signer, err := ssh.ParsePrivateKey([]byte(cfg.PrivateKey))
		if err != nil {
			return nil, fmt.Errorf("ssh: ssh.private-key is not a usable unencrypted private key (PEM/OpenSSH format): %v", err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if cfg.Password != "" {
		methods = append(methods, ssh.Password(cfg.Password))
	}
	if len(methods) == 0 {
		return nil, errors.New("ssh: ssh.username is set but neither ssh.password nor ssh.private-key is; set one of them")
	}
	return methods, nil
}

// cappedBuffer keeps the first limit bytes written and silently drops the rest,
// so the SSH session never fails because output was too long.
type cappedBuffer struct {
	bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

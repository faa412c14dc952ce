package tui_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// idleConns is how many idle authenticated connections
// TestIdleConnectionsNotHeldByKeepalives holds open: 30 in make test, 1500
// in make test-long.
var idleConns = flag.Int("idle-conns", 30, "idle connections TestIdleConnectionsNotHeldByKeepalives opens")

// goKey is an in-process client key: an x/crypto/ssh signer and its
// authorized_keys line.
type goKey struct {
	signer gossh.Signer
	line   string
}

func newGoKey(t *testing.T) goKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return goKey{signer: s, line: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))}
}

func dial(ts *sshtest.Server, k goKey) (*gossh.Client, error) {
	return gossh.Dial("tcp", net.JoinHostPort("127.0.0.1", ts.Port), &gossh.ClientConfig{
		User: "x", Auth: []gossh.AuthMethod{gossh.PublicKeys(k.signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
}

// run runs one command on c and returns its stderr.
func run(t *testing.T, c *gossh.Client, cmd string) (string, error) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	var stderr bytes.Buffer
	s.Stderr = &stderr
	err = s.Run(cmd)
	return stderr.String(), err
}

// openScreen opens a terminal session on c and waits for its first bytes.
func openScreen(t *testing.T, c *gossh.Client) (*gossh.Session, io.WriteCloser) {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	in, _ := s.StdinPipe()
	out, _ := s.StdoutPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := out.Read(buf); err != nil {
		t.Fatalf("screen: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return s, in
}

// One unregistered key cannot fill the session cap: it gets its small
// share, and merchants still get in.
func TestPerKeyAndUnknownSessionCaps(t *testing.T) {
	admin := newGoKey(t)
	ts := sshtest.Start(t, func(c *tui.Config) {
		c.AdminKeys = []string{admin.line}
		c.MaxSessions = 8
		c.Limits = tui.Limits{SessionsPerIP: 8, SessionsPerKey: 3, SessionsPerUnknownKey: 1, UnknownSessions: 2}
	})
	stranger, stranger2, stranger3 := newGoKey(t), newGoKey(t), newGoKey(t)
	c1, err := dial(ts, stranger)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	s1, _ := openScreen(t, c1)
	defer s1.Close()
	// A second session of the same unknown key is refused.
	if stderr, err := run(t, c1, "program list"); err == nil || !strings.Contains(stderr, "too many sessions of this key") {
		t.Errorf("second session of an unknown key: %v %q", err, stderr)
	}
	// Another unknown key gets one; a third unknown key finds the unknown share used up.
	c2, err := dial(ts, stranger2)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	s2, _ := openScreen(t, c2)
	defer s2.Close()
	c3, err := dial(ts, stranger3)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if stderr, err := run(t, c3, "program list"); err == nil || !strings.Contains(stderr, "not known here") {
		t.Errorf("third unknown key: %v %q", err, stderr)
	}
	// The admin still gets in, up to their own share.
	ca, err := dial(ts, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	var screens []*gossh.Session
	var inputs []io.WriteCloser
	for range 3 {
		s, in := openScreen(t, ca)
		screens, inputs = append(screens, s), append(inputs, in)
	}
	defer func() {
		for _, s := range screens {
			s.Close()
		}
	}()
	if stderr, err := run(t, ca, "whoami"); err == nil || !strings.Contains(stderr, "too many sessions of this key") {
		t.Errorf("admin over their share: %v %q", err, stderr)
	}
	_, _ = inputs[0].Write([]byte{0x03}) // ctrl+c quits any screen (q types into the first-program form)
	deadline := time.Now().Add(sshtest.ScreenWait)
	for {
		stderr, err := run(t, ca, "whoami")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slot not freed: %v %q", err, stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Connections from one address are capped before the handshake.
func TestConnectionsPerAddressCap(t *testing.T) {
	admin := newGoKey(t)
	ts := sshtest.Start(t, func(c *tui.Config) {
		c.AdminKeys = []string{admin.line}
		c.Limits = tui.Limits{ConnsPerIP: 3}
	})
	var cs []*gossh.Client
	for range 3 {
		c, err := dial(ts, admin)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	if c, err := dial(ts, admin); err == nil {
		c.Close()
		t.Fatal("a fourth connection from one address was accepted")
	}
	cs[0].Close()
	deadline := time.Now().Add(sshtest.ScreenWait)
	for {
		c, err := dial(ts, admin)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("closed connection's slot not freed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range cs[1:] {
		c.Close()
	}
}

// One key cannot hold more authenticated connections than its share, even
// from many addresses.
func TestConnectionsPerKeyCap(t *testing.T) {
	admin, stranger := newGoKey(t), newGoKey(t)
	ts := sshtest.Start(t, func(c *tui.Config) {
		c.AdminKeys = []string{admin.line}
		c.Limits = tui.Limits{ConnsPerIP: 50, ConnsPerKey: 2, ConnsPerUnknownKey: 1}
	})
	var held []*gossh.Client
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for range 2 {
		c, err := dial(ts, admin)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		if stderr, err := run(t, c, "whoami"); err != nil {
			t.Fatalf("whoami: %v %s", err, stderr)
		}
	}
	c3, err := dial(ts, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if stderr, err := run(t, c3, "whoami"); err == nil || !strings.Contains(stderr, "too many connections of this key") {
		t.Errorf("third connection of the key: %v %q", err, stderr)
	}
	u1, err := dial(ts, stranger)
	if err != nil {
		t.Fatal(err)
	}
	held = append(held, u1)
	if _, err := run(t, u1, "program list"); err != nil {
		t.Fatalf("unknown key's first connection: %v", err)
	}
	u2, err := dial(ts, stranger)
	if err != nil {
		t.Fatal(err)
	}
	defer u2.Close()
	if stderr, err := run(t, u2, "program list"); err == nil || !strings.Contains(stderr, "too many connections of this key") {
		t.Errorf("unknown key's second connection: %v %q", err, stderr)
	}
	// A closed connection frees its place.
	held[0].Close()
	deadline := time.Now().Add(sshtest.ScreenWait)
	for {
		c, err := dial(ts, admin)
		if err == nil {
			_, rerr := run(t, c, "whoami")
			c.Close()
			if rerr == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("closed connection's place not freed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Authenticated connections with no session are closed after ConnIdle,
// however often they send keepalives; a command session ends after
// CommandLifetime even while it waits for input.
func TestIdleConnectionsNotHeldByKeepalives(t *testing.T) {
	// Every command (each connection's whoami too) must end within the
	// lifetime: 2 s leaves a loaded machine room.
	const lifetime = 2 * time.Second
	admin := newGoKey(t)
	ts := sshtest.Start(t, func(c *tui.Config) {
		c.AdminKeys = []string{admin.line}
		c.Limits = tui.Limits{ConnsPerIP: *idleConns + 10, MaxConns: *idleConns + 10, ConnsPerKey: *idleConns + 10, ConnIdle: 400 * time.Millisecond,
			CommandLifetime: lifetime}
	})
	n := *idleConns
	var wg sync.WaitGroup
	closed := make(chan time.Duration, n)
	start := time.Now()
	for range n {
		c, err := dial(ts, admin)
		if err != nil {
			t.Fatal(err)
		}
		if stderr, err := run(t, c, "whoami"); err != nil {
			t.Fatalf("whoami: %v %s", err, stderr)
		}
		stop := make(chan struct{})
		wg.Add(2)
		go func() { // keepalives every 50 ms, as ssh -o ServerAliveInterval would
			defer wg.Done()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, _, err := c.SendRequest("keepalive@openssh.com", true, nil); err != nil {
						return
					}
				}
			}
		}()
		go func() {
			defer wg.Done()
			_ = c.Wait()
			closed <- time.Since(start)
			close(stop)
		}()
	}
	opened := time.Since(start)
	// Held by keepalives they would stay open for ever; 15 s (not a few)
	// leaves room for a loaded machine.
	timeout := time.After(15*time.Second + opened)
	var last time.Duration
	for i := range n {
		select {
		case d := <-closed:
			last = d
		case <-timeout:
			t.Fatalf("%d of %d idle connections still open after 15s of keepalives", n-i, n)
		}
	}
	wg.Wait()
	t.Logf("%d authenticated connections sending keepalives every 50 ms: opened in %s, all closed by the server %s after the first opened (connection idle limit 400 ms)",
		n, opened.Round(time.Millisecond), last.Round(time.Millisecond))

	// A command waiting on stdin forever ends at its lifetime. The program
	// is made in the store, not by a command: on a loaded machine the
	// connection could pass its 400 ms idle limit between two sessions.
	u, err := ts.St.EnsureUser(gossh.FingerprintSHA256(admin.signer.PublicKey()), admin.line, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ts.St.CreateProgram(store.Actor{UserID: u.ID, Admin: true},
		store.ProgramInput{Slug: "shop", Name: "Shop", URL: "https://shop.example"}, false); err != nil {
		t.Fatal(err)
	}
	c, err := dial(ts, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	s.Stderr = &stderr
	in, _ := s.StdinPipe() // never closed: the upload never ends
	defer in.Close()
	done := make(chan error, 1)
	t0 := time.Now()
	go func() { done <- s.Run("asset add shop --title Banner --file banner.png") }()
	select {
	case <-done:
		if time.Since(t0) < lifetime-100*time.Millisecond {
			t.Errorf("command ended after %s, before its lifetime: %s", time.Since(t0), stderr.String())
		}
	case <-time.After(lifetime + 15*time.Second):
		t.Fatal("a command waiting on stdin outlived its lifetime")
	}
}

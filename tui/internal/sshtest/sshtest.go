// Package sshtest runs a real affogato SSH server on 127.0.0.1 with its own
// store and drives it with the real OpenSSH client (commands and -tt
// terminal sessions). Only tests import it.
package sshtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
)

// Key is an ed25519 key pair made with ssh-keygen.
type Key struct {
	Path string // private key file
	Pub  string // authorized_keys line
}

func NewKey(t *testing.T, name string) Key {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name+"@test", "-f", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return Key{Path: path, Pub: strings.TrimSpace(string(pub))}
}

// Server is a running Server on 127.0.0.1 with its own store.
type Server struct {
	t    *testing.T
	Srv  *tui.Server
	St   *store.Store
	Port string
	Dir  string
	done chan error
}

// Start starts a server; mod may change the config first.
func Start(t *testing.T, mod func(*tui.Config)) *Server {
	t.Helper()
	return StartTweak(t, mod, nil)
}

// StartTweak is Start with a hook on the Server (and its store)
// before it serves.
func StartTweak(t *testing.T, mod func(*tui.Config), tweak func(*tui.Server, *store.Store)) *Server {
	t.Helper()
	return start(t, func(c *tui.Config, _ *store.Store) {
		if mod != nil {
			mod(c)
		}
	}, tweak)
}

// StartWithStore is Start where mod also sees the server's store (to build
// a payouts service on it, say).
func StartWithStore(t *testing.T, mod func(*tui.Config, *store.Store)) *Server {
	t.Helper()
	return start(t, mod, nil)
}

func start(t *testing.T, mod func(*tui.Config, *store.Store), tweak func(*tui.Server, *store.Store)) *Server {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	cfg := tui.Config{Addr: "127.0.0.1:0", DataDir: dir, PublicURL: "http://aff.test:8080", Logger: log.New(logs)}
	if mod != nil {
		mod(&cfg, st)
	}
	srv, err := tui.New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(srv, st)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	ts := &Server{t: t, Srv: srv, St: st, Port: port, Dir: dir, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		select {
		case err := <-ts.done:
			if !errors.Is(err, ssh.ErrServerClosed) {
				t.Errorf("Serve returned %v, want ssh.ErrServerClosed", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Serve did not return after Shutdown")
		}
		vs, err := st.Check() // every scenario ends with the ledger's invariants holding
		if err != nil {
			t.Errorf("check: %v", err)
		}
		for _, v := range vs {
			t.Errorf("ledger invariant: %s", v.What)
		}
		st.Close()
	})
	return ts
}

// syncBuffer collects the server log; it is printed when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Result is one ssh run.
type Result struct {
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return "exit " + strconv.Itoa(r.Code) + "\nstdout:\n" + r.Stdout + "\nstderr:\n" + r.Stderr
}

// sshArgs are the client options every test uses.
func (ts *Server) SSHArgs(k Key, extra ...string) []string {
	args := []string{"-F", "/dev/null", "-i", k.Path, "-p", ts.Port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=10"}
	return append(args, extra...)
}

// run runs one command as key k; args are quoted for the server's shell-like split.
func (ts *Server) Run(k Key, args ...string) Result {
	ts.t.Helper()
	return ts.RunAs(k, "", args...)
}

// runAs runs one command with an SSH username.
func (ts *Server) RunAs(k Key, user string, args ...string) Result {
	ts.t.Helper()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	host := "127.0.0.1"
	if user != "" {
		host = user + "@" + host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", append(ts.SSHArgs(k, host), strings.Join(quoted, " "))...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		ts.t.Fatalf("ssh %v: %v", args, err)
	}
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// ok runs a command that must succeed and returns its stdout.
func (ts *Server) OK(k Key, args ...string) string {
	ts.t.Helper()
	r := ts.Run(k, args...)
	if r.Code != 0 {
		ts.t.Fatalf("%v: want success, got %s", args, r)
	}
	return r.Stdout
}

// okJSON runs a command with --json and decodes its output into v.
func (ts *Server) OKJSON(k Key, v any, args ...string) {
	ts.t.Helper()
	out := ts.OK(k, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		ts.t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
}

// fail runs a command that must fail with exit status 1 and a message on
// stderr containing want.
func (ts *Server) Fail(k Key, want string, args ...string) Result {
	ts.t.Helper()
	r := ts.Run(k, args...)
	if r.Code != 1 {
		ts.t.Fatalf("%v: want exit 1, got %s", args, r)
	}
	if !strings.Contains(r.Stderr, want) {
		ts.t.Fatalf("%v: stderr should contain %q, got %s", args, want, r)
	}
	if strings.Contains(r.Stderr, "goroutine ") || strings.Contains(r.Stderr, ".go:") {
		ts.t.Fatalf("%v: stderr shows Go internals: %s", args, r)
	}
	return r
}

// shellQuote quotes a for the server's POSIX-like word splitting.
func shellQuote(a string) string {
	if a != "" && strings.IndexFunc(a, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.,:/@%+=", r))
	}) < 0 {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'"'"'`) + "'"
}

// PTY is an interactive session (ssh -tt) whose output is collected.
type PTY struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin interface {
		Write([]byte) (int, error)
		Close() error
	}
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

type lockedWriter struct{ p *PTY }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// OpenPTY opens a terminal session as k (user may name a program).
func (ts *Server) OpenPTY(k Key, user string) *PTY {
	ts.t.Helper()
	host := "127.0.0.1"
	if user != "" {
		host = user + "@" + host
	}
	cmd := exec.Command("ssh", ts.SSHArgs(k, "-tt", "-o", "SetEnv=TERM=xterm-256color", host)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	p := &PTY{t: ts.t, cmd: cmd, done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		ts.t.Fatal(err)
	}
	p.stdin = stdin
	cmd.Stdout = lockedWriter{p}
	cmd.Stderr = lockedWriter{p}
	if err := cmd.Start(); err != nil {
		ts.t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	ts.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *PTY) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// ScreenWait is how long WaitFor and Quit wait: generous, since a loaded
// 2-core machine running the whole suite can stall a session for seconds;
// a passing run never waits it out.
const ScreenWait = 45 * time.Second

// waitFor waits until the output contains every one of want.
func (p *PTY) WaitFor(want ...string) {
	p.t.Helper()
	deadline := time.Now().Add(ScreenWait)
	for time.Now().Before(deadline) {
		out := p.Output()
		all := true
		for _, w := range want {
			all = all && strings.Contains(out, w)
		}
		if all {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("screen never showed %q; got:\n%s", want, p.Output())
}

// quit presses q until the session ends (the renderer's terminal query
// may swallow the first key when the client does not answer it).
func (p *PTY) Quit() {
	p.t.Helper()
	deadline := time.After(ScreenWait)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
			_, _ = p.stdin.Write([]byte{0x03}) // ctrl+c: quits every screen, text fields too
		case <-deadline:
			p.t.Fatalf("session did not end on q; got:\n%s", p.Output())
		}
	}
}

// waitEnd waits for the session to end by itself.
func (p *PTY) WaitEnd(within time.Duration) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		p.t.Fatalf("session still open after %s; got:\n%s", within, p.Output())
	}
}

// FingerprintOfLine is the SHA256 fingerprint of an authorized_keys line.
func FingerprintOfLine(t *testing.T, line string) string {
	t.Helper()
	k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return gossh.FingerprintSHA256(k)
}

// Done is closed when the terminal session has ended.
func (p *PTY) Done() <-chan struct{} { return p.done }

// Type sends s as key presses.
func (p *PTY) Type(s string) {
	p.t.Helper()
	if _, err := p.stdin.Write([]byte(s)); err != nil {
		p.t.Fatalf("type %q: %v", s, err)
	}
}

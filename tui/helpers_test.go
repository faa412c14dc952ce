package tui

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
)

// testKey is an ed25519 key pair made with ssh-keygen.
type testKey struct {
	Path string // private key file
	Pub  string // authorized_keys line
}

func newTestKey(t *testing.T, name string) testKey {
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
	return testKey{Path: path, Pub: strings.TrimSpace(string(pub))}
}

// testServer is a running Server on 127.0.0.1 with its own store.
type testServer struct {
	t    *testing.T
	srv  *Server
	st   *store.Store
	port string
	dir  string
	done chan error
}

// startServer starts a server; mod may change the config first.
func startServer(t *testing.T, mod func(*Config)) *testServer {
	t.Helper()
	return startServerTweak(t, mod, nil)
}

// startServerTweak is startServer with a hook on the Server (and its store)
// before it serves.
func startServerTweak(t *testing.T, mod func(*Config), tweak func(*Server, *store.Store)) *testServer {
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
	cfg := Config{Addr: "127.0.0.1:0", DataDir: dir, PublicURL: "http://aff.test:8080", Logger: log.New(logs)}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(st, cfg)
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
	ts := &testServer{t: t, srv: srv, st: st, port: port, dir: dir, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		select {
		case err := <-ts.done:
			if !errors.Is(err, ssh.ErrServerClosed) {
				t.Errorf("Serve returned %v, want ssh.ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
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

// result is one ssh run.
type result struct {
	Stdout, Stderr string
	Code           int
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.Code) + "\nstdout:\n" + r.Stdout + "\nstderr:\n" + r.Stderr
}

// sshArgs are the client options every test uses.
func (ts *testServer) sshArgs(k testKey, extra ...string) []string {
	args := []string{"-F", "/dev/null", "-i", k.Path, "-p", ts.port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=10"}
	return append(args, extra...)
}

// run runs one command as key k; args are quoted for the server's shell-like split.
func (ts *testServer) run(k testKey, args ...string) result {
	ts.t.Helper()
	return ts.runAs(k, "", args...)
}

// runAs runs one command with an SSH username.
func (ts *testServer) runAs(k testKey, user string, args ...string) result {
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
	cmd := exec.CommandContext(ctx, "ssh", append(ts.sshArgs(k, host), strings.Join(quoted, " "))...)
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
	return result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// ok runs a command that must succeed and returns its stdout.
func (ts *testServer) ok(k testKey, args ...string) string {
	ts.t.Helper()
	r := ts.run(k, args...)
	if r.Code != 0 {
		ts.t.Fatalf("%v: want success, got %s", args, r)
	}
	return r.Stdout
}

// okJSON runs a command with --json and decodes its output into v.
func (ts *testServer) okJSON(k testKey, v any, args ...string) {
	ts.t.Helper()
	out := ts.ok(k, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		ts.t.Fatalf("%v --json: %v\n%s", args, err, out)
	}
}

// fail runs a command that must fail with exit status 1 and a message on
// stderr containing want.
func (ts *testServer) fail(k testKey, want string, args ...string) result {
	ts.t.Helper()
	r := ts.run(k, args...)
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

// ptySession is an interactive session (ssh -tt) whose output is collected.
type ptySession struct {
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

type lockedWriter struct{ p *ptySession }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.out.Write(b)
}

// openPTY opens a terminal session as k (user may name a program).
func (ts *testServer) openPTY(k testKey, user string) *ptySession {
	ts.t.Helper()
	host := "127.0.0.1"
	if user != "" {
		host = user + "@" + host
	}
	cmd := exec.Command("ssh", ts.sshArgs(k, "-tt", "-o", "SetEnv=TERM=xterm-256color", host)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	p := &ptySession{t: ts.t, cmd: cmd, done: make(chan struct{})}
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

func (p *ptySession) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the output contains every one of want.
func (p *ptySession) waitFor(want ...string) {
	p.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		out := p.output()
		all := true
		for _, w := range want {
			all = all && strings.Contains(out, w)
		}
		if all {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("screen never showed %q; got:\n%s", want, p.output())
}

// quit presses q until the session ends (the renderer's terminal query
// may swallow the first key when the client does not answer it).
func (p *ptySession) quit() {
	p.t.Helper()
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-tick.C:
			_, _ = p.stdin.Write([]byte("q"))
		case <-deadline:
			p.t.Fatalf("session did not end on q; got:\n%s", p.output())
		}
	}
}

// waitEnd waits for the session to end by itself.
func (p *ptySession) waitEnd(within time.Duration) {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		p.t.Fatalf("session still open after %s; got:\n%s", within, p.output())
	}
}

// fingerprintOfLine is the SHA256 fingerprint of an authorized_keys line.
func fingerprintOfLine(t *testing.T, line string) string {
	t.Helper()
	k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return gossh.FingerprintSHA256(k)
}

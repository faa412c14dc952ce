package main

// The end-to-end harness: TestMain builds the real binary once; each test
// starts it on free ports with its own data dir, and drives it with the real
// OpenSSH client, tmux and a real HTTP client.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binPath is the affogato binary TestMain built for every test. It is set
// once, before any test runs, and only read afterwards.
var binPath string

// e2eTools are the programs the end-to-end tests drive (CI installs them:
// openssh-client and tmux).
var e2eTools = []string{"ssh", "ssh-keygen", "ssh-keyscan", "tmux"}

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "affogato-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "affogato")
	args := []string{"build", "-o", binPath}
	if raceBuild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build of the affogato binary failed:", err)
		return 1
	}
	return m.Run()
}

// requireTools fails the test (never skips: CI installs them) when a program
// the end-to-end tests drive is missing.
func requireTools(t *testing.T) {
	t.Helper()
	for _, tool := range e2eTools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed; the end-to-end tests need openssh-client and tmux "+
				"(apt-get install openssh-client tmux; .ci/run installs them)", tool)
		}
	}
}

// freePort returns a TCP port on 127.0.0.1 that nobody listens on, below
// the kernel's ephemeral range and not handed out before in this test
// binary. A server's port must stay free while the server is stopped: the
// tests kill and restart servers on the same ports, and a port from the
// ephemeral range (what listening on port 0 gives) can meanwhile become
// the local end of any outgoing connection on the machine, after which
// the restart fails with "address already in use" (seen in make test:
// TestClicksThroughMigrationPurgeCrashAndCompaction, http port 46359).
func freePort(t *testing.T) int {
	t.Helper()
	lo, hi := portRange()
	ports.mu.Lock()
	defer ports.mu.Unlock()
	if ports.given == nil {
		ports.given = map[int]bool{}
	}
	for range 1000 {
		p := lo + rand.IntN(hi-lo)
		if ports.given[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // someone listens there
		}
		l.Close()
		ports.given[p] = true
		return p
	}
	t.Fatalf("no free port in %d-%d after 1000 tries", lo, hi-1)
	return 0
}

// ports are the ports freePort handed out.
var ports struct {
	mu    sync.Mutex
	given map[int]bool
}

// portRange is where freePort picks ports: 10000-19999, below the
// kernel's ephemeral range (32768-60999 by default on Linux; a range
// configured lower cuts it) and below bench/lib.sh's free_port
// (20000-31999), so tests and a load benchmark on one machine do not meet.
func portRange() (lo, hi int) {
	lo, hi = 10000, 20000
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return lo, hi
	}
	if f := strings.Fields(string(b)); len(f) == 2 {
		if first, err := strconv.Atoi(f[0]); err == nil && first > lo+1000 {
			hi = min(hi, first)
		}
	}
	return lo, hi
}

// newKey makes an ed25519 key pair with ssh-keygen and returns the private
// key's path (the public key is path + ".pub").
func newKey(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("ssh-keygen", "-t", "ed25519", "-N", "", "-C", name+"@e2e", "-f", path, "-q").CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}

// lockedBuffer collects a process's output from its copying goroutine while
// tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serverOpts says how to start the binary.
type serverOpts struct {
	dataDir  string   // "" = a new temp dir
	adminKey string   // private key path whose .pub is --admin-key; "" = a new key
	sshPort  int      // 0 = a free port
	httpPort int      // 0 = a free port
	extra    []string // more flags
	// useEnv configures the server through its AFFOGATO_* environment
	// twins instead of flags, with public URL http://localhost:PORT.
	useEnv bool
}

// server is one running affogato process.
type server struct {
	t         *testing.T
	dataDir   string
	adminKey  string // private key path of the instance admin
	sshPort   int
	httpPort  int
	publicURL string
	cmd       *exec.Cmd
	logs      *lockedBuffer
	exited    chan struct{} // closed when the process has ended
	waitErr   error         // valid once exited is closed
	stopped   bool
	useEnv    bool
}

// startServer starts the binary and waits until /healthz answers and the
// SSH port accepts connections. The process is stopped (and its clean exit
// checked) when the test ends, unless the test stopped it already.
func startServer(t *testing.T, o serverOpts) *server {
	t.Helper()
	requireTools(t)
	if o.dataDir == "" {
		o.dataDir = filepath.Join(t.TempDir(), "data")
	}
	if o.adminKey == "" {
		o.adminKey = newKey(t, "admin")
	}
	fixed := o.sshPort != 0 || o.httpPort != 0
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s := &server{t: t, dataDir: o.dataDir, adminKey: o.adminKey, sshPort: o.sshPort, httpPort: o.httpPort, useEnv: o.useEnv}
		if s.sshPort == 0 {
			s.sshPort = freePort(t)
		}
		if s.httpPort == 0 {
			s.httpPort = freePort(t)
		}
		s.publicURL = fmt.Sprintf("http://127.0.0.1:%d", s.httpPort)
		if s.useEnv {
			s.publicURL = fmt.Sprintf("http://localhost:%d", s.httpPort)
		}
		lastErr = s.start(o.extra)
		if lastErr == nil {
			t.Cleanup(func() { s.cleanup() })
			return s
		}
		// Another test may have taken a port between freePort and the
		// listen: try fresh ports, unless the test asked for these.
		if fixed || !strings.Contains(s.logs.String(), "address already in use") {
			break
		}
	}
	t.Fatalf("start affogato: %v", lastErr)
	return nil
}

// args are the flags the binary starts with.
func (s *server) args(extra []string) []string {
	if s.useEnv {
		return extra
	}
	return append([]string{
		"--data", s.dataDir,
		"--ssh", fmt.Sprintf("127.0.0.1:%d", s.sshPort),
		"--http", fmt.Sprintf("127.0.0.1:%d", s.httpPort),
		"--public-url", s.publicURL,
		"--admin-key", s.adminKey + ".pub",
		"--click-flood-limit", "0",
		"--allow-private-targets",
	}, extra...)
}

// start runs the process and waits until it is ready.
func (s *server) start(extra []string) error {
	s.logs = &lockedBuffer{}
	s.exited = make(chan struct{})
	s.cmd = exec.Command(binPath, s.args(extra)...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	// Keep AFFOGATO_* from the environment out of the way: flags only.
	s.cmd.Env = cleanEnv()
	if s.useEnv {
		s.cmd.Env = append(s.cmd.Env,
			"AFFOGATO_DATA="+s.dataDir,
			fmt.Sprintf("AFFOGATO_SSH=127.0.0.1:%d", s.sshPort),
			fmt.Sprintf("AFFOGATO_HTTP=127.0.0.1:%d", s.httpPort),
			"AFFOGATO_PUBLIC_URL="+s.publicURL+"/",
			"AFFOGATO_ADMIN_KEY="+s.adminKey+".pub",
			"AFFOGATO_CLICK_FLOOD_LIMIT=0",
			"AFFOGATO_ALLOW_PRIVATE_TARGETS=true",
		)
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("exec %s: %w", binPath, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	deadline := time.Now().Add(15 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("affogato exited before it was ready (%v); its output:\n%s", s.waitErr, s.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = s.cmd.Process.Kill()
			<-s.exited
			return fmt.Errorf("affogato not ready after 15s; its output:\n%s", s.logs.String())
		}
		if s.ready(client) {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// ready reports whether /healthz answers 200 and the SSH port accepts.
func (s *server) ready(client *http.Client) bool {
	resp, err := client.Get(s.url("/healthz"))
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.sshPort), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// cleanEnv is the test's environment without AFFOGATO_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AFFOGATO_") {
			env = append(env, kv)
		}
	}
	return env
}

// stop sends SIGTERM and checks the process exits cleanly (status 0)
// within 15 seconds.
func (s *server) stop() {
	s.t.Helper()
	if s.stopped {
		return
	}
	s.stopped = true
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Errorf("SIGTERM affogato: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Fatalf("affogato did not exit within 15s of SIGTERM; its output:\n%s", s.logs.String())
	}
	if s.waitErr != nil {
		s.t.Fatalf("affogato did not exit cleanly after SIGTERM: %v; its output:\n%s", s.waitErr, s.logs.String())
	}
	if !strings.Contains(s.logs.String(), "shutting down") {
		s.t.Errorf("affogato exited without logging its shutdown; its output:\n%s", s.logs.String())
	}
}

// cleanup stops a server the test left running and shows its log when the
// test failed.
func (s *server) cleanup() {
	if !s.stopped {
		s.stop()
	}
	if strings.Contains(s.logs.String(), "WARNING: DATA RACE") { // a -race build (race_on_test.go)
		s.t.Errorf("the affogato binary reported a data race")
	}
	if s.t.Failed() {
		s.t.Logf("affogato output (data %s, ssh %d, http %d):\n%s", s.dataDir, s.sshPort, s.httpPort, s.logs.String())
	}
}

// restart stops the server and starts it again on the same data dir and
// ports.
func (s *server) restart(extra ...string) {
	s.t.Helper()
	s.stop()
	if err := s.start(extra); err != nil {
		s.t.Fatalf("restart affogato: %v", err)
	}
	s.stopped = false
}

func (s *server) url(path string) string { return s.publicURL + path }

// sshBaseArgs are the OpenSSH client options every call uses.
func sshBaseArgs(key string, port int) []string {
	return []string{
		"-i", key, "-p", strconv.Itoa(port),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=10",
	}
}

// safeWord matches arguments that need no quoting.
var safeWord = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes an argument the way a shell would read it back: ssh
// joins the command words into one string that the server splits again.
func shellQuote(s string) string {
	if safeWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sshRaw runs one command over SSH with key and returns its stdout bytes,
// stderr and exit status.
func (s *server) sshRaw(key string, args ...string) ([]byte, string, int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmdArgs := append(sshBaseArgs(key, s.sshPort), "127.0.0.1")
	for _, a := range args {
		cmdArgs = append(cmdArgs, shellQuote(a))
	}
	cmd := exec.CommandContext(ctx, "ssh", cmdArgs...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			s.t.Fatalf("run ssh %s: %v", strings.Join(args, " "), err)
		}
		exit = ee.ExitCode()
	}
	if ctx.Err() != nil {
		s.t.Fatalf("ssh %s: timed out", strings.Join(args, " "))
	}
	return stdout.Bytes(), stderr.String(), exit
}

// ssh runs one command over SSH with key.
func (s *server) ssh(key string, args ...string) (stdout, stderr string, exit int) {
	s.t.Helper()
	out, errOut, code := s.sshRaw(key, args...)
	return string(out), errOut, code
}

// mustSSH runs a command that must succeed and returns its stdout.
func (s *server) mustSSH(key string, args ...string) string {
	s.t.Helper()
	out, errOut, code := s.ssh(key, args...)
	if code != 0 {
		s.t.Fatalf("ssh %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// sshJSON runs a command with --json that must succeed and decodes its
// output into v.
func (s *server) sshJSON(key string, v any, args ...string) {
	s.t.Helper()
	out := s.mustSSH(key, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		s.t.Fatalf("ssh %s --json: %v\noutput: %s", strings.Join(args, " "), err, out)
	}
}

// noRedirect is an HTTP client that returns redirects instead of following
// them.
func noRedirect() *http.Client {
	return &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// postJSON posts body to path with a bearer key and returns the status and
// response body.
func (s *server) postJSON(path, apiKey, body string) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url(path), strings.NewReader(body))
	if err != nil {
		s.t.Fatalf("request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := noRedirect().Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("POST %s: read body: %v", path, err)
	}
	return resp.StatusCode, data
}

// runBinary runs the built binary with args (not the server: e.g. check)
// and returns its stdout, stderr and exit status.
func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("run affogato %s: %v", strings.Join(args, " "), err)
		}
		exit = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), exit
}

// runCmd runs a program with a timeout and returns its combined output.
func runCmd(timeout time.Duration, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s: timed out after %s", name, timeout)
	}
	return out, err
}

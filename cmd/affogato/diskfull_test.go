package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

// mountTmpfs mounts a small tmpfs (a disk that can fill up, or be made
// read-only) for one test. It needs root (CAP_SYS_ADMIN): without it the
// test is skipped with the reason.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs to fill up (%v): this test needs root with CAP_SYS_ADMIN (CI runs it as root)", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

func remount(t *testing.T, dir, size string, readOnly bool) {
	t.Helper()
	flags := uintptr(syscall.MS_REMOUNT)
	if readOnly {
		flags |= syscall.MS_RDONLY
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, "size="+size); err != nil {
		t.Fatalf("remount %s (read-only %v): %v", dir, readOnly, err)
	}
}

// fill writes a file until the disk is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			break
		}
	}
	// The last bytes: small writes until nothing fits.
	for {
		if _, err := f.Write(buf[:512]); err != nil {
			return
		}
	}
}

type apiError struct {
	Error struct{ Code, Message string } `json:"error"`
}

// writeLoad posts conversions until one is refused for lack of space (or
// n are done); it returns the orders answered 2xx and the refused ones.
func writeLoad(t *testing.T, s *server, apiKey, prefix string, n int) (ok, refused []string, last apiError) {
	t.Helper()
	pad := strings.Repeat("p", 150)
	for i := range n {
		order := fmt.Sprintf("%s-%d-%s", prefix, i, pad)
		body := fmt.Sprintf(`{"order_id":%q,"customer_id":"c-%s","amount":"10.00","currency":"USD","kind":"sale"}`, order, order)
		status, resp := s.postJSON("/api/v1/conversions", apiKey, body)
		switch {
		case status == http.StatusCreated:
			ok = append(ok, order)
		case status == http.StatusServiceUnavailable:
			refused = append(refused, order)
			if err := json.Unmarshal(resp, &last); err != nil {
				t.Fatalf("503 body %s: %v", resp, err)
			}
			return ok, refused, last
		default:
			t.Fatalf("conversion %d: %d %s", i, status, resp)
		}
	}
	return ok, refused, last
}

// verifyOrders opens the stopped server's data and checks the 2xx orders
// are there exactly once and the refused ones are not.
func verifyOrders(t *testing.T, dataDir string, ok, refused []string) {
	t.Helper()
	if out, errOut, code := runBinary(t, "check", "--data", dataDir); code != 0 {
		t.Fatalf("affogato check: exit %d\n%s%s", code, out, errOut)
	}
	st, err := store.Open(dataDir, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	au, err := st.AuditProgram("acme")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ok {
		if au.Orders[o] != 1 {
			t.Errorf("acknowledged order %s present %d times", o[:20], au.Orders[o])
		}
	}
	for _, o := range refused {
		if au.Orders[o] != 0 {
			t.Errorf("refused order %s was saved", o[:20])
		}
	}
}

// A full disk gives a clear error to the API (503, "disk is full") and to
// SSH commands, nothing is half-written, the server keeps running and
// recovers once there is space, and affogato check passes.
func TestDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, "6m")
	s := startServer(t, serverOpts{dataDir: filepath.Join(mnt, "data")})
	var prog programOut
	s.sshJSON(s.adminKey, &prog, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test")

	fill(t, filepath.Join(mnt, "filler"))
	ok, refused, last := writeLoad(t, s, prog.APIKey, "full", 5000)
	if len(refused) == 0 {
		t.Fatalf("the full disk never refused a conversion (%d accepted)", len(ok))
	}
	if last.Error.Code != "unavailable" || !strings.Contains(last.Error.Message, "disk is full") {
		t.Errorf("503 error = %+v, want code unavailable and a message saying the disk is full", last.Error)
	}
	// An SSH command that writes says so too.
	var sawSSH bool
	for i := 1; i <= 20 && !sawSSH; i++ {
		_, stderr, code := s.ssh(s.adminKey, "program", "set", "acme", "welcome", strings.Repeat("w", 2000*i))
		if code != 0 {
			if !strings.Contains(stderr, "disk is full") || strings.Contains(stderr, "internal error") {
				t.Fatalf("program set on a full disk: %q", stderr)
			}
			sawSSH = true
		}
	}
	if !sawSSH {
		t.Error("no SSH write was refused on the full disk")
	}
	if resp, err := noRedirect().Get(s.url("/healthz")); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("server not healthy on a full disk: %v", err)
	}

	// Space again: writes succeed without a restart.
	if err := os.Remove(filepath.Join(mnt, "filler")); err != nil {
		t.Fatal(err)
	}
	more, refused2, _ := writeLoad(t, s, prog.APIKey, "after", 20)
	if len(refused2) != 0 || len(more) != 20 {
		t.Fatalf("after freeing space: %d ok, %d refused", len(more), len(refused2))
	}
	s.stop()
	verifyOrders(t, s.dataDir, append(ok, more...), refused)
	t.Logf("disk full: %d conversions saved before the disk filled, then 503 %q", len(ok), last.Error.Message)
}

// A read-only data directory: the binary refuses to start on it with a
// clear error and changes nothing; once writable again, affogato check
// passes and the data is intact. (A mount cannot turn read-only under a
// running server: Linux refuses while the database is open for writing.)
func TestReadOnlyDataDir(t *testing.T) {
	mnt := mountTmpfs(t, "32m")
	dataDir := filepath.Join(mnt, "data")
	s := startServer(t, serverOpts{dataDir: dataDir})
	var prog programOut
	s.sshJSON(s.adminKey, &prog, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test")
	ok, _, _ := writeLoad(t, s, prog.APIKey, "rw", 30)
	s.stop()
	before, err := os.ReadFile(filepath.Join(dataDir, store.DBFile))
	if err != nil {
		t.Fatal(err)
	}

	remount(t, mnt, "32m", true)
	out, errOut, code := runBinary(t, "--data", dataDir, "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0")
	if code == 0 || !strings.Contains(out+errOut, "read-only") {
		t.Errorf("start on a read-only data dir: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("start on a read-only data dir: %s", strings.TrimSpace(errOut))
	after, err := os.ReadFile(filepath.Join(dataDir, store.DBFile))
	if err != nil || string(after) != string(before) {
		t.Errorf("the database changed on a read-only mount (%v)", err)
	}

	remount(t, mnt, "32m", false)
	verifyOrders(t, dataDir, ok, nil)
	if err := s.start(nil); err != nil {
		t.Fatalf("start once writable again: %v", err)
	}
	s.stopped = false
	var shown programOut
	s.sshJSON(s.adminKey, &shown, "program", "show", "acme")
	if shown.Name != "Acme" {
		t.Errorf("program after the read-only spell: %+v", shown)
	}
}

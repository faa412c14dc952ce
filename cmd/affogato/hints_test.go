package main

import (
	"bytes"
	"context"

	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hintRunner pastes the commands the product prints into sh -c, as a
// person would, with an `ssh` first on PATH that only adds the test's key
// and client options (the hint itself supplies -p PORT and the host).
type hintRunner struct {
	t   *testing.T
	s   *server
	dir string // working directory (files a hint writes land here)
}

func newHintRunner(t *testing.T, s *server) *hintRunner {
	return &hintRunner{t: t, s: s, dir: t.TempDir()}
}

// run pastes line into sh -c with key.
func (h *hintRunner) run(key, line string) (string, string, int) {
	h.t.Helper()
	bin := filepath.Join(h.dir, "bin-"+filepath.Base(key))
	if err := os.MkdirAll(bin, 0o700); err != nil {
		h.t.Fatal(err)
	}
	real, err := exec.LookPath("ssh")
	if err != nil {
		h.t.Fatal(err)
	}
	opts := sshBaseArgs(key, h.s.sshPort)
	var kept []string
	for i := 0; i < len(opts); i++ {
		if opts[i] == "-p" { // the hint names the port itself
			i++
			continue
		}
		kept = append(kept, shellQuote(opts[i]))
	}
	wrapper := "#!/bin/sh\nexec " + shellQuote(real) + " " + strings.Join(kept, " ") + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "ssh"), []byte(wrapper), 0o700); err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir = h.dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatalf("sh -c %s: %v", line, err)
	}
	return out.String(), errb.String(), code
}

// hints are the lines of out that are commands to paste: those starting
// (after indentation) with the server's ssh hint.
func (h *hintRunner) hints(out string) []string {
	prefix := fmt.Sprintf("ssh -p %d 127.0.0.1 ", h.s.sshPort)
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	return lines
}

// hint is the one pasteable line of out that contains want.
func (h *hintRunner) hint(out, want string) string {
	h.t.Helper()
	for _, l := range h.hints(out) {
		if strings.Contains(l, want) {
			return l
		}
	}
	h.t.Fatalf("no pasteable hint with %q in:\n%s", want, out)
	return ""
}

// mustPaste pastes line and requires success.
func (h *hintRunner) mustPaste(key, line string) string {
	h.t.Helper()
	out, errOut, code := h.run(key, line)
	if code != 0 {
		h.t.Fatalf("pasted hint failed (exit %d):\n$ %s\nstdout: %s\nstderr: %s", code, line, out, errOut)
	}
	return out + errOut
}

// Every hint the product prints along the README's path works when pasted
// into a POSIX shell as is.
func TestHintsPasteIntoAShell(t *testing.T) {
	s := startServer(t, serverOpts{})
	h := newHintRunner(t, s)
	admin := s.adminKey

	// program create prints the partners' join command.
	out := s.mustSSH(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--hold-days", "0", "--auto-approve")
	pat := newKey(t, "pat")
	h.mustPaste(pat, h.hint(out, " join acme "))
	var partners []struct {
		PartnerID uint64 `json:"partner_id"`
		Name      string `json:"name"`
		Email     string `json:"email"`
		Code      string `json:"code"`
	}
	s.sshJSON(admin, &partners, "partner", "list", "acme")
	if len(partners) != 1 || partners[0].Name != "Their Name" || partners[0].Email != "them@example.com" {
		t.Fatalf("the pasted join hint made %+v, want one partner named \"Their Name\"", partners)
	}

	// One level of quotes, as people type it: the error explains the second.
	sam := newKey(t, "sam")
	_, errOut, code := h.run(sam, fmt.Sprintf(`ssh -p %d 127.0.0.1 program create shop --name "Shop Inc" --url https://shop.example`, s.sshPort))
	if code == 0 || !strings.Contains(errOut, `--name "'Shop Inc'"`) {
		t.Fatalf("single-quoted name: exit %d, want the double-quoting explanation:\n%s", code, errOut)
	}

	// invite create prints a join command with the token.
	out = s.mustSSH(admin, "invite", "create", "acme")
	joined := h.mustPaste(sam, h.hint(out, " join acme inv_"))
	// join prints how to set the payout method.
	h.mustPaste(sam, h.hint(joined, " profile set paypal "))

	// A bare number warns and prints the fix.
	_, errOut, code = s.ssh(admin, "program", "set", "acme", "commission", "20")
	if code != 0 {
		t.Fatalf("program set commission 20: exit %d %s", code, errOut)
	}
	h.mustPaste(admin, h.hint(errOut, " commission 20%"))
	var prog struct {
		Commission string `json:"commission"`
	}
	s.sshJSON(admin, &prog, "program", "show", "acme")
	if prog.Commission != "20%" {
		t.Fatalf("after the pasted fix the commission is %q", prog.Commission)
	}

	// A flagged commission: the refusal's override command.
	link := s.publicURL + "/r/" + partners[0].Code
	click := followLink(t, link, partners[0].Code)
	apiKey := rotateKey(t, s, admin)
	body := fmt.Sprintf(`{"order_id":"o1","customer_id":"c1","amount":"500.00","click_id":"%d"}`, click)
	if status, resp := s.postJSON("/api/v1/conversions", apiKey, body); status != http.StatusCreated {
		t.Fatalf("conversion: %d %s", status, resp)
	}
	var comms []struct {
		ID    uint64   `json:"id"`
		Flags []string `json:"flags"`
	}
	s.sshJSON(admin, &comms, "commission", "list", "acme")
	if len(comms) != 1 || len(comms[0].Flags) == 0 {
		t.Fatalf("want one flagged commission, got %+v", comms)
	}
	_, errOut, _ = s.ssh(admin, "commission", "approve", "acme", fmt.Sprint(comms[0].ID))
	h.mustPaste(admin, h.hint(errOut, "--override-flags"))

	// payout create: the export and mark-paid lines of this batch.
	h.mustPaste(pat, fmt.Sprintf("ssh -p %d 127.0.0.1 profile set paypal pat@example.com", s.sshPort))
	out = s.mustSSH(admin, "payout", "create", "acme")
	if strings.Contains(out, "wise-csv") || strings.Contains(out, "|") {
		t.Errorf("payout create offers what does not apply to a PayPal batch:\n%s", out)
	}
	h.mustPaste(admin, h.hint(out, "--format paypal-csv > "))
	csv, err := os.ReadFile(filepath.Join(h.dir, "batch-1-paypal.csv"))
	if err != nil || !bytes.Contains(csv, []byte("pat@example.com")) {
		t.Fatalf("the pasted export wrote %q (%v)", csv, err)
	}
	// Sending an exported batch: the error ends with mark-paid.
	_, errOut, _ = s.ssh(admin, "payout", "send", "1")
	h.mustPaste(admin, h.hint(errOut, "payout mark-paid 1"))
	var batches []struct {
		Status string `json:"status"`
	}
	s.sshJSON(admin, &batches, "payout", "list", "acme")
	if len(batches) != 1 || batches[0].Status != "paid" {
		t.Fatalf("after the pasted mark-paid: %+v", batches)
	}
}

// More hints: the key, team and API key flows, and what an unknown key is
// told, each pasted as printed.
func TestMoreHintsPasteIntoAShell(t *testing.T) {
	s := startServer(t, serverOpts{})
	h := newHintRunner(t, s)
	admin := s.adminKey
	s.mustSSH(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--listed")

	// An unknown key: whoami's join and program list lines.
	newcomer := newKey(t, "newcomer")
	out := s.mustSSH(newcomer, "whoami")
	h.mustPaste(newcomer, h.hint(out, " program list"))
	h.mustPaste(newcomer, h.hint(out, " join acme --name "))

	// key add prints the claim the new key runs.
	laptop := newKey(t, "laptop")
	pub, err := os.ReadFile(laptop + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	out = s.mustSSH(newcomer, append([]string{"key", "add"}, strings.Fields(string(pub))...)...)
	h.mustPaste(laptop, h.hint(out, " key claim "))

	// team invite prints the join the invitee runs.
	mate := newKey(t, "mate")
	out = s.mustSSH(admin, "team", "invite", "acme")
	h.mustPaste(mate, h.hint(out, " team join "))

	// program apikey without --rotate prints the rotation.
	_, errOut, code := s.ssh(admin, "program", "apikey", "acme")
	if code == 0 {
		t.Fatal("program apikey without --rotate succeeded")
	}
	h.mustPaste(admin, h.hint(errOut, " program apikey acme --rotate"))

	// A typo'd join prints the right one.
	stranger := newKey(t, "stranger")
	_, errOut, _ = s.ssh(stranger, "join", "acmee", "--name", "Sue Smith", "--email", "sue@example.com")
	h.mustPaste(stranger, h.hint(errOut, " join acme "))
	var partners []struct {
		Name string `json:"name"`
	}
	s.sshJSON(admin, &partners, "partner", "list", "acme")
	if len(partners) != 2 || partners[1].Name != "Sue Smith" {
		t.Fatalf("the pasted suggestion joined %+v", partners)
	}
}

// rotateKey makes a new API key for acme and returns it.
func rotateKey(t *testing.T, s *server, admin string) string {
	t.Helper()
	var p struct {
		APIKey string `json:"api_key"`
	}
	s.sshJSON(admin, &p, "program", "apikey", "acme", "--rotate")
	if p.APIKey == "" {
		t.Fatal("no API key")
	}
	return p.APIKey
}

// affogato --help lists every AFFOGATO_* variable.
func TestHelpListsEnvironment(t *testing.T) {
	out, err := exec.Command(binPath, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("affogato --help: %v\n%s", err, out)
	}
	for _, v := range []string{"AFFOGATO_ADMIN_KEY", "AFFOGATO_DATA", "AFFOGATO_PUBLIC_URL", "AFFOGATO_SSH_PUBLIC_ADDR", "AFFOGATO_OPEN_SIGNUP"} {
		if !strings.Contains(string(out), v) {
			t.Errorf("affogato --help lacks %s:\n%s", v, out)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// httpGet fetches a path of the server's public URL.
func (s *server) httpGet(path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := noRedirect().Get(s.url(path))
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp, string(body)
}

// TestSignupPage: PUBLIC_URL/p/SLUG through the binary, for a program that
// is not listed, with the join commands from --ssh-public-addr (and from
// the public URL's host and the SSH port without it).
func TestSignupPage(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{extra: []string{"--ssh-public-addr", "join.example.test:2222"}})
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--commission", "25%")
	s.mustSSH(s.adminKey, "program", "set", "acme", "terms", "Be nice.")
	s.mustSSH(s.adminKey, "program", "set", "acme", "accent", "#00aa55")
	resp, body := s.httpGet("/p/acme")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("GET /p/acme: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"Acme", "25% of each payment", "Be nice.", "#00aa55", "ssh-keygen", "ssh -p 2222 acme@join.example.test"} {
		if !strings.Contains(body, want) {
			t.Errorf("signup page lacks %q", want)
		}
	}
	if resp, _ := s.httpGet("/p/nosuch"); resp.StatusCode != 404 {
		t.Errorf("GET /p/nosuch: %d", resp.StatusCode)
	}
	// The command side prints the same address.
	if out := s.mustSSH(s.adminKey, "help"); !strings.Contains(out, "ssh -p 2222 join.example.test") {
		t.Errorf("help does not print --ssh-public-addr:\n%s", out)
	}
}

// sshStdin runs one command over SSH with stdin from body, as
// "ssh host COMMAND < FILE" does; args are quoted for the server's split.
func (s *server) sshStdin(key string, body []byte, args ...string) (string, string, int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmdArgs := append(sshBaseArgs(key, s.sshPort), "127.0.0.1")
	for _, a := range args {
		cmdArgs = append(cmdArgs, shellQuote(a))
	}
	cmd := exec.CommandContext(ctx, "ssh", cmdArgs...)
	cmd.Stdin = bytes.NewReader(body)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("ssh %s: %v", strings.Join(args, " "), err)
	}
	return stdout.String(), stderr.String(), exit
}

// TestAssetsEndToEnd: promotional assets through the binary, OpenSSH and
// a real HTTP client (issue 9's checks).
func TestAssetsEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--auto-approve")
	s.mustSSH(s.adminKey, "program", "create", "zeta", "--name", "Zeta", "--url", "https://zeta.test", "--auto-approve")
	pat, kim, zed := newKey(t, "pat"), newKey(t, "kim"), newKey(t, "zed")
	var jp, jk struct{ Code string }
	s.sshJSON(pat, &jp, "join", "acme", "--name", "Pat", "--email", "pat@example.com")
	s.sshJSON(kim, &jk, "join", "acme", "--name", "Kim", "--email", "kim@example.com")
	s.mustSSH(zed, "join", "zeta", "--name", "Zed", "--email", "zed@example.com")

	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0xab}, 4000)...)
	if out, errOut, code := s.sshStdin(s.adminKey, png, "asset", "add", "acme", "--title", "Banner", "--file", "b.png"); code != 0 {
		t.Fatalf("asset add --file: exit %d\n%s\n%s", code, out, errOut)
	}
	var assets []struct {
		ID              uint64
		Kind, URL, Body string
		Title, Filename string
		ContentType     string `json:"content_type"`
	}
	s.sshJSON(s.adminKey, &assets, "asset", "list", "acme")
	if len(assets) != 1 || assets[0].URL != s.url("/a/acme/1/b.png") {
		t.Fatalf("assets = %+v", assets)
	}
	resp, body := s.httpGet("/a/acme/1/b.png")
	if resp.StatusCode != 200 || body != string(png) || resp.Header.Get("Content-Type") != "image/png" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("ETag") == "" {
		t.Fatalf("GET the banner: %d %v (%d bytes)", resp.StatusCode, resp.Header, len(body))
	}
	// An HTML file comes back as an attachment.
	page := []byte("<!doctype html><html><script>alert(1)</script></html>")
	if _, errOut, code := s.sshStdin(s.adminKey, page, "asset", "add", "acme", "--title", "Page", "--file", "page.html"); code != 0 {
		t.Fatalf("asset add html: %s", errOut)
	}
	resp, _ = s.httpGet("/a/acme/2/page.html")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET the page: %d %v", resp.StatusCode, resp.Header)
	}
	// One byte over 5 MiB: a clear message and nothing stored.
	big := append(bytes.Clone(png), make([]byte, 5<<20+1-len(png))...)
	_, errOut, code := s.sshStdin(s.adminKey, big, "asset", "add", "acme", "--title", "Big", "--file", "big.png")
	if code == 0 || !strings.Contains(errOut, "5 MiB") {
		t.Fatalf("5 MiB + 1 byte: exit %d, %q", code, errOut)
	}
	s.sshJSON(s.adminKey, &assets, "asset", "list", "acme")
	if len(assets) != 2 {
		t.Fatalf("after the refused upload: %d assets", len(assets))
	}
	// A text asset shows each partner their own link.
	s.mustSSH(s.adminKey, "asset", "add", "acme", "--title", "Post", "--text", "Join via {link}")
	for _, p := range []struct{ key, code string }{{pat, jp.Code}, {kim, jk.Code}} {
		s.sshJSON(p.key, &assets, "asset", "list", "acme")
		if len(assets) != 3 || assets[2].Body != "Join via "+s.url("/r/"+p.code) {
			t.Errorf("partner's assets = %+v, want their link %s", assets, p.code)
		}
	}
	// A partner of another program gets nothing.
	if out, errOut, code := s.ssh(zed, "asset", "list", "acme", "--json"); code == 0 || out != "" || errOut == "" {
		t.Errorf("zeta's partner listed acme's assets: exit %d %q %q", code, out, errOut)
	}
	// Removed: 404.
	s.mustSSH(s.adminKey, "asset", "remove", "acme", "1")
	if resp, _ := s.httpGet("/a/acme/1/b.png"); resp.StatusCode != 404 {
		t.Errorf("removed asset: %d", resp.StatusCode)
	}
}

// keys sends tmux key names (Tab, Enter, Space, …) to a session.
func (tm *tmux) keys(name string, keys ...string) {
	tm.t.Helper()
	if out, err := tm.run(append([]string{"send-keys", "-t", name}, keys...)...); err != nil {
		tm.t.Fatalf("tmux send-keys %v: %v\n%s", keys, err, out)
	}
}

// typeText types text literally into a session.
func (tm *tmux) typeText(name, text string) {
	tm.t.Helper()
	if out, err := tm.run("send-keys", "-t", name, "-l", text); err != nil {
		tm.t.Fatalf("tmux send-keys -l %q: %v\n%s", text, err, out)
	}
}

// TestPortalEndToEnd: a stranger opens SLUG@host through OpenSSH in tmux,
// fills the signup form, accepts the terms, and lands on the portal
// waiting for approval; the merchant approves, a click and a conversion
// arrive over HTTP, and the Dashboard and Earnings tabs show them without
// a key press; 2, n creates a link with a campaign sub-id that link list
// --json shows.
func TestPortalEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	var prog programOut
	s.sshJSON(s.adminKey, &prog, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--commission", "20%")
	s.mustSSH(s.adminKey, "program", "set", "acme", "terms", "No paid ads on our brand.")
	s.mustSSH(s.adminKey, "program", "set", "acme", "accent", "#FF5F87")
	s.mustSSH(s.adminKey, "program", "set", "acme", "welcome", "Welcome to Acme partners!")
	tm := newTmux(t)
	stranger := newKey(t, "stranger")

	tm.open(s, "portal", stranger, "acme")
	tm.waitFor("portal", "Acme", "Welcome to Acme partners!", "20% of each payment", "No paid ads", "I accept the terms")
	tm.typeText("portal", "Nova Newcomer")
	tm.keys("portal", "Tab")
	tm.typeText("portal", "nova@new.test")
	tm.keys("portal", "Enter")
	tm.waitFor("portal", "accept the terms to join")
	// The refused submit put the cursor on the box.
	tm.keys("portal", "Space", "Enter")
	tm.waitFor("portal", "1 Dashboard", "Waiting for approval")

	// The merchant approves: the portal shows the link without a key press.
	var links []struct{ Code, Link, Sub string }
	s.sshJSON(stranger, &links, "link", "list", "acme")
	if len(links) != 1 {
		t.Fatalf("links after signup = %+v", links)
	}
	s.mustSSH(s.adminKey, "partner", "approve", "acme", "nova@new.test")
	tm.waitFor("portal", "Your link", links[0].Link)

	// A click and a conversion over HTTP appear on the Dashboard.
	clickID := followLink(t, links[0].Link, links[0].Code)
	body := fmt.Sprintf(`{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale","click_id":"%d"}`, clickID)
	if status, resp := s.postJSON("/api/v1/conversions", prog.APIKey, body); status != http.StatusCreated {
		t.Fatalf("POST conversion: %d %s", status, resp)
	}
	tm.waitFor("portal", "Clicks 1", "Conversions 1", "Pending 9.98 USD")

	// Earnings: a second order shows up while the tab is open.
	tm.keys("portal", "4")
	tm.waitFor("portal", "Earnings", "49.90 USD", "9.98 USD")
	body = `{"order_id":"o2","customer_id":"c2","amount":"100.00","currency":"USD","kind":"sale","ref":"` + links[0].Code + `"}`
	if status, resp := s.postJSON("/api/v1/conversions", prog.APIKey, body); status != http.StatusCreated {
		t.Fatalf("POST conversion 2: %d %s", status, resp)
	}
	screen := tm.waitFor("portal", "100.00 USD", "20.00 USD")
	if strings.Contains(screen, "fast_conversion") || strings.Contains(screen, "self_referral") {
		t.Errorf("the partner sees fraud flag names:\n%s", screen)
	}

	// 2, n: a link with a campaign sub-id.
	tm.keys("portal", "2")
	tm.waitFor("portal", "Your links")
	tm.keys("portal", "n")
	tm.waitFor("portal", "New link", "Campaign")
	tm.typeText("portal", "sp")
	tm.waitFor("portal", "must be 3 to 40") // checked as typed
	tm.typeText("portal", "ring-24")
	tm.keys("portal", "Tab", "Tab")
	tm.typeText("portal", "newsletter-may")
	tm.keys("portal", "Enter")
	tm.waitFor("portal", "Link created", "spring-24", "newsletter-may")
	s.sshJSON(stranger, &links, "link", "list", "acme")
	found := false
	for _, l := range links {
		found = found || (l.Code == "spring-24" && l.Sub == "newsletter-may")
	}
	if !found {
		t.Errorf("link list --json = %+v, want spring-24 with sub newsletter-may", links)
	}
	tm.quit("portal")

	// A key nobody holds asking for a program that does not exist.
	tm.open(s, "nosuch", newKey(t, "lost"), "nosuch")
	s.mustSSH(s.adminKey, "program", "set", "acme", "listed", "true")
	tm.waitFor("nosuch", `There is no program "nosuch" here.`)
	tm.quit("nosuch")
	tm.open(s, "nosuch2", newKey(t, "lost2"), "nosuch")
	tm.waitFor("nosuch2", `There is no program "nosuch" here.`, "Programs you can join", "acme")
	tm.quit("nosuch2")
}

// waitEnd waits for the session (its ssh) to end.
func (tm *tmux) waitEnd(name string) {
	tm.t.Helper()
	deadline := time.Now().Add(screenWait)
	for time.Now().Before(deadline) {
		if _, err := tm.run("has-session", "-t", name); err != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	screen, _ := tm.run("capture-pane", "-p", "-t", name)
	tm.t.Fatalf("session %s still running; the screen:\n%s", name, screen)
}

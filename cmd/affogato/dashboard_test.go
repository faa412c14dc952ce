package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmux drives terminal sessions on a private tmux server (its own socket),
// so the test touches no tmux the developer runs.
type tmux struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T) *tmux {
	t.Helper()
	requireTools(t)
	tm := &tmux{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	return string(out), err
}

// open starts a 120x40 session running an interactive ssh (with a PTY) as
// user@127.0.0.1 with key.
func (tm *tmux) open(s *server, name, key, user string) {
	tm.t.Helper()
	words := append([]string{"ssh", "-t"}, sshBaseArgs(key, s.sshPort)...)
	host := "127.0.0.1"
	if user != "" {
		host = user + "@" + host
	}
	words = append(words, host)
	for i, w := range words {
		words[i] = shellQuote(w)
	}
	// When the last session just ended, the tmux server may still be
	// exiting and refuse the next one ("server exited unexpectedly"): retry.
	for try := 0; ; try++ {
		out, err := tm.run("new-session", "-d", "-s", name, "-x", "120", "-y", "40", strings.Join(words, " "))
		if err == nil {
			break
		}
		if try == 4 || !strings.Contains(out, "server exited") {
			tm.t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenWait is how long the tmux helpers wait for a screen to show (or
// lose) something: generous, since a loaded 2-core machine running the
// whole suite can stall a session for seconds; a passing run never waits
// it out.
const screenWait = 45 * time.Second

// waitFor polls the session's screen until it holds every text, and returns
// the screen.
func (tm *tmux) waitFor(name string, texts ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(screenWait)
	var screen string
	for time.Now().Before(deadline) {
		out, err := tm.run("capture-pane", "-p", "-t", name)
		if err == nil {
			screen = out
			all := true
			for _, txt := range texts {
				all = all && strings.Contains(screen, txt)
			}
			if all {
				return screen
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("session %s never showed %q; the screen:\n%s", name, texts, screen)
	return ""
}

// waitGone polls the session's screen until text is no longer on it, and
// returns the screen. A key sent right after Escape would otherwise be read
// as its Alt form (ESC then the key), so tests wait for the screen to
// change before typing on.
func (tm *tmux) waitGone(name, text string) string {
	tm.t.Helper()
	deadline := time.Now().Add(screenWait)
	var screen string
	for time.Now().Before(deadline) {
		out, err := tm.run("capture-pane", "-p", "-t", name)
		if err == nil {
			screen = out
			if !strings.Contains(screen, text) {
				return screen
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("session %s still shows %q; the screen:\n%s", name, text, screen)
	return ""
}

// quit presses q and waits for the session (ssh) to end.
func (tm *tmux) quit(name string) {
	tm.t.Helper()
	if out, err := tm.run("send-keys", "-t", name, "q"); err != nil {
		tm.t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
	deadline := time.Now().Add(screenWait)
	for time.Now().Before(deadline) {
		if _, err := tm.run("has-session", "-t", name); err != nil {
			return // the session ended with its ssh
		}
		time.Sleep(100 * time.Millisecond)
	}
	screen, _ := tm.run("capture-pane", "-p", "-t", name)
	tm.t.Fatalf("session %s still running %s after q; the screen:\n%s", name, screenWait, screen)
}

// TestDashboard opens the terminal screen over a real PTY (ssh -t in tmux)
// as the partner, the merchant, and an unknown key on the program's signup
// page (SLUG@host), and quits each with q.
func TestDashboard(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s)
	tm := newTmux(t)

	tm.open(s, "partner", sc.partnerKey, "")
	// A partner of one program: the dashboard opens on its partner portal.
	// Frames go out as they are drawn: the console's frame can show before
	// its figures, so the wait is for the figures too.
	partnerFigures := []string{"Clicks 1", "Conversions 1", "Approved 9.98 USD"}
	screen := tm.waitFor("partner", append([]string{"Acme", "partner", "1 Dashboard", "6 Profile", sc.link, "q quit"}, partnerFigures...)...)
	for _, want := range partnerFigures {
		if !strings.Contains(screen, want) {
			t.Errorf("partner screen lacks %q:\n%s", want, screen)
		}
	}
	tm.quit("partner")

	tm.open(s, "merchant", s.adminKey, "")
	merchantFigures := []string{"Revenue", "49.90 USD", "Commission", "9.98 USD"}
	screen = tm.waitFor("merchant", append([]string{"Acme", "merchant", "1 Overview", "q quit"}, merchantFigures...)...)
	for _, want := range merchantFigures {
		if !strings.Contains(screen, want) {
			t.Errorf("merchant screen lacks %q:\n%s", want, screen)
		}
	}
	tm.quit("merchant")

	// An unknown key on acme@host gets the program's signup form; esc
	// leaves it (q would type a q into the name).
	stranger := newKey(t, "stranger")
	tm.open(s, "signup", stranger, "acme")
	tm.waitFor("signup", "Acme · join the partner program", "You earn 20% of each payment", "Name", "Email", "Invitation")
	tm.keys("signup", "Escape")
	tm.waitEnd("signup")
}

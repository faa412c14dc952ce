package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// sshLine runs one raw command line over OpenSSH as k, with a terminal
// (-tt: what `ssh -t host CMD` asks for) or without, and returns its exit
// status and output (a terminal merges stderr into it). It gives up after
// 20 s: a screen opened by mistake never ends by itself.
func sshLine(t *testing.T, ts *sshtest.Server, k sshtest.Key, tty bool, line string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var args []string
	if tty {
		args = append(args, "-tt", "-o", "SetEnv=TERM=xterm-256color")
	}
	cmd := exec.CommandContext(ctx, "ssh", ts.SSHArgs(k, append(args, "127.0.0.1", line)...)...)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ssh %s %q did not end within 20s (a screen?); output:\n%s", map[bool]string{true: "-tt", false: ""}[tty], line, out.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatalf("ssh %q: %v", line, err)
	}
	return 0, out.String()
}

// A command line of only an empty quoted word is an unknown command,
// with a terminal or without, never the dashboard or the help; quoted
// words with spaces reach the command whole either way.
func TestEmptyCommandIsUnknown(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	for _, tty := range []bool{false, true} {
		for _, line := range []string{`''`, `""`, `'' help`, `  ''  `} {
			code, out := sshLine(t, ts, admin, tty, line)
			if code != 1 || !strings.Contains(out, `unknown command ""`) || !strings.Contains(out, " help") {
				t.Errorf("tty %v, command line %q: exit %d, output:\n%s\nwant exit 1 and unknown command \"\" with the help command", tty, line, code, out)
			}
		}
	}
	for i, tty := range []bool{false, true} {
		slug := []string{"plain", "tty"}[i]
		line := "program create " + slug + ` --name 'Acme  Two Words' --url https://shop.example --commission '20%; 10:25%'`
		if code, out := sshLine(t, ts, admin, tty, line); code != 0 {
			t.Fatalf("tty %v: %s: exit %d\n%s", tty, line, code, out)
		}
		code, out := sshLine(t, ts, admin, tty, "program show "+slug+" --json")
		if code != 0 || !strings.Contains(out, `"name": "Acme  Two Words"`) || !strings.Contains(out, `"commission": "20%; 10:25%"`) {
			t.Errorf("tty %v: program show %s: exit %d\n%s\nwant the name and plan with their spaces", tty, slug, code, out)
		}
	}
}

func TestIsCommand(t *testing.T) {
	for line, want := range map[string]bool{
		"":               false,
		"   ":            false,
		"\t":             false,
		"''":             true,
		`""`:             true,
		"help":           true,
		"'unclosed":      true, // refused by Run with its reason, not a screen
		`trailing\`:      true,
		"stats acme":     true,
		"  stats  acme ": true,
	} {
		if got := cli.IsCommand(line); got != want {
			t.Errorf("IsCommand(%q) = %v, want %v", line, got, want)
		}
	}
	if got := cli.LineName(`program set acme name "'A B'"`); got != "program set" {
		t.Errorf("LineName = %q, want program set", got)
	}
}

package cli_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// An empty quoted argument reaches the command (it clears the terms); a
// line with an unclosed quote is refused whole, never run truncated.
func TestEmptyQuotedArgumentOverSSH(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.OK(admin, "program", "set", "shop", "terms", "No paid ads.")
	if out := ts.OK(admin, "program", "show", "shop"); !strings.Contains(out, "No paid ads.") {
		t.Fatalf("terms not set:\n%s", out)
	}
	ts.OK(admin, "program", "set", "shop", "terms", "") // sent as ''
	if out := ts.OK(admin, "program", "show", "shop"); strings.Contains(out, "terms:") {
		t.Fatalf("terms '' did not clear them:\n%s", out)
	}
	// The store's own answer, not cobra's "accepts 2 arg(s), received 1".
	ts.Fail(admin, "name: must not be empty", "profile", "set", "name", "")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", append(ts.SSHArgs(admin, "127.0.0.1"), `program set shop name "Shop Two`)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err == nil || !strings.Contains(errb.String(), "quote that is not closed") {
		t.Fatalf("unclosed quote: %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	if out := ts.OK(admin, "program", "show", "shop"); strings.Contains(out, "Shop Two") {
		t.Fatalf("the truncated command ran:\n%s", out)
	}
}

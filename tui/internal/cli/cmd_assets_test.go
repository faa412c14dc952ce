package cli_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// runStdin runs one command with stdin from body.
func runStdin(t *testing.T, ts *sshtest.Server, k sshtest.Key, body []byte, command string) sshtest.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", append(ts.SSHArgs(k, "127.0.0.1"), command)...)
	cmd.Stdin = bytes.NewReader(body)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ssh %s: %v", command, err)
	}
	return sshtest.Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

type assetOut struct {
	ID          uint64 `json:"id"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Body        string `json:"body"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url"`
}

func TestAssetCommands(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	pat := sshtest.NewKey(t, "pat")
	kim := sshtest.NewKey(t, "kim")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub}; c.PublicURL = "https://aff.test" })
	ts.OK(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--auto-approve")
	var jp, jk joinOut
	ts.OKJSON(pat, &jp, "join", "acme", "--name", "Pat", "--email", "pat@example.com")
	ts.OKJSON(kim, &jk, "join", "acme", "--name", "Kim", "--email", "kim@example.com")

	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 3000)...)
	r := runStdin(t, ts, admin, png, "asset add acme --title 'Banner 728x90' --file banner.png --json")
	if r.Code != 0 {
		t.Fatalf("asset add --file: %s", r)
	}
	ts.OK(admin, "asset", "add", "acme", "--title", "Tweet", "--text", "Try Acme {link} code {code}")

	var mine []assetOut
	ts.OKJSON(pat, &mine, "asset", "list", "acme")
	if len(mine) != 2 {
		t.Fatalf("partner sees %d assets", len(mine))
	}
	f, txt := mine[0], mine[1]
	if f.Kind != "file" || f.Title != "Banner 728x90" || f.ContentType != "image/png" || f.Size != int64(len(png)) ||
		f.URL != "https://aff.test/a/acme/1/banner.png" || f.Filename != "banner.png" {
		t.Errorf("file asset = %+v", f)
	}
	if txt.Body != "Try Acme https://aff.test/r/"+jp.Code+" code "+jp.Code {
		t.Errorf("pat's text = %q", txt.Body)
	}
	var kims []assetOut
	ts.OKJSON(kim, &kims, "asset", "list", "acme")
	if kims[1].Body != "Try Acme https://aff.test/r/"+jk.Code+" code "+jk.Code {
		t.Errorf("kim's text = %q", kims[1].Body)
	}
	var raw []assetOut
	ts.OKJSON(admin, &raw, "asset", "list", "acme")
	if raw[1].Body != "Try Acme {link} code {code}" {
		t.Errorf("merchant's text = %q", raw[1].Body)
	}

	// One byte over 5 MiB: refused with a clear message, nothing stored.
	big := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 5<<20-7)...)
	r = runStdin(t, ts, admin, big, "asset add acme --title Big --file big.png")
	if r.Code != 1 || !strings.Contains(r.Stderr, "5 MiB") {
		t.Fatalf("5 MiB + 1: %s", r)
	}
	ts.OKJSON(admin, &raw, "asset", "list", "acme")
	if len(raw) != 2 {
		t.Fatalf("the refused file left %d assets", len(raw))
	}
	ts.Fail(admin, "either --text", "asset", "add", "acme", "--title", "X")
	ts.Fail(admin, "16 KiB", "asset", "add", "acme", "--title", "X", "--text", strings.Repeat("a", 16<<10+1))

	ts.OK(admin, "asset", "remove", "acme", "1")
	ts.OKJSON(pat, &mine, "asset", "list", "acme")
	if len(mine) != 1 || mine[0].Kind != "text" {
		t.Fatalf("after remove: %+v", mine)
	}
	ts.Fail(admin, "not found", "asset", "remove", "acme", "1")
}

func TestLinkCreateSub(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	pat := sshtest.NewKey(t, "pat")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--auto-approve")
	ts.OK(pat, "join", "acme", "--name", "Pat", "--email", "pat@example.com")
	ts.OK(pat, "link", "create", "acme", "spring-24", "--to", "/spring", "--sub", "newsletter-may")
	var links []struct {
		Code, Sub, To string
	}
	ts.OKJSON(pat, &links, "link", "list", "acme")
	found := false
	for _, l := range links {
		found = found || (l.Code == "spring-24" && l.Sub == "newsletter-may" && l.To == "https://acme.test/spring")
	}
	if len(links) != 2 || !found {
		t.Fatalf("links = %+v", links)
	}
	ts.Fail(pat, "64 characters", "link", "create", "acme", "other-24", "--sub", strings.Repeat("x", 65))
}

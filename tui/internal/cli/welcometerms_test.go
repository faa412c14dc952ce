package cli_test

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// program show prints the welcome text and the terms, cleaned and
// indented, to the merchant and to a partner alike.
func TestProgramShowWelcomeAndTerms(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.OK(admin, "program", "set", "shop", "welcome", "Hello \x1b[31mpartners")
	ts.OK(admin, "program", "set", "shop", "terms", "No paid ads.")
	ts.OK(alice, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	for who, k := range map[string]sshtest.Key{"admin": admin, "alice": alice} {
		out := ts.OK(k, "program", "show", "shop")
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s: program show wrote an escape: %q", who, out)
		}
		if !strings.Contains(out, "\nwelcome:\n  Hello ") || !strings.Contains(out, "partners\n") ||
			!strings.Contains(out, "\nterms:\n  No paid ads.\n") {
			t.Errorf("%s: program show lacks the welcome or the terms:\n%s", who, out)
		}
	}
}

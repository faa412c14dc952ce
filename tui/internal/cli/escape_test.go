package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// TestEscapeClassesNeverReachOutput feeds every escape-sequence class of
// the one table through every field a person can type that reaches a
// command's text or JSON output (names, program texts, campaign sub-ids,
// order and customer ids, asset titles and bodies, key comments), and
// checks that no output of any command, text or JSON, stdout or stderr,
// carries one.
func TestEscapeClassesNeverReachOutput(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--auto-approve", "--hold-days", "0")

	var outputs int
	check := func(what string, r sshtest.Result) {
		t.Helper()
		outputs++
		for _, out := range []string{r.Stdout, r.Stderr} {
			if d := sanitizetest.Dirty([]byte(out)); d != "" {
				t.Errorf("%s: %s in output %q", what, d, out)
			}
		}
	}
	both := func(k sshtest.Key, args ...string) {
		t.Helper()
		check(strings.Join(args, " "), ts.Run(k, args...))
		check(strings.Join(args, " ")+" --json", ts.Run(k, append(args, "--json")...))
	}

	partners := make([]sshtest.Key, len(sanitizetest.Classes))
	for i, c := range sanitizetest.Classes {
		p := sshtest.NewKey(t, fmt.Sprintf("p%d", i))
		partners[i] = p
		evil := "x" + c.S + "y"
		// Inputs: each may be taken (cleaned) or refused; either way its own
		// answer must be clean.
		check("join", ts.Run(p, "join", "shop", "--name", "Eve"+evil, "--email", fmt.Sprintf("eve%d@x.test", i)))
		check("profile set email", ts.Run(p, "profile", "set", "email", "e"+evil+"@x.test"))
		check("link create --sub", ts.Run(p, "link", "create", "shop", fmt.Sprintf("code-%d", i), "--sub", "camp"+evil))
		check("program set welcome", ts.Run(admin, "program", "set", "shop", "welcome", "Welcome"+evil))
		check("asset add", ts.Run(admin, "asset", "add", "shop", "--title", "Title"+evil, "--text", "Body"+evil+" {link}"))
		check("team add", ts.Run(admin, "team", "add", "shop", "ssh-ed25519",
			"AAAAC3NzaC1lZDI1NTE5AAAAIGcvbmbs6Rd3FgThzAdYXJ9gKCtZBgqNnOsv7Mb3zSzq", fmt.Sprintf("laptop%d", i)+evil))
		check("coupon add", ts.Run(admin, "coupon", "add", "shop", "C"+evil, fmt.Sprintf("eve%d@x.test", i)))
		// Stored as typed where the store takes it: a name with the
		// sequence (the store drops only C0/C1 controls), and a conversion
		// with hostile order and customer ids straight into the ledger (the
		// API refuses control characters itself).
		_, _ = ts.St.SetProfile(store.Actor{UserID: userID(t, ts, p)}, "name", "Name"+evil, "")
		if _, err := ts.St.ResolveCode(fmt.Sprintf("code-%d", i)); err == nil {
			clickRef(t, ts.St, fmt.Sprintf("code-%d", i))
		}
		_, _, _ = ts.St.RecordConversion("shop", store.ConversionInput{OrderID: fmt.Sprintf("o%d", i) + evil,
			CustomerID: "c" + evil, Amount: "10.00", Currency: "USD", Kind: "sale", Ref: fmt.Sprintf("code-%d", i)})
	}
	// Outputs: every listing and view, as the merchant and as partners.
	for _, args := range [][]string{
		{"whoami"}, {"program", "list"}, {"program", "show", "shop"}, {"partner", "list", "shop"},
		{"conversion", "list", "shop"}, {"commission", "list", "shop"}, {"asset", "list", "shop"},
		{"team", "list", "shop"}, {"stats", "shop"}, {"payout", "create", "shop"}, {"payout", "list", "shop"},
		{"coupon", "list", "shop"},
	} {
		both(admin, args...)
	}
	for i, p := range partners {
		if i%4 != 0 && i != len(partners)-1 {
			check("partner whoami --json", ts.Run(p, "whoami", "--json"))
			continue
		}
		for _, args := range [][]string{
			{"whoami"}, {"program", "show", "shop"}, {"link", "list", "shop"}, {"conversion", "list", "shop"},
			{"asset", "list", "shop"}, {"stats", "shop"},
		} {
			both(p, args...)
		}
	}
	t.Logf("%d escape classes through %d command outputs", len(sanitizetest.Classes), outputs)
}

// userID is the store user of a key.
func userID(t *testing.T, ts *sshtest.Server, k sshtest.Key) uint64 {
	t.Helper()
	u, err := ts.St.UserByFingerprint(sshtest.FingerprintOfLine(t, k.Pub))
	if err != nil {
		return 0
	}
	return u.ID
}

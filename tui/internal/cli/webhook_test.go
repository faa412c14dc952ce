package cli_test

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

type webhookOut struct {
	ID     uint64 `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// Without --allow-private-targets, webhook URLs on internal addresses (or
// names resolving to them) are refused when added. Nothing is dialled.
func TestWebhookAddRefusesInternalTargets(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.example")
	for _, u := range []string{"http://127.0.0.1:8080/hook", "https://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
		"http://localhost:9000/hook", "http://[::1]/hook"} {
		ts.Fail(admin, "refused", "webhook", "add", "acme", u)
	}
	for _, u := range []string{"ftp://hooks.example/", "https://user:pw@hooks.example/"} {
		ts.Fail(admin, "url", "webhook", "add", "acme", u)
	}
	if ws, _ := ts.St.ListWebhooks(store.System(), "acme"); len(ws) != 0 {
		t.Fatalf("refused webhooks were stored: %+v", ws)
	}
}

func TestWebhookCommands(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	pat := sshtest.NewKey(t, "pat")
	ts := sshtest.StartWithStore(t, func(c *tui.Config, st *store.Store) {
		c.AdminKeys = []string{admin.Pub}
		c.Payouts = payouts.NewService(st, outbound.New(outbound.Options{AllowPrivate: true}), nil)
	})
	ts.OK(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.example", "--auto-approve")
	var w webhookOut
	ts.OKJSON(admin, &w, "webhook", "add", "acme", "http://127.0.0.1:9/hook")
	if w.ID == 0 || w.URL != "http://127.0.0.1:9/hook" || !strings.HasPrefix(w.Secret, "whsec_") {
		t.Fatalf("webhook add --json = %+v", w)
	}
	list := ts.OK(admin, "webhook", "list", "acme")
	if !strings.Contains(list, "http://127.0.0.1:9/hook") || strings.Contains(list, w.Secret) {
		t.Fatalf("webhook list:\n%s", list)
	}
	if js := ts.OK(admin, "webhook", "list", "acme", "--json"); strings.Contains(js, "whsec_") {
		t.Fatalf("secret in list --json: %s", js)
	}
	ts.OK(pat, "join", "acme", "--name", "Pat", "--email", "pat@p.test")
	ts.Fail(pat, "not", "webhook", "list", "acme")
	ts.Fail(pat, "not", "webhook", "deliveries", "acme")
	if out := ts.OK(admin, "webhook", "deliveries", "acme"); !strings.Contains(out, "No deliveries") {
		t.Fatalf("deliveries: %s", out)
	}
	ts.OK(admin, "webhook", "remove", "acme", "1")
	ts.Fail(admin, "not found", "webhook", "remove", "acme", "1")

	// Schedule settings: clear errors, shown by program show.
	ts.Fail(admin, "weekly", "program", "set", "acme", "payout-schedule", "daily")
	ts.Fail(admin, "on or off", "program", "set", "acme", "payout-auto-send", "maybe")
	ts.OK(admin, "program", "set", "acme", "payout-schedule", "monthly")
	ts.OK(admin, "program", "set", "acme", "payout-auto-send", "on")
	show := ts.OK(admin, "program", "show", "acme")
	if !strings.Contains(show, "monthly (the 1st, 00:00 UTC)") || !strings.Contains(show, "payout auto-send  on") {
		t.Fatalf("program show:\n%s", show)
	}
	if js := ts.OK(admin, "program", "show", "acme", "--json"); !strings.Contains(js, `"payout_schedule": "monthly"`) || !strings.Contains(js, `"payout_auto_send": true`) {
		t.Fatalf("program show --json: %s", js)
	}

	// Notifications preference.
	if out := ts.OK(pat, "profile", "set", "notifications", "off"); !strings.Contains(out, "off") {
		t.Fatalf("profile set notifications: %s", out)
	}
	ts.Fail(pat, "on or off", "profile", "set", "notifications", "sometimes")
}

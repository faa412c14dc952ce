package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

type programOut struct {
	Slug       string            `json:"slug"`
	Name       string            `json:"name"`
	URL        string            `json:"url"`
	Currency   string            `json:"currency"`
	Commission string            `json:"commission"`
	CookieDays int               `json:"cookie_days"`
	HoldDays   int               `json:"hold_days"`
	MinPayout  string            `json:"min_payout"`
	APIKey     *string           `json:"api_key"`
	Welcome    string            `json:"welcome"`
	Recurring  string            `json:"recurring_months"`
	Renewal    string            `json:"renewal_rate"`
	Secrets    map[string]string `json:"secrets"`
}

type partnerOut struct {
	PartnerID uint64 `json:"partner_id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Status    string `json:"status"`
	Code      string `json:"code"`
}

type joinOut struct {
	Program   string `json:"program"`
	PartnerID uint64 `json:"partner_id"`
	Status    string `json:"status"`
	Code      string `json:"code"`
	Link      string `json:"link"`
}

func TestProgramCreateShowSet(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })

	var p programOut
	ts.OKJSON(admin, &p, "program", "create", "shop", "--name", "Shop Inc", "--url", "https://shop.example",
		"--commission", "20%; 10:25%", "--recurring-months", "12", "--renewal-rate", "10%", "--min-payout", "75")
	if p.Slug != "shop" || p.Name != "Shop Inc" || p.URL != "https://shop.example" || p.Currency != "USD" ||
		p.Commission != "20%; 10:25%" || p.CookieDays != 30 || p.HoldDays != 30 || p.MinPayout != "75.00" ||
		p.Recurring != "12" || p.Renewal != "10%" {
		t.Fatalf("program create --json = %+v", p)
	}
	if p.APIKey == nil || len(*p.APIKey) < 20 {
		t.Fatalf("create must show the API key once, got %v", p.APIKey)
	}
	key := *p.APIKey
	if prog, err := ts.St.ProgramByAPIKey(key); err != nil || prog.Slug != "shop" {
		t.Fatalf("the shown API key does not authenticate: %v", err)
	}

	var shown programOut
	ts.OKJSON(admin, &shown, "program", "show", "shop")
	if shown.APIKey != nil {
		t.Errorf("program show must not print an API key, got %q", *shown.APIKey)
	}
	if shown.Commission != "20%; 10:25%" || shown.MinPayout != "75.00" {
		t.Errorf("program show --json = %+v", shown)
	}

	// Secrets are set but never printed back.
	secret := "sk_live_verysecret123"
	out := ts.OK(admin, "program", "set", "shop", "stripe-secret", secret)
	if strings.Contains(out, secret) {
		t.Fatalf("program set echoed the secret: %s", out)
	}
	for _, args := range [][]string{{"program", "show", "shop"}, {"program", "show", "shop", "--json"}, {"program", "list", "--json"}} {
		if out := ts.OK(admin, args...); strings.Contains(out, secret) {
			t.Fatalf("%v printed the secret: %s", args, out)
		}
	}
	ts.OKJSON(admin, &shown, "program", "show", "shop")
	if shown.Secrets["stripe_secret"] != "set" || shown.Secrets["wise_token"] != "" {
		t.Errorf("secrets = %v, want stripe_secret set and wise_token empty", shown.Secrets)
	}

	// Welcome text with escape sequences: stored as typed, printed clean.
	ts.OK(admin, "program", "set", "shop", "welcome", "Hi\x1b[2J\x1b]0;pwned\x07 there\nline two")
	out = ts.OK(admin, "program", "show", "shop")
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Fatalf("program show printed control characters: %q", out)
	}
	if !strings.Contains(out, "Hi there") || !strings.Contains(out, "line two") {
		t.Errorf("welcome missing from program show:\n%s", out)
	}

	// Rotating the key shows a new one and the old stops working.
	ts.OKJSON(admin, &p, "program", "apikey", "shop", "--rotate")
	if p.APIKey == nil || *p.APIKey == key {
		t.Fatalf("apikey --rotate: got %v", p.APIKey)
	}
	if _, err := ts.St.ProgramByAPIKey(key); err == nil {
		t.Error("old API key still works after rotation")
	}
	ts.Fail(admin, "--rotate", "program", "apikey", "shop")

	// Usage errors a person understands.
	ts.Fail(admin, "missing argument SLUG", "program", "show")
	ts.Fail(admin, `program "nope" not found`, "program", "show", "nope")
	ts.Fail(admin, "commission", "program", "set", "shop", "commission", "lots")
	ts.Fail(admin, "missing --name", "program", "create", "x1", "--url", "https://x.example")
	ts.Fail(admin, "already exists", "program", "create", "shop", "--name", "Again", "--url", "https://shop.example")
	ts.Fail(admin, "unknown command", "frobnicate")
	ts.Fail(admin, "unknown flag", "program", "list", "--bogus")
	ts.Fail(admin, "too many arguments", "program", "show", "shop", "extra")
}

func TestUnknownKeyJoinAndWhoami(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--listed")
	ts.OK(admin, "program", "create", "secret", "--name", "Hidden", "--url", "https://hidden.example")

	// An unknown key: whoami explains, program list shows listed programs only.
	out := ts.OK(alice, "whoami")
	if !strings.Contains(out, "not known") || !strings.Contains(out, "join shop --name \"'Your Name'\"") {
		t.Errorf("whoami for an unknown key:\n%s", out)
	}
	var listed []programOut
	ts.OKJSON(alice, &listed, "program", "list")
	if len(listed) != 1 || listed[0].Slug != "shop" {
		t.Fatalf("unknown key program list = %+v, want only the listed shop", listed)
	}
	if listed[0].Secrets != nil {
		t.Errorf("public list shows settings: %+v", listed[0])
	}
	if r := ts.OK(alice, "help"); !strings.Contains(r, "program") {
		t.Errorf("help:\n%s", r)
	}
	for _, args := range [][]string{{"stats", "shop"}, {"link", "list"}, {"profile", "set", "name", "X"}, {"key", "list"}, {"program", "create", "mine", "--name", "M", "--url", "https://m.example"}} {
		ts.Fail(alice, "not known here", args...)
	}
	if n, _ := ts.St.UserCount(); n != 1 {
		t.Fatalf("users after unknown-key commands = %d, want 1 (the admin)", n)
	}

	// Join needs name and email; a typo'd program leaves no account behind.
	ts.Fail(alice, "--name and --email", "join", "shop")
	ts.Fail(alice, `there is no program "nope" here`, "join", "nope", "--name", "Alice", "--email", "alice@example.com")
	if n, _ := ts.St.UserCount(); n != 1 {
		t.Fatalf("users after a failed join = %d, want 1", n)
	}
	var j joinOut
	ts.OKJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	if j.Program != "shop" || j.PartnerID == 0 || j.Status != "pending" || j.Code == "" || j.Link != "http://aff.test:8080/r/"+j.Code {
		t.Fatalf("join --json = %+v", j)
	}
	ts.Fail(alice, "already a partner", "join", "shop")

	var who cli.WhoamiJSON
	ts.OKJSON(alice, &who, "whoami")
	if !who.Known || who.Name != "Alice" || who.Email != "alice@example.com" || who.Admin || len(who.Memberships) != 1 || who.Memberships[0].Status != "pending" {
		t.Fatalf("whoami --json = %+v", who)
	}

	// An invitation joins approved.
	bob := sshtest.NewKey(t, "bob")
	out = ts.OK(admin, "invite", "create", "secret", "--json")
	var inv map[string]string
	mustJSON(t, out, &inv)
	ts.OKJSON(bob, &j, "join", "secret", inv["token"], "--name", "Bob", "--email", "bob@example.com")
	if j.Status != "approved" {
		t.Errorf("join with invitation: status %q, want approved", j.Status)
	}
	ts.Fail(alice, "", "join", "secret", inv["token"]) // used up
}

func TestPartnerManagementAndLedger(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	ts := sshtest.StartWithStore(t, func(c *tui.Config, st *store.Store) {
		c.AdminKeys = []string{admin.Pub}
		c.Payouts = payouts.NewService(st, nil, nil)
	})
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	var j joinOut
	ts.OKJSON(alice, &j, "join", "shop", "--name", "Alice \x1b[31mRed", "--email", "alice@example.com")

	var ps []partnerOut
	ts.OKJSON(admin, &ps, "partner", "list", "shop", "--status", "pending")
	if len(ps) != 1 || ps[0].PartnerID != j.PartnerID || ps[0].Email != "alice@example.com" || ps[0].Status != "pending" || ps[0].Code != j.Code {
		t.Fatalf("partner list --json = %+v", ps)
	}
	if out := ts.OK(admin, "partner", "list", "shop"); strings.ContainsRune(out, 0x1b) {
		t.Fatalf("partner list printed an escape: %q", out)
	}
	ts.Fail(admin, "--status must be", "partner", "list", "shop", "--status", "weird")
	ts.OK(admin, "partner", "approve", "shop", "alice@example.com")
	ts.OKJSON(admin, &ps, "partner", "list", "shop", "--status", "approved")
	if len(ps) != 1 {
		t.Fatalf("approved partners = %+v", ps)
	}
	ts.Fail(admin, `partner "bob@example.com" in program "shop" not found`, "partner", "approve", "shop", "bob@example.com")
	out := ts.OK(admin, "partner", "set", "shop", "alice@example.com", "commission", "30%")
	if !strings.Contains(out, "30%") {
		t.Errorf("partner set: %s", out)
	}
	ts.Fail(admin, "commission", "partner", "set", "shop", "alice@example.com", "commission", "abc")
	ts.OK(admin, "partner", "set", "shop", "alice@example.com", "commission", "default")

	// Alice's links.
	ts.OK(alice, "link", "create", "shop", "alice-blog")
	var links []cli.LinkJSON
	ts.OKJSON(alice, &links, "link", "list")
	if len(links) != 2 {
		t.Fatalf("link list = %+v, want the default code and alice-blog", links)
	}
	ts.Fail(alice, "", "link", "create", "shop", "x") // too short

	// Coupons.
	ts.OK(admin, "coupon", "add", "shop", "SAVE10", "alice@example.com")
	var cs []cli.CouponJSON
	ts.OKJSON(admin, &cs, "coupon", "list", "shop")
	if len(cs) != 1 || cs[0].Code != "SAVE10" || cs[0].PartnerID != j.PartnerID || cs[0].Email != "alice@example.com" {
		t.Fatalf("coupon list = %+v", cs)
	}
	ts.OK(admin, "coupon", "remove", "shop", "SAVE10")
	ts.OKJSON(admin, &cs, "coupon", "list", "shop")
	if len(cs) != 0 {
		t.Fatalf("coupon list after remove = %+v", cs)
	}

	// Two sales through Alice's code, one unattributed.
	sale := func(order, amount, ref string) {
		t.Helper()
		if ref != "" {
			clickRef(t, ts.St, ref)
		}
		if _, _, err := ts.St.RecordConversion("shop", store.ConversionInput{OrderID: order, CustomerID: "c-" + order, Amount: amount, Currency: "USD", Kind: "sale", Ref: ref}); err != nil {
			t.Fatal(err)
		}
	}
	sale("o1", "500.00", j.Code)
	sale("o2", "99.95", j.Code)
	sale("o3", "10.00", "")

	var convs []struct {
		ID         uint64  `json:"id"`
		OrderID    string  `json:"order_id"`
		CustomerID string  `json:"customer_id"`
		Amount     string  `json:"amount"`
		Currency   string  `json:"currency"`
		Kind       string  `json:"kind"`
		Attributed bool    `json:"attributed"`
		PartnerID  *uint64 `json:"partner_id"`
		Commission *struct {
			ID     uint64   `json:"id"`
			Amount string   `json:"amount"`
			Status string   `json:"status"`
			Flags  []string `json:"flags"`
		} `json:"commission"`
	}
	ts.OKJSON(admin, &convs, "conversion", "list", "shop")
	if len(convs) != 3 || convs[0].OrderID != "o3" || convs[2].OrderID != "o1" {
		t.Fatalf("conversion list must be newest first: %+v", convs)
	}
	if c := convs[0]; c.Attributed || c.PartnerID != nil || c.Commission != nil || c.Amount != "10.00" {
		t.Errorf("unattributed conversion = %+v", c)
	}
	if c := convs[2]; !c.Attributed || c.PartnerID == nil || *c.PartnerID != j.PartnerID || c.Commission == nil ||
		c.Commission.Amount != "100.00" || c.Commission.Status != "pending" || c.Commission.Flags == nil || c.Kind != "sale" || c.Currency != "USD" {
		t.Errorf("attributed conversion = %+v", c)
	}
	if c := convs[1]; c.Commission == nil || c.Commission.Amount != "19.99" {
		t.Errorf("20%% of 99.95 = 19.99 (rounded once), got %+v", c.Commission)
	}
	// Alice sees her own conversions only (not the unattributed one).
	var mine []struct {
		OrderID string `json:"order_id"`
	}
	ts.OKJSON(alice, &mine, "conversion", "list", "shop")
	if len(mine) != 2 {
		t.Errorf("partner conversion list = %+v, want her 2", mine)
	}

	var comms []cli.CommissionJSON
	ts.OKJSON(admin, &comms, "commission", "list", "shop")
	if len(comms) != 2 || comms[1].Amount != "100.00" || comms[1].PartnerID != j.PartnerID || comms[1].ConversionID != convs[2].ID || comms[1].Status != "pending" {
		t.Fatalf("commission list = %+v", comms)
	}
	big, small := comms[1].ID, comms[0].ID
	ts.OK(admin, "commission", "approve", "shop", itoa(big))
	ts.OK(admin, "commission", "reject", "shop", itoa(small), "--reason", "test order")
	ts.Fail(admin, "must be a number", "commission", "approve", "shop", "abc")
	ts.Fail(admin, "is rejected", "commission", "approve", "shop", itoa(small))
	ts.OKJSON(admin, &comms, "commission", "list", "shop", "--status", "approved")
	if len(comms) != 1 || comms[0].ID != big {
		t.Fatalf("approved commissions = %+v", comms)
	}

	var st cli.StatsJSON
	ts.OKJSON(admin, &st, "stats", "shop", "--days", "7")
	if st.Conversions != 3 || st.Revenue != "609.95" || st.Approved != "100.00" || st.Pending != "0.00" || st.Paid != "0.00" || st.Clawback != "0.00" || st.Days != 7 {
		t.Fatalf("stats --json = %+v", st)
	}
	var ast cli.StatsJSON
	ts.OKJSON(alice, &ast, "stats", "shop")
	if ast.PartnerID != j.PartnerID || ast.Approved != "100.00" || ast.Revenue != "599.95" {
		t.Errorf("partner stats = %+v", ast)
	}
	if out := ts.OK(alice, "stats", "shop"); !strings.Contains(out, "100.00 USD") {
		t.Errorf("human stats:\n%s", out)
	}

	// Payouts: no method yet → skipped; then PayPal.
	var po cli.PayoutJSON
	ts.OKJSON(admin, &po, "payout", "create", "shop")
	if po.Batch != nil || len(po.Items) != 0 || len(po.Skipped) != 1 || po.Skipped[0].Balance != "100.00" {
		t.Fatalf("payout without a method = %+v", po)
	}
	ts.OK(alice, "profile", "set", "paypal", "alice-pp@example.com")
	ts.Fail(alice, "--currency", "profile", "set", "wise", "alice@example.com")
	ts.OKJSON(admin, &po, "payout", "create", "shop")
	if len(po.Items) != 1 || po.Items[0].PartnerID != j.PartnerID || po.Items[0].Email != "alice-pp@example.com" ||
		po.Items[0].Amount != "100.00" || po.Items[0].Currency != "USD" || po.Total != "100.00" || po.Program != "shop" || po.Batch == nil {
		t.Fatalf("payout create --json = %+v", po)
	}
	batchID := *po.Batch
	batch := itoa(batchID)
	r := ts.Run(admin, "payout", "export", batch, "--format", "paypal-csv")
	if r.Code != 0 || !strings.Contains(r.Stdout, "alice-pp@example.com") || !strings.Contains(r.Stdout, "100.00") {
		t.Fatalf("payout export: %s", r)
	}
	ts.Fail(admin, "--format must be", "payout", "export", batch, "--format", "xml")
	ts.Fail(admin, "--part must be", "payout", "export", batch, "--format", "paypal-csv", "--part", "2")
	var list []cli.BatchLineJSON
	ts.OKJSON(admin, &list, "payout", "list", "shop")
	if len(list) != 1 || list[0].Batch != batchID || list[0].Status != "exported" || list[0].Items != 1 || list[0].Total != "100.00" {
		t.Fatalf("payout list = %+v", list)
	}
	ts.OKJSON(admin, &po, "payout", "mark-paid", batch)
	if po.Status != "paid" {
		t.Fatalf("mark-paid: %+v", po)
	}
	ts.OKJSON(alice, &ast, "stats", "shop")
	if ast.Paid != "100.00" || ast.Approved != "0.00" {
		t.Errorf("after payout, partner stats = %+v", ast)
	}
	var hist []cli.PartnerPayoutJSON
	ts.OKJSON(alice, &hist, "payout", "list", "shop")
	if len(hist) != 1 || hist[0].Amount != "100.00" || hist[0].Batch != batchID {
		t.Errorf("partner payout history = %+v", hist)
	}
	ts.Fail(admin, "", "payout", "send", batch) // already paid
}

func TestKeysProfileTeamBackup(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	laptop := sshtest.NewKey(t, "laptop")
	mary := sshtest.NewKey(t, "mary")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.OK(alice, "join", "shop", "--name", "Alice", "--email", "alice@example.com")

	// Keys: add a second (claimed by that key), log in with it, never
	// remove the last.
	var claim map[string]string
	ts.OKJSON(alice, &claim, append([]string{"key", "add"}, strings.Fields(laptop.Pub)...)...)
	var who cli.WhoamiJSON
	ts.OKJSON(laptop, &who, "whoami")
	if who.Known {
		t.Fatalf("key known before it was claimed: %+v", who)
	}
	ts.Fail(alice, "another key", "key", "claim", claim["token"]) // only the new key can claim
	ts.OK(laptop, "key", "claim", claim["token"])
	ts.Fail(laptop, "already used", "key", "claim", claim["token"])
	ts.OKJSON(laptop, &who, "whoami")
	if who.Email != "alice@example.com" {
		t.Fatalf("second key is not Alice: %+v", who)
	}
	var ks []cli.KeyJSON
	ts.OKJSON(alice, &ks, "key", "list")
	if len(ks) != 2 {
		t.Fatalf("key list = %+v", ks)
	}
	ts.Fail(alice, "admin key", append([]string{"key", "add"}, strings.Fields(admin.Pub)...)...)
	ts.Fail(alice, "not a public key", "key", "add", "ssh-ed25519", "garbage")
	ts.OK(alice, "key", "remove", who.Fingerprint) // removes the laptop key (its own fingerprint was shown to laptop)
	if r := ts.Run(laptop, "whoami", "--json"); !strings.Contains(r.Stdout, `"known": false`) {
		t.Fatalf("removed key still known: %s", r)
	}
	ts.OKJSON(alice, &ks, "key", "list")
	ts.Fail(alice, "last key", "key", "remove", ks[0].Fingerprint)

	ts.OK(alice, "profile", "set", "name", "Alice B")
	ts.Fail(alice, "unknown field", "profile", "set", "age", "3")
	ts.OKJSON(alice, &who, "whoami")
	if who.Name != "Alice B" {
		t.Errorf("profile set name: %+v", who)
	}

	// Team: a seat by key (takes effect when the key connects), an
	// invitation; list; remove; never by id or email lookup.
	ts.OK(admin, append([]string{"team", "add", "shop"}, strings.Fields(mary.Pub)...)...)
	var team []cli.TeamMemberJSON
	ts.OKJSON(admin, &team, "team", "list", "shop")
	if len(team) != 2 || team[1].Name != "mary@test" || !team[1].Pending || team[1].UserID != 0 {
		t.Fatalf("team list = %+v", team)
	}
	var shown programOut
	ts.OKJSON(mary, &shown, "program", "show", "shop")
	if shown.Slug != "shop" {
		t.Fatalf("team member cannot see the program")
	}
	team = nil
	ts.OKJSON(admin, &team, "team", "list", "shop")
	if len(team) != 2 || team[1].Pending || team[1].UserID == 0 {
		t.Fatalf("team list after mary connected = %+v", team)
	}
	ts.Fail(mary, "public key", "team", "add", "shop", "alice@example.com")
	ts.Fail(mary, "public key", "team", "add", "shop", "2")
	var inv map[string]string
	ts.OKJSON(mary, &inv, "team", "invite", "shop")
	ts.OK(alice, "team", "join", inv["token"])
	ts.Fail(laptop, "already used", "team", "join", inv["token"])
	team = nil
	ts.OKJSON(mary, &team, "team", "list", "shop")
	if len(team) != 3 {
		t.Fatalf("team after alice joined = %+v", team)
	}
	ts.OK(mary, "team", "remove", "shop", "alice@example.com")
	ts.Fail(mary, "not in the team", "team", "remove", "shop", "alice@example.com")

	// Backup: instance admins only; the snapshot is a working database.
	ts.Fail(mary, "only instance admins", "backup")
	r := ts.Run(admin, "backup")
	if r.Code != 0 || len(r.Stdout) < 4096 {
		t.Fatalf("backup: exit %d, %d bytes, stderr %s", r.Code, len(r.Stdout), r.Stderr)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, []byte(r.Stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	cp, err := store.OpenFile(path, store.Options{})
	if err != nil {
		t.Fatalf("backup is not a database: %v", err)
	}
	defer cp.Close()
	if n, _ := cp.UserCount(); n != 3 {
		t.Errorf("backup holds %d users, want 3", n)
	}
}

func TestBootstrapMessage(t *testing.T) {
	first := sshtest.NewKey(t, "first")
	ts := sshtest.Start(t, nil)
	r := ts.Run(first, "whoami", "--json")
	if r.Code != 0 {
		t.Fatalf("whoami: %s", r)
	}
	if !strings.Contains(r.Stderr, "--admin-key '"+strings.Join(strings.Fields(first.Pub)[:2], " ")+"'") {
		t.Fatalf("first key is not told how to become admin:\n%s", r.Stderr)
	}
	var who cli.WhoamiJSON
	mustJSON(t, r.Stdout, &who)
	if who.Known || who.Admin {
		t.Fatalf("first key was made a user or admin silently: %+v", who)
	}
	ts.Fail(first, "not known here", "program", "create", "shop", "--name", "S", "--url", "https://s.example")
}

func TestOpenSignup(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	merchant := sshtest.NewKey(t, "merchant")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub}; c.OpenSignup = true })
	ts.OK(merchant, "program", "create", "mine", "--name", "Mine", "--url", "https://mine.example")
	var who cli.WhoamiJSON
	ts.OKJSON(merchant, &who, "whoami")
	if !who.Known || who.Admin || len(who.Programs) != 1 || who.Programs[0] != "mine" {
		t.Fatalf("open signup merchant = %+v", who)
	}
	ts.Fail(merchant, "only instance admins", "backup")
}

func TestScreens(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	stranger := sshtest.NewKey(t, "stranger")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop Inc", "--url", "https://shop.example")
	ts.OK(admin, "program", "set", "shop", "welcome", "Welcome \x1b]0;evil\x07partners!")
	var j joinOut
	ts.OKJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")

	p := ts.OpenPTY(admin, "")
	p.WaitFor("Shop Inc", "Overview", "Last 30 days")
	p.Quit()

	// A partner (pending) of one program: its portal.
	p = ts.OpenPTY(alice, "")
	p.WaitFor("Shop Inc", "partner", "1 Dashboard", "Waiting for approval")
	p.Quit()

	// ssh shop@host: the program's signup form for a stranger; ctrl+c
	// leaves it (q types into the name field).
	p = ts.OpenPTY(stranger, "shop")
	p.WaitFor("Shop Inc", "Welcome partners!", "join the partner program", "Invitation")
	p.Quit() // ctrl+c, pressed again should the first one be swallowed
	if strings.Contains(p.Output(), "evil") {
		t.Errorf("welcome text escape reached the terminal:\n%q", p.Output())
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

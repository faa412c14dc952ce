package tui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
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
	admin := newTestKey(t, "admin")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} })

	var p programOut
	ts.okJSON(admin, &p, "program", "create", "shop", "--name", "Shop Inc", "--url", "https://shop.example",
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
	if prog, err := ts.st.ProgramByAPIKey(key); err != nil || prog.Slug != "shop" {
		t.Fatalf("the shown API key does not authenticate: %v", err)
	}

	var shown programOut
	ts.okJSON(admin, &shown, "program", "show", "shop")
	if shown.APIKey != nil {
		t.Errorf("program show must not print an API key, got %q", *shown.APIKey)
	}
	if shown.Commission != "20%; 10:25%" || shown.MinPayout != "75.00" {
		t.Errorf("program show --json = %+v", shown)
	}

	// Secrets are set but never printed back.
	secret := "sk_live_verysecret123"
	out := ts.ok(admin, "program", "set", "shop", "stripe-secret", secret)
	if strings.Contains(out, secret) {
		t.Fatalf("program set echoed the secret: %s", out)
	}
	for _, args := range [][]string{{"program", "show", "shop"}, {"program", "show", "shop", "--json"}, {"program", "list", "--json"}} {
		if out := ts.ok(admin, args...); strings.Contains(out, secret) {
			t.Fatalf("%v printed the secret: %s", args, out)
		}
	}
	ts.okJSON(admin, &shown, "program", "show", "shop")
	if shown.Secrets["stripe_secret"] != "set" || shown.Secrets["wise_token"] != "" {
		t.Errorf("secrets = %v, want stripe_secret set and wise_token empty", shown.Secrets)
	}

	// Welcome text with escape sequences: stored as typed, printed clean.
	ts.ok(admin, "program", "set", "shop", "welcome", "Hi\x1b[2J\x1b]0;pwned\x07 there\nline two")
	out = ts.ok(admin, "program", "show", "shop")
	if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) {
		t.Fatalf("program show printed control characters: %q", out)
	}
	if !strings.Contains(out, "Hi there") || !strings.Contains(out, "line two") {
		t.Errorf("welcome missing from program show:\n%s", out)
	}

	// Rotating the key shows a new one and the old stops working.
	ts.okJSON(admin, &p, "program", "apikey", "shop", "--rotate")
	if p.APIKey == nil || *p.APIKey == key {
		t.Fatalf("apikey --rotate: got %v", p.APIKey)
	}
	if _, err := ts.st.ProgramByAPIKey(key); err == nil {
		t.Error("old API key still works after rotation")
	}
	ts.fail(admin, "--rotate", "program", "apikey", "shop")

	// Usage errors a person understands.
	ts.fail(admin, "missing argument SLUG", "program", "show")
	ts.fail(admin, `program "nope" not found`, "program", "show", "nope")
	ts.fail(admin, "commission", "program", "set", "shop", "commission", "lots")
	ts.fail(admin, "missing --name", "program", "create", "x1", "--url", "https://x.example")
	ts.fail(admin, "already exists", "program", "create", "shop", "--name", "Again", "--url", "https://shop.example")
	ts.fail(admin, "unknown command", "frobnicate")
	ts.fail(admin, "unknown flag", "program", "list", "--bogus")
	ts.fail(admin, "too many arguments", "program", "show", "shop", "extra")
}

func TestUnknownKeyJoinAndWhoami(t *testing.T) {
	admin := newTestKey(t, "admin")
	alice := newTestKey(t, "alice")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} })
	ts.ok(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--listed")
	ts.ok(admin, "program", "create", "secret", "--name", "Hidden", "--url", "https://hidden.example")

	// An unknown key: whoami explains, program list shows listed programs only.
	out := ts.ok(alice, "whoami")
	if !strings.Contains(out, "not known") || !strings.Contains(out, "join SLUG") {
		t.Errorf("whoami for an unknown key:\n%s", out)
	}
	var listed []programOut
	ts.okJSON(alice, &listed, "program", "list")
	if len(listed) != 1 || listed[0].Slug != "shop" {
		t.Fatalf("unknown key program list = %+v, want only the listed shop", listed)
	}
	if listed[0].Secrets != nil {
		t.Errorf("public list shows settings: %+v", listed[0])
	}
	if r := ts.ok(alice, "help"); !strings.Contains(r, "program") {
		t.Errorf("help:\n%s", r)
	}
	for _, args := range [][]string{{"stats", "shop"}, {"link", "list"}, {"profile", "set", "name", "X"}, {"key", "list"}, {"program", "create", "mine", "--name", "M", "--url", "https://m.example"}} {
		ts.fail(alice, "not known here", args...)
	}
	if n, _ := ts.st.UserCount(); n != 1 {
		t.Fatalf("users after unknown-key commands = %d, want 1 (the admin)", n)
	}

	// Join needs name and email; a typo'd program leaves no account behind.
	ts.fail(alice, "--name and --email", "join", "shop")
	ts.fail(alice, `program "nope" not found`, "join", "nope", "--name", "Alice", "--email", "alice@example.com")
	if n, _ := ts.st.UserCount(); n != 1 {
		t.Fatalf("users after a failed join = %d, want 1", n)
	}
	var j joinOut
	ts.okJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	if j.Program != "shop" || j.PartnerID == 0 || j.Status != "pending" || j.Code == "" || j.Link != "http://aff.test:8080/r/"+j.Code {
		t.Fatalf("join --json = %+v", j)
	}
	ts.fail(alice, "already a partner", "join", "shop")

	var who whoamiJSON
	ts.okJSON(alice, &who, "whoami")
	if !who.Known || who.Name != "Alice" || who.Email != "alice@example.com" || who.Admin || len(who.Memberships) != 1 || who.Memberships[0].Status != "pending" {
		t.Fatalf("whoami --json = %+v", who)
	}

	// An invitation joins approved.
	bob := newTestKey(t, "bob")
	out = ts.ok(admin, "invite", "create", "secret", "--json")
	var inv map[string]string
	mustJSON(t, out, &inv)
	ts.okJSON(bob, &j, "join", "secret", inv["token"], "--name", "Bob", "--email", "bob@example.com")
	if j.Status != "approved" {
		t.Errorf("join with invitation: status %q, want approved", j.Status)
	}
	ts.fail(alice, "", "join", "secret", inv["token"]) // used up
}

func TestPartnerManagementAndLedger(t *testing.T) {
	admin := newTestKey(t, "admin")
	alice := newTestKey(t, "alice")
	ts := startServerTweak(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} },
		func(s *Server, st *store.Store) { s.cfg.Payouts = payouts.NewService(st, nil, nil) })
	ts.ok(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	var j joinOut
	ts.okJSON(alice, &j, "join", "shop", "--name", "Alice \x1b[31mRed", "--email", "alice@example.com")

	var ps []partnerOut
	ts.okJSON(admin, &ps, "partner", "list", "shop", "--status", "pending")
	if len(ps) != 1 || ps[0].PartnerID != j.PartnerID || ps[0].Email != "alice@example.com" || ps[0].Status != "pending" || ps[0].Code != j.Code {
		t.Fatalf("partner list --json = %+v", ps)
	}
	if out := ts.ok(admin, "partner", "list", "shop"); strings.ContainsRune(out, 0x1b) {
		t.Fatalf("partner list printed an escape: %q", out)
	}
	ts.fail(admin, "--status must be", "partner", "list", "shop", "--status", "weird")
	ts.ok(admin, "partner", "approve", "shop", "alice@example.com")
	ts.okJSON(admin, &ps, "partner", "list", "shop", "--status", "approved")
	if len(ps) != 1 {
		t.Fatalf("approved partners = %+v", ps)
	}
	ts.fail(admin, `partner "bob@example.com" in program "shop" not found`, "partner", "approve", "shop", "bob@example.com")
	out := ts.ok(admin, "partner", "set", "shop", "alice@example.com", "commission", "30%")
	if !strings.Contains(out, "30%") {
		t.Errorf("partner set: %s", out)
	}
	ts.fail(admin, "commission", "partner", "set", "shop", "alice@example.com", "commission", "abc")
	ts.ok(admin, "partner", "set", "shop", "alice@example.com", "commission", "default")

	// Alice's links.
	ts.ok(alice, "link", "create", "shop", "alice-blog")
	var links []linkJSON
	ts.okJSON(alice, &links, "link", "list")
	if len(links) != 2 {
		t.Fatalf("link list = %+v, want the default code and alice-blog", links)
	}
	ts.fail(alice, "", "link", "create", "shop", "x") // too short

	// Coupons.
	ts.ok(admin, "coupon", "add", "shop", "SAVE10", "alice@example.com")
	var cs []couponJSON
	ts.okJSON(admin, &cs, "coupon", "list", "shop")
	if len(cs) != 1 || cs[0].Code != "SAVE10" || cs[0].PartnerID != j.PartnerID || cs[0].Email != "alice@example.com" {
		t.Fatalf("coupon list = %+v", cs)
	}
	ts.ok(admin, "coupon", "remove", "shop", "SAVE10")
	ts.okJSON(admin, &cs, "coupon", "list", "shop")
	if len(cs) != 0 {
		t.Fatalf("coupon list after remove = %+v", cs)
	}

	// Two sales through Alice's code, one unattributed.
	sale := func(order, amount, ref string) {
		t.Helper()
		if _, _, err := ts.st.RecordConversion("shop", store.ConversionInput{OrderID: order, CustomerID: "c-" + order, Amount: amount, Currency: "USD", Kind: "sale", Ref: ref}); err != nil {
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
	ts.okJSON(admin, &convs, "conversion", "list", "shop")
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
	ts.okJSON(alice, &mine, "conversion", "list", "shop")
	if len(mine) != 2 {
		t.Errorf("partner conversion list = %+v, want her 2", mine)
	}

	var comms []commissionJSON
	ts.okJSON(admin, &comms, "commission", "list", "shop")
	if len(comms) != 2 || comms[1].Amount != "100.00" || comms[1].PartnerID != j.PartnerID || comms[1].ConversionID != convs[2].ID || comms[1].Status != "pending" {
		t.Fatalf("commission list = %+v", comms)
	}
	big, small := comms[1].ID, comms[0].ID
	ts.ok(admin, "commission", "approve", "shop", itoa(big))
	ts.ok(admin, "commission", "reject", "shop", itoa(small), "--reason", "test order")
	ts.fail(admin, "must be a number", "commission", "approve", "shop", "abc")
	ts.fail(admin, "is rejected", "commission", "approve", "shop", itoa(small))
	ts.okJSON(admin, &comms, "commission", "list", "shop", "--status", "approved")
	if len(comms) != 1 || comms[0].ID != big {
		t.Fatalf("approved commissions = %+v", comms)
	}

	var st statsJSON
	ts.okJSON(admin, &st, "stats", "shop", "--days", "7")
	if st.Conversions != 3 || st.Revenue != "609.95" || st.Approved != "100.00" || st.Pending != "0.00" || st.Paid != "0.00" || st.Clawback != "0.00" || st.Days != 7 {
		t.Fatalf("stats --json = %+v", st)
	}
	var ast statsJSON
	ts.okJSON(alice, &ast, "stats", "shop")
	if ast.PartnerID != j.PartnerID || ast.Approved != "100.00" || ast.Revenue != "599.95" {
		t.Errorf("partner stats = %+v", ast)
	}
	if out := ts.ok(alice, "stats", "shop"); !strings.Contains(out, "100.00 USD") {
		t.Errorf("human stats:\n%s", out)
	}

	// Payouts: no method yet → skipped; then PayPal.
	var po payoutJSON
	ts.okJSON(admin, &po, "payout", "create", "shop")
	if po.Batch != nil || len(po.Items) != 0 || len(po.Skipped) != 1 || po.Skipped[0].Balance != "100.00" {
		t.Fatalf("payout without a method = %+v", po)
	}
	ts.ok(alice, "profile", "set", "paypal", "alice-pp@example.com")
	ts.fail(alice, "--currency", "profile", "set", "wise", "alice@example.com")
	ts.okJSON(admin, &po, "payout", "create", "shop")
	if len(po.Items) != 1 || po.Items[0].PartnerID != j.PartnerID || po.Items[0].Email != "alice-pp@example.com" ||
		po.Items[0].Amount != "100.00" || po.Items[0].Currency != "USD" || po.Total != "100.00" || po.Program != "shop" || po.Batch == nil {
		t.Fatalf("payout create --json = %+v", po)
	}
	batchID := *po.Batch
	batch := itoa(batchID)
	r := ts.run(admin, "payout", "export", batch, "--format", "paypal-csv")
	if r.Code != 0 || !strings.Contains(r.Stdout, "alice-pp@example.com") || !strings.Contains(r.Stdout, "100.00") {
		t.Fatalf("payout export: %s", r)
	}
	ts.fail(admin, "--format must be", "payout", "export", batch, "--format", "xml")
	ts.fail(admin, "--part must be", "payout", "export", batch, "--format", "paypal-csv", "--part", "2")
	var list []batchLineJSON
	ts.okJSON(admin, &list, "payout", "list", "shop")
	if len(list) != 1 || list[0].Batch != batchID || list[0].Status != "exported" || list[0].Items != 1 || list[0].Total != "100.00" {
		t.Fatalf("payout list = %+v", list)
	}
	ts.okJSON(admin, &po, "payout", "mark-paid", batch)
	if po.Status != "paid" {
		t.Fatalf("mark-paid: %+v", po)
	}
	ts.okJSON(alice, &ast, "stats", "shop")
	if ast.Paid != "100.00" || ast.Approved != "0.00" {
		t.Errorf("after payout, partner stats = %+v", ast)
	}
	var hist []partnerPayoutJSON
	ts.okJSON(alice, &hist, "payout", "list", "shop")
	if len(hist) != 1 || hist[0].Amount != "100.00" || hist[0].Batch != batchID {
		t.Errorf("partner payout history = %+v", hist)
	}
	ts.fail(admin, "", "payout", "send", batch) // already paid
}

func TestKeysProfileTeamBackup(t *testing.T) {
	admin := newTestKey(t, "admin")
	alice := newTestKey(t, "alice")
	laptop := newTestKey(t, "laptop")
	mary := newTestKey(t, "mary")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} })
	ts.ok(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.ok(alice, "join", "shop", "--name", "Alice", "--email", "alice@example.com")

	// Keys: add a second, log in with it, never remove the last.
	ts.ok(alice, append([]string{"key", "add"}, strings.Fields(laptop.Pub)...)...)
	var who whoamiJSON
	ts.okJSON(laptop, &who, "whoami")
	if who.Email != "alice@example.com" {
		t.Fatalf("second key is not Alice: %+v", who)
	}
	var ks []keyJSON
	ts.okJSON(alice, &ks, "key", "list")
	if len(ks) != 2 {
		t.Fatalf("key list = %+v", ks)
	}
	ts.fail(alice, "already", append([]string{"key", "add"}, strings.Fields(admin.Pub)...)...)
	ts.fail(alice, "not a public key", "key", "add", "ssh-ed25519", "garbage")
	ts.ok(alice, "key", "remove", who.Fingerprint) // removes the laptop key (its own fingerprint was shown to laptop)
	if r := ts.run(laptop, "whoami", "--json"); !strings.Contains(r.Stdout, `"known": false`) {
		t.Fatalf("removed key still known: %s", r)
	}
	ts.okJSON(alice, &ks, "key", "list")
	ts.fail(alice, "last key", "key", "remove", ks[0].Fingerprint)

	ts.ok(alice, "profile", "set", "name", "Alice B")
	ts.fail(alice, "unknown field", "profile", "set", "age", "3")
	ts.okJSON(alice, &who, "whoami")
	if who.Name != "Alice B" {
		t.Errorf("profile set name: %+v", who)
	}

	// Team: add by key (creates the user), by email; list; remove; never the last.
	ts.ok(admin, append([]string{"team", "add", "shop"}, strings.Fields(mary.Pub)...)...)
	var team []teamMemberJSON
	ts.okJSON(admin, &team, "team", "list", "shop")
	if len(team) != 2 || team[1].Name != "mary@test" {
		t.Fatalf("team list = %+v", team)
	}
	var shown programOut
	ts.okJSON(mary, &shown, "program", "show", "shop")
	if shown.Slug != "shop" {
		t.Fatalf("team member cannot see the program")
	}
	ts.ok(mary, "team", "add", "shop", "alice@example.com")
	ts.okJSON(mary, &team, "team", "list", "shop")
	if len(team) != 3 {
		t.Fatalf("team after adding alice = %+v", team)
	}
	ts.fail(mary, "no user has the email", "team", "add", "shop", "nobody@example.com")
	ts.ok(mary, "team", "remove", "shop", "alice@example.com")
	ts.fail(mary, "not in the team", "team", "remove", "shop", "alice@example.com")

	// Backup: instance admins only; the snapshot is a working database.
	ts.fail(mary, "only instance admins", "backup")
	r := ts.run(admin, "backup")
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
	first := newTestKey(t, "first")
	ts := startServer(t, nil)
	r := ts.run(first, "whoami", "--json")
	if r.Code != 0 {
		t.Fatalf("whoami: %s", r)
	}
	if !strings.Contains(r.Stderr, "--admin-key '"+strings.Join(strings.Fields(first.Pub)[:2], " ")+"'") {
		t.Fatalf("first key is not told how to become admin:\n%s", r.Stderr)
	}
	var who whoamiJSON
	mustJSON(t, r.Stdout, &who)
	if who.Known || who.Admin {
		t.Fatalf("first key was made a user or admin silently: %+v", who)
	}
	ts.fail(first, "not known here", "program", "create", "shop", "--name", "S", "--url", "https://s.example")
}

func TestOpenSignup(t *testing.T) {
	admin := newTestKey(t, "admin")
	merchant := newTestKey(t, "merchant")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub}; c.OpenSignup = true })
	ts.ok(merchant, "program", "create", "mine", "--name", "Mine", "--url", "https://mine.example")
	var who whoamiJSON
	ts.okJSON(merchant, &who, "whoami")
	if !who.Known || who.Admin || len(who.Programs) != 1 || who.Programs[0] != "mine" {
		t.Fatalf("open signup merchant = %+v", who)
	}
	ts.fail(merchant, "only instance admins", "backup")
}

func TestScreens(t *testing.T) {
	admin := newTestKey(t, "admin")
	alice := newTestKey(t, "alice")
	stranger := newTestKey(t, "stranger")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} })
	ts.ok(admin, "program", "create", "shop", "--name", "Shop Inc", "--url", "https://shop.example")
	ts.ok(admin, "program", "set", "shop", "welcome", "Welcome \x1b]0;evil\x07partners!")
	var j joinOut
	ts.okJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")

	p := ts.openPTY(admin, "")
	p.waitFor("affogato", "instance admin", "Programs you run", "shop", "Commands")
	p.quit()

	p = ts.openPTY(alice, "")
	p.waitFor("Programs you partner in", "pending", j.Link)
	p.quit()

	// ssh shop@host: the program's signup page for a stranger.
	p = ts.openPTY(stranger, "shop")
	p.waitFor("Shop Inc", "Welcome partners!", "join shop --name")
	p.quit()
	if strings.Contains(p.output(), "evil") {
		t.Errorf("welcome text escape reached the terminal:\n%q", p.output())
	}
}

func mustJSON(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

package cli_test

import (
	"github.com/affogato-sh/affogato/payouts"
	"strconv"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// shop is a program with an approved partner (alice) and what the tests of
// this file share.
type shop struct {
	ts           *sshtest.Server
	admin, alice sshtest.Key
	aliceID      uint64
	code         string
}

func newShop(t *testing.T) *shop {
	t.Helper()
	admin, alice := sshtest.NewKey(t, "admin"), sshtest.NewKey(t, "alice")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--auto-approve")
	var j joinOut
	ts.OKJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	return &shop{ts: ts, admin: admin, alice: alice, aliceID: j.PartnerID, code: j.Code}
}

func (s *shop) sale(t *testing.T, in store.ConversionInput) *store.ConversionResult {
	t.Helper()
	in.CustomerID, in.Currency, in.Kind = "c-"+in.OrderID, "USD", "sale"
	if in.Ref != "" {
		clickRef(t, s.ts.St, in.Ref)
	}
	r, _, err := s.ts.St.RecordConversion("shop", in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStatsReferredFigures(t *testing.T) {
	s := newShop(t)
	s.sale(t, store.ConversionInput{OrderID: "o1", Amount: "100.00", Ref: s.code})
	for i := range 5 {
		s.sale(t, store.ConversionInput{OrderID: "w" + strconv.Itoa(i), Amount: "10.00"})
	}
	var st cli.StatsJSON
	s.ts.OKJSON(s.admin, &st, "stats", "shop")
	// One click (the ref's): one referred conversion per click, 20.00 earned per click.
	if st.Conversions != 6 || st.ReferredConversions != 1 || st.Revenue != "150.00" || st.ReferredRevenue != "100.00" ||
		st.ConversionRate != "1.0000" || st.EPC != "20.0000" {
		t.Fatalf("stats --json = %+v", st)
	}
	out := s.ts.OK(s.admin, "stats", "shop")
	for _, want := range []string{"orders (all)", "6", "referred conversions", "1 (attributed to a partner)", "referred revenue", "100.00 USD"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats text lacks %q:\n%s", want, out)
		}
	}
	var daily int64
	for _, d := range st.Daily {
		daily += d.ReferredConversions
	}
	if daily != 1 {
		t.Errorf("daily referred_conversions add up to %d", daily)
	}
}

func TestApproveFlaggedCommissionCommand(t *testing.T) {
	s := newShop(t)
	// The customer's email is the partner's own: self_referral.
	r := s.sale(t, store.ConversionInput{OrderID: "o1", Amount: "50.00", Ref: s.code, CustomerEmail: "alice@example.com"})
	id := strconv.FormatUint(r.Commission.ID, 10)
	res := s.ts.Fail(s.admin, "self_referral (the customer's email is the partner's own)", "commission", "approve", "shop", id)
	if !strings.Contains(res.Stderr, "commission approve shop "+id+" --override-flags") {
		t.Fatalf("the refusal must end with the command that approves anyway: %s", res.Stderr)
	}
	var pending []cli.CommissionJSON
	s.ts.OKJSON(s.admin, &pending, "commission", "list", "shop", "--status", "pending")
	if len(pending) != 1 {
		t.Fatalf("refused approval changed the commission: %+v", pending)
	}
	// The partner sees "under review", never the flag.
	out := s.ts.OK(s.alice, "commission", "list", "shop")
	if strings.Contains(out, "self_referral") || !strings.Contains(out, "under review") {
		t.Fatalf("partner's commission list:\n%s", out)
	}
	if out := s.ts.OK(s.alice, "conversion", "list", "shop", "--json"); strings.Contains(out, "self_referral") || !strings.Contains(out, "under_review") {
		t.Fatalf("partner's conversion list:\n%s", out)
	}
	out = s.ts.OK(s.admin, "commission", "approve", "shop", id, "--override-flags")
	for _, want := range []string{"is now approved", "past its fraud flags (self_referral)", "recorded", "Approved early"} {
		if !strings.Contains(out, want) {
			t.Errorf("approve --override-flags output lacks %q:\n%s", want, out)
		}
	}
	var all []cli.CommissionJSON
	s.ts.OKJSON(s.admin, &all, "commission", "list", "shop")
	if len(all) != 1 || !all[0].OverrodeFlags || !all[0].EarlyApproval || all[0].DecidedBy == 0 || all[0].DecidedAt == nil {
		t.Fatalf("the decision is not recorded: %+v", all)
	}
}

func TestRefundsShowInLists(t *testing.T) {
	s := newShop(t)
	s.sale(t, store.ConversionInput{OrderID: "o1", Amount: "100.00", Ref: s.code})
	if _, _, err := s.ts.St.RecordRefund("shop", store.RefundInput{RefundID: "r1", OrderID: "o1", Amount: "25.00"}); err != nil {
		t.Fatal(err)
	}
	out := s.ts.OK(s.admin, "conversion", "list", "shop")
	for _, want := range []string{"REFUNDED", "25.00 USD", "20.00 USD pending, 5.00 USD reversed"} {
		if !strings.Contains(out, want) {
			t.Errorf("conversion list lacks %q:\n%s", want, out)
		}
	}
	out = s.ts.OK(s.admin, "commission", "list", "shop")
	for _, want := range []string{"REVERSED", "NET", "5.00 USD", "15.00 USD"} {
		if !strings.Contains(out, want) {
			t.Errorf("commission list lacks %q:\n%s", want, out)
		}
	}
	js := s.ts.OK(s.admin, "conversion", "list", "shop", "--json")
	for _, want := range []string{`"refunded": "25.00"`, `"reversed": "5.00"`, `"net": "15.00"`} {
		if !strings.Contains(js, want) {
			t.Errorf("conversion list --json lacks %s:\n%s", want, js)
		}
	}
}

func TestConversionAttributeCommand(t *testing.T) {
	s := newShop(t)
	r := s.sale(t, store.ConversionInput{OrderID: "o1", Amount: "50.00", ClickID: "987654"})
	if r.Conversion.Attributed {
		t.Fatal("an unknown click id attributed the order")
	}
	if out := s.ts.OK(s.admin, "conversion", "list", "shop"); !strings.Contains(out, "- (unknown click_id)") ||
		!strings.Contains(out, "conversion attribute shop ORDER PARTNER") {
		t.Fatalf("conversion list does not point at the unattributed order:\n%s", out)
	}
	s.ts.Fail(s.alice, "not allowed", "conversion", "attribute", "shop", "o1", "alice@example.com")
	out := s.ts.OK(s.admin, "conversion", "attribute", "shop", "o1", "alice@example.com")
	if !strings.Contains(out, "now attributed to partner "+strconv.FormatUint(s.aliceID, 10)) || !strings.Contains(out, "10.00 USD pending") {
		t.Fatalf("conversion attribute:\n%s", out)
	}
	var st cli.StatsJSON
	s.ts.OKJSON(s.alice, &st, "stats", "shop")
	if st.Conversions != 1 || st.Pending != "10.00" {
		t.Fatalf("partner stats after attribution: %+v", st)
	}
	s.ts.Fail(s.admin, "already attributed", "conversion", "attribute", "shop", "o1", "alice@example.com")
	s.ts.Fail(s.admin, "not found", "conversion", "attribute", "shop", "nosuch", "alice@example.com")
}

func TestProgramShowPublicPartForPartners(t *testing.T) {
	s := newShop(t)
	s.ts.OK(s.admin, "program", "set", "shop", "paypal-secret", "pp-very-secret")
	s.ts.OK(s.admin, "program", "set", "shop", "terms", "Be nice.")
	out := s.ts.OK(s.alice, "program", "show", "shop")
	for _, want := range []string{"20% of each payment", "30 days after the click", "50.00 USD", "Be nice."} {
		if !strings.Contains(out, want) {
			t.Errorf("partner's program show lacks %q:\n%s", want, out)
		}
	}
	js := s.ts.OK(s.alice, "program", "show", "shop", "--json")
	for _, secret := range []string{"pp-very-secret", "paypal_secret", "api_key_hint", "admins"} {
		if strings.Contains(out+js, secret) {
			t.Errorf("partner's program show shows %q:\n%s\n%s", secret, out, js)
		}
	}
}

func TestFixedCommissionShownWithCurrencyAndWarned(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	r := ts.Run(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--commission", "20")
	if r.Code != 0 {
		t.Fatalf("create: %s", r)
	}
	if !strings.Contains(r.Stdout, "20.00 USD per sale") {
		t.Errorf("a fixed commission without its currency:\n%s", r.Stdout)
	}
	if !strings.Contains(r.Stderr, "warning: 20 means 20.00 USD per sale") || !strings.Contains(r.Stderr, "program set shop commission 20%") {
		t.Errorf("no warning for a bare number:\n%s", r.Stderr)
	}
	var p programOut
	ts.OKJSON(admin, &p, "program", "show", "shop")
	if p.Commission != "20" {
		t.Errorf("the command must still do what was asked: commission %q", p.Commission)
	}
	if r := ts.Run(admin, "program", "set", "shop", "commission", "20%; 10:30"); r.Code != 0 || !strings.Contains(r.Stderr, `commission "'20%; 10:30%'"`) {
		t.Errorf("set with a bare tier rate: %s", r)
	}
	if r := ts.Run(admin, "program", "set", "shop", "commission", "25.00"); r.Code != 0 || strings.Contains(r.Stderr, "warning") {
		t.Errorf("an explicit amount must not warn: %s", r)
	}
	if out := ts.OK(admin, "program", "list"); !strings.Contains(out, "25.00 USD per sale") {
		t.Errorf("program list:\n%s", out)
	}
}

func TestHelpShowsWhatTheCallerMayRun(t *testing.T) {
	s := newShop(t)
	stranger := sshtest.NewKey(t, "stranger")
	partnerHelp := s.ts.OK(s.alice, "help")
	for _, hidden := range []string{"backup", "invite", "coupon", "partner "} {
		if strings.Contains(partnerHelp, "\n  "+hidden) {
			t.Errorf("a partner's help lists %q:\n%s", hidden, partnerHelp)
		}
	}
	for _, shown := range []string{"link", "stats", "profile", "payout"} {
		if !strings.Contains(partnerHelp, "\n  "+shown) {
			t.Errorf("a partner's help lacks %q:\n%s", shown, partnerHelp)
		}
	}
	if out := s.ts.OK(s.alice, "payout", "--help"); strings.Contains(out, "mark-paid") || !strings.Contains(out, "list") {
		t.Errorf("a partner's payout --help:\n%s", out)
	}
	if out := s.ts.OK(s.admin, "help"); !strings.Contains(out, "\n  backup") || !strings.Contains(out, "\n  coupon") {
		t.Errorf("the admin's help:\n%s", out)
	}
	if out := s.ts.OK(stranger, "help"); strings.Contains(out, "\n  stats") || !strings.Contains(out, "\n  join") {
		t.Errorf("an unknown key's help:\n%s", out)
	}
	// An unknown key running a merchant's command learns how to become one.
	r := s.ts.Fail(stranger, "cannot run \"payout create\"", "payout", "create", "shop")
	for _, want := range []string{"AFFOGATO_ADMIN_KEY='ssh-", "./bin/affogato --admin-key 'ssh-", "team add SLUG \"'ssh-"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("unknown key, merchant command: lacks %q:\n%s", want, r.Stderr)
		}
	}
	if strings.Contains(r.Stderr, "Join a program first") {
		t.Errorf("a merchant's command told to join a program:\n%s", r.Stderr)
	}
}

func TestJoinTypoSuggestsTheClosestSlug(t *testing.T) {
	s := newShop(t)
	s.ts.OK(s.admin, "program", "set", "shop", "listed", "true")
	s.ts.OK(s.admin, "program", "create", "hidden", "--name", "Hidden", "--url", "https://hidden.example")
	bob := sshtest.NewKey(t, "bob")
	r := s.ts.Fail(bob, `there is no program "shopp" here. Did you mean shop?`, "join", "shopp", "--name", "Bob", "--email", "bob@example.com")
	if !strings.Contains(r.Stderr, "program list") {
		t.Errorf("no program list hint:\n%s", r.Stderr)
	}
	r = s.ts.Fail(bob, `there is no program "hiddn" here.`, "join", "hiddn", "--name", "Bob", "--email", "bob@example.com")
	if strings.Contains(r.Stderr, "Did you mean") {
		t.Errorf("an unlisted slug was suggested:\n%s", r.Stderr)
	}
}

func TestProfileSetSaysWhatItReplaced(t *testing.T) {
	s := newShop(t)
	s.ts.OK(s.alice, "profile", "set", "paypal", "alice@example.com")
	out := s.ts.OK(s.alice, "profile", "set", "wise", "alice@wise.example", "--currency", "EUR")
	for _, want := range []string{"replaces your PayPal alice@example.com", "already created keep the method", "Wise alice@wise.example (EUR)"} {
		if !strings.Contains(out, want) {
			t.Errorf("profile set wise lacks %q:\n%s", want, out)
		}
	}
}

func TestBootstrapLinesFitMakeRun(t *testing.T) {
	first := sshtest.NewKey(t, "first")
	ts := sshtest.Start(t, nil)
	r := ts.Run(first, "whoami")
	line := strings.Join(strings.Fields(first.Pub)[:2], " ")
	for _, want := range []string{"    AFFOGATO_ADMIN_KEY='" + line + "' make run\n", "    ./bin/affogato --admin-key '" + line + "'\n"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("bootstrap message lacks %q:\n%s", want, r.Stderr)
		}
	}
}

func TestTooManyArgumentsExplainsQuoting(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	// What `ssh host program create shop --name "Shop Inc" …` sends: the
	// server sees Shop and Inc as two words.
	r := ts.Fail(admin, `too many arguments ("Inc" is extra)`, "program", "create", "shop", "--name", "Shop", "Inc", "--url", "https://shop.example")
	if !strings.Contains(r.Stderr, `--name "'Shop Inc'"`) || !strings.Contains(r.Stderr, "twice") {
		t.Fatalf("no quoting explanation:\n%s", r.Stderr)
	}
	r = ts.Fail(admin, "too many arguments", "stats", "shop", "extra")
	if strings.Contains(r.Stderr, "twice") {
		t.Fatalf("quoting explained where no flag value was split:\n%s", r.Stderr)
	}
}

func TestPayoutHintsAndErrors(t *testing.T) {
	admin, alice, bob := sshtest.NewKey(t, "admin"), sshtest.NewKey(t, "alice"), sshtest.NewKey(t, "bob")
	ts := sshtest.StartWithStore(t, func(c *tui.Config, st *store.Store) {
		c.AdminKeys = []string{admin.Pub}
		c.Payouts = payouts.NewService(st, nil, nil)
	})
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--auto-approve", "--hold-days", "0")
	var ja, jb joinOut
	ts.OKJSON(alice, &ja, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	ts.OKJSON(bob, &jb, "join", "shop", "--name", "Bob", "--email", "bob@example.com")
	ts.OK(alice, "profile", "set", "wise", "alice@example.com", "--currency", "EUR")
	ts.OK(bob, "profile", "set", "paypal", "bob@example.com")
	sale := func(order, amount, code string) {
		t.Helper()
		clickRef(t, ts.St, code)
		if _, _, err := ts.St.RecordConversion("shop", store.ConversionInput{OrderID: order, CustomerID: "c-" + order, Amount: amount,
			Currency: "USD", Kind: "sale", Ref: code}); err != nil {
			t.Fatal(err)
		}
	}
	sale("o1", "500.00", ja.Code) // alice: 100.00 by Wise
	sale("o2", "100.00", jb.Code) // bob: 20.00, below the minimum 50.00
	out := ts.OK(admin, "payout", "create", "shop")
	hint := "ssh -p " + ts.Port + " aff.test "
	for _, want := range []string{
		hint + "payout export 1 --format wise-csv > batch-1-wise.csv\n",
		hint + "payout mark-paid 1\n",
		hint + "program set shop min-payout 20.00\n",
		"payout send pays through the Wise API once the program's wise-token and wise-profile are set",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("payout create output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "paypal-csv") || strings.Contains(out, "|") {
		t.Errorf("payout create offers what does not apply:\n%s", out)
	}
	// Send without credentials: the exact settings, live or sandbox, then send.
	r := ts.Fail(admin, "program shop lacks wise-token and wise-profile", "payout", "send", "1")
	for _, want := range []string{
		hint + "program set shop wise-token YOUR_WISE_API_TOKEN\n",
		"live Wise (https://api.wise.com): real money",
		hint + "program set shop wise-base-url https://api.sandbox.transferwise.tech\n",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("send without credentials lacks %q:\n%s", want, r.Stderr)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(r.Stderr), hint+"payout send 1") {
		t.Errorf("the error must end with the command that sends:\n%s", r.Stderr)
	}
	// Exported: send says to mark it paid.
	ts.OK(admin, "payout", "export", "1", "--format", "wise-csv")
	r = ts.Fail(admin, "was exported", "payout", "send", "1")
	if !strings.HasSuffix(strings.TrimSpace(r.Stderr), hint+"payout mark-paid 1") || strings.Count(r.Stderr, "batch 1") > 1 {
		t.Errorf("send of an exported batch:\n%s", r.Stderr)
	}
}

func TestSSHNoSuchProgram(t *testing.T) {
	s := newShop(t)
	s.ts.OK(s.admin, "program", "set", "shop", "listed", "true")
	stranger := sshtest.NewKey(t, "stranger")
	r := s.ts.RunAs(stranger, "shopp")
	if r.Code != 0 || !strings.Contains(r.Stderr, `There is no program "shopp" here. Did you mean shop?`) ||
		!strings.Contains(r.Stderr, "shop@aff.test") {
		t.Fatalf("ssh shopp@host: %s", r)
	}
	if r := s.ts.RunAs(stranger, "shop"); strings.Contains(r.Stderr, "no program") {
		t.Fatalf("ssh shop@host: %s", r)
	}
}

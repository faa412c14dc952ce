package cli_test

import (
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
	if st.Conversions != 6 || st.ReferredConversions != 1 || st.Revenue != "150.00" || st.ReferredRevenue != "100.00" ||
		st.ConversionRate != "0.0000" || st.EPC != "0.0000" {
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

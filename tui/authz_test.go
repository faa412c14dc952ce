package tui

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

// TestAuthorizationMatrix runs every merchant command of program shop as each
// role that must not run it, checks each is refused (exit 1, a message, no
// Go internals) and that nothing changed, as the owner sees it.
func TestAuthorizationMatrix(t *testing.T) {
	admin := newTestKey(t, "admin")
	owner := newTestKey(t, "owner")
	otherMerchant := newTestKey(t, "othermerchant")
	partnerSame := newTestKey(t, "partnersame")
	partnerOther := newTestKey(t, "partnerother")
	unknown := newTestKey(t, "unknown")
	stranger := newTestKey(t, "stranger") // a key nobody has used
	ts := startServerTweak(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} },
		func(s *Server, st *store.Store) { s.cfg.Payouts = payouts.NewService(st, nil, nil) })

	// Set up: shop run by owner, other run by otherMerchant, one partner each.
	ts.ok(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.ok(admin, "program", "create", "other", "--name", "Other", "--url", "https://other.example")
	ts.ok(admin, append([]string{"team", "add", "shop"}, strings.Fields(owner.Pub)...)...)
	ts.ok(admin, append([]string{"team", "add", "other"}, strings.Fields(otherMerchant.Pub)...)...)
	var a, b joinOut
	ts.okJSON(partnerSame, &a, "join", "shop", "--name", "Sam", "--email", "sam@example.com")
	ts.okJSON(partnerOther, &b, "join", "other", "--name", "Ola", "--email", "ola@example.com")
	ts.ok(owner, "partner", "approve", "shop", "sam@example.com")
	ts.ok(otherMerchant, "partner", "approve", "other", "ola@example.com")
	ts.ok(partnerSame, "profile", "set", "paypal", "sam-pp@example.com")
	ts.ok(owner, "coupon", "add", "shop", "SAVE", "sam@example.com")
	for _, o := range []struct{ order, amount string }{{"o1", "500.00"}, {"o2", "50.00"}} {
		if _, _, err := ts.st.RecordConversion("shop", store.ConversionInput{OrderID: o.order, CustomerID: "c-" + o.order, Amount: o.amount, Currency: "USD", Kind: "sale", Ref: a.Code}); err != nil {
			t.Fatal(err)
		}
	}
	var comms []commissionJSON
	ts.okJSON(owner, &comms, "commission", "list", "shop")
	if len(comms) != 2 {
		t.Fatalf("setup: commissions = %+v", comms)
	}
	paid, pending := itoa(comms[1].ID), itoa(comms[0].ID)
	ts.ok(owner, "commission", "approve", "shop", paid)
	var po payoutJSON
	ts.okJSON(owner, &po, "payout", "create", "shop")
	if po.Batch == nil {
		t.Fatalf("setup: no batch: %+v", po)
	}
	batch := itoa(*po.Batch)
	var team []teamMemberJSON
	ts.okJSON(owner, &team, "team", "list", "shop")
	var who whoamiJSON
	ts.okJSON(owner, &who, "whoami")
	ownerID := itoa(who.UserID)
	ts.okJSON(partnerOther, &who, "whoami")
	partnerOtherUser := itoa(who.UserID)
	samID := itoa(a.PartnerID)

	snapshot := func() map[string]string {
		t.Helper()
		snap := map[string]string{}
		for _, args := range [][]string{
			{"program", "show", "shop"}, {"partner", "list", "shop"}, {"stats", "shop"},
			{"coupon", "list", "shop"}, {"team", "list", "shop"}, {"payout", "list", "shop"},
			{"commission", "list", "shop"}, {"conversion", "list", "shop"},
		} {
			snap[strings.Join(args, " ")] = ts.ok(owner, append(args, "--json")...)
		}
		snap["programs"] = ts.ok(admin, "program", "list", "--json")
		n, err := ts.st.UserCount()
		if err != nil {
			t.Fatal(err)
		}
		snap["users"] = itoa(uint64(n))
		return snap
	}
	before := snapshot()

	type role struct {
		name string
		key  testKey
	}
	unknownR := role{"unknown key", unknown}
	partnerSameR := role{"partner of shop", partnerSame}
	partnerOtherR := role{"partner of other", partnerOther}
	merchantOtherR := role{"merchant of other", otherMerchant}
	notMerchants := []role{unknownR, partnerSameR, partnerOtherR, merchantOtherR}
	outsiders := []role{unknownR, partnerOtherR, merchantOtherR}

	cases := []struct {
		args  []string
		roles []role
	}{
		{[]string{"program", "show", "shop"}, notMerchants},
		{[]string{"program", "set", "shop", "name", "Hacked"}, notMerchants},
		{[]string{"program", "set", "shop", "stripe-secret", "sk_evil"}, notMerchants},
		{[]string{"program", "set", "shop", "commission", "99%"}, notMerchants},
		{[]string{"program", "apikey", "shop", "--rotate"}, notMerchants},
		{[]string{"program", "apikey", "shop"}, notMerchants},
		{[]string{"program", "create", "evil", "--name", "Evil", "--url", "https://evil.example"}, append(notMerchants, role{"merchant of shop", owner})},
		{[]string{"partner", "list", "shop"}, notMerchants},
		{[]string{"partner", "approve", "shop", samID}, notMerchants},
		{[]string{"partner", "reject", "shop", "sam@example.com"}, notMerchants},
		{[]string{"partner", "suspend", "shop", samID}, notMerchants},
		{[]string{"partner", "set", "shop", samID, "commission", "90%"}, notMerchants},
		{append([]string{"team", "add", "shop"}, strings.Fields(stranger.Pub)...), notMerchants},
		{[]string{"team", "add", "shop", partnerOtherUser}, notMerchants},
		{[]string{"team", "add", "shop", "sam@example.com"}, notMerchants},
		{[]string{"team", "list", "shop"}, notMerchants},
		{[]string{"team", "remove", "shop", ownerID}, notMerchants},
		{[]string{"invite", "create", "shop"}, notMerchants},
		{[]string{"coupon", "add", "shop", "NEWCODE", samID}, notMerchants},
		{[]string{"coupon", "list", "shop"}, notMerchants},
		{[]string{"coupon", "remove", "shop", "SAVE"}, notMerchants},
		{[]string{"commission", "approve", "shop", pending}, notMerchants},
		{[]string{"commission", "reject", "shop", pending}, notMerchants},
		{[]string{"commission", "reject", "shop", paid}, notMerchants},
		{[]string{"payout", "create", "shop"}, notMerchants},
		{[]string{"payout", "export", batch, "--format", "paypal-csv"}, notMerchants},
		{[]string{"payout", "send", batch}, notMerchants},
		{[]string{"payout", "refresh", batch}, notMerchants},
		{[]string{"payout", "mark-paid", batch}, notMerchants},
		// What a partner of shop may see of their own, outsiders may not.
		{[]string{"conversion", "list", "shop"}, outsiders},
		{[]string{"commission", "list", "shop"}, outsiders},
		{[]string{"stats", "shop"}, outsiders},
		{[]string{"payout", "list", "shop"}, outsiders},
		{[]string{"link", "create", "shop", "sneaky-code"}, outsiders},
		// Reaching into shop through other's commands.
		{[]string{"partner", "approve", "other", samID}, []role{merchantOtherR}},
		{[]string{"partner", "suspend", "other", "sam@example.com"}, []role{merchantOtherR}},
		{[]string{"commission", "approve", "other", pending}, []role{merchantOtherR}},
		{[]string{"commission", "reject", "other", paid}, []role{merchantOtherR}},
		{[]string{"coupon", "add", "other", "STEAL", samID}, []role{merchantOtherR}},
		{[]string{"coupon", "remove", "other", "SAVE"}, []role{merchantOtherR}},
		{[]string{"team", "remove", "other", ownerID}, []role{merchantOtherR}},
		// Instance admins only.
		{[]string{"backup"}, append(notMerchants, role{"merchant of shop", owner})},
	}
	for _, c := range cases {
		for _, r := range c.roles {
			res := ts.run(r.key, c.args...)
			if res.Code != 1 || strings.TrimSpace(res.Stderr) == "" {
				t.Errorf("%s ran %q: want refusal (exit 1, message), got %s", r.name, c.args, res)
				continue
			}
			t.Logf("%s: %q → %s", r.name, c.args, strings.TrimSpace(res.Stderr))
			if strings.Contains(res.Stderr, "goroutine ") || strings.Contains(res.Stderr, ".go:") || strings.Contains(res.Stderr, "internal error") {
				t.Errorf("%s ran %q: refusal shows internals: %s", r.name, c.args, res)
			}
			if strings.Contains(res.Stdout, "sam-pp@example.com") || strings.Contains(res.Stdout, "sam@example.com") {
				t.Errorf("%s ran %q: output leaks shop data: %s", r.name, c.args, res)
			}
		}
	}

	after := snapshot()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed under refused commands:\nbefore: %s\nafter: %s", k, v, after[k])
		}
	}
	// The stranger's key did not become a user.
	if _, err := ts.st.UserByFingerprint(fingerprintOfLine(t, stranger.Pub)); err == nil {
		t.Error("a refused team add created a user for the key")
	}

	// Partners see only their own: the partner of other sees nothing of shop,
	// the partner of shop sees their own conversions but no other partner's.
	var convs []store.ConversionView
	ts.okJSON(partnerSame, &convs, "conversion", "list", "shop")
	for _, c := range convs {
		if c.PartnerID == nil || itoa(*c.PartnerID) != samID {
			t.Errorf("partner of shop sees a conversion not theirs: %+v", c)
		}
	}
}

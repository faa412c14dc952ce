package cli_test

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// TestAuthorizationMatrix runs every merchant command of program shop as each
// role that must not run it, checks each is refused (exit 1, a message, no
// Go internals) and that nothing changed, as the owner sees it.
func TestAuthorizationMatrix(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	owner := sshtest.NewKey(t, "owner")
	otherMerchant := sshtest.NewKey(t, "othermerchant")
	partnerSame := sshtest.NewKey(t, "partnersame")
	partnerOther := sshtest.NewKey(t, "partnerother")
	unknown := sshtest.NewKey(t, "unknown")
	stranger := sshtest.NewKey(t, "stranger") // a key nobody has used
	victim := sshtest.NewKey(t, "victim")     // a key nobody has used yet
	admin2 := sshtest.NewKey(t, "admin2")     // an admin key that has not connected yet
	ts := sshtest.StartWithStore(t, func(c *tui.Config, st *store.Store) {
		c.AdminKeys = []string{admin.Pub, admin2.Pub}
		c.Payouts = payouts.NewService(st, nil, nil)
	})

	// Set up: shop run by owner, other run by otherMerchant, one partner each.
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example")
	ts.OK(admin, "program", "create", "other", "--name", "Other", "--url", "https://other.example")
	ts.OK(admin, append([]string{"team", "add", "shop"}, strings.Fields(owner.Pub)...)...)
	ts.OK(admin, append([]string{"team", "add", "other"}, strings.Fields(otherMerchant.Pub)...)...)
	var a, b joinOut
	ts.OKJSON(partnerSame, &a, "join", "shop", "--name", "Sam", "--email", "sam@example.com")
	ts.OKJSON(partnerOther, &b, "join", "other", "--name", "Ola", "--email", "ola@example.com")
	ts.OK(owner, "partner", "approve", "shop", "sam@example.com")
	ts.OK(otherMerchant, "partner", "approve", "other", "ola@example.com")
	ts.OK(partnerSame, "profile", "set", "paypal", "sam-pp@example.com")
	ts.OK(owner, "coupon", "add", "shop", "SAVE", "sam@example.com")
	clickRef(t, ts.St, a.Code)
	for _, o := range []struct{ order, amount string }{{"o1", "500.00"}, {"o2", "50.00"}} {
		if _, _, err := ts.St.RecordConversion("shop", store.ConversionInput{OrderID: o.order, CustomerID: "c-" + o.order, Amount: o.amount, Currency: "USD", Kind: "sale", Ref: a.Code}); err != nil {
			t.Fatal(err)
		}
	}
	var comms []cli.CommissionJSON
	ts.OKJSON(owner, &comms, "commission", "list", "shop")
	if len(comms) != 2 {
		t.Fatalf("setup: commissions = %+v", comms)
	}
	paid, pending := itoa(comms[1].ID), itoa(comms[0].ID)
	ts.OK(owner, "commission", "approve", "shop", paid)
	var po cli.PayoutJSON
	ts.OKJSON(owner, &po, "payout", "create", "shop")
	if po.Batch == nil {
		t.Fatalf("setup: no batch: %+v", po)
	}
	batch := itoa(*po.Batch)
	var team []cli.TeamMemberJSON
	ts.OKJSON(owner, &team, "team", "list", "shop")
	var who cli.WhoamiJSON
	ts.OKJSON(owner, &who, "whoami")
	ownerID := itoa(who.UserID)
	ts.OKJSON(partnerOther, &who, "whoami")
	partnerOtherUser := itoa(who.UserID)
	samID := itoa(a.PartnerID)
	var asset struct {
		ID uint64 `json:"id"`
	}
	ts.OKJSON(owner, &asset, "asset", "add", "shop", "--title", "Post", "--text", "Buy at {link}")
	assetID := itoa(asset.ID)

	snapshot := func() map[string]string {
		t.Helper()
		snap := map[string]string{}
		for _, args := range [][]string{
			{"program", "show", "shop"}, {"partner", "list", "shop"}, {"stats", "shop"},
			{"coupon", "list", "shop"}, {"team", "list", "shop"}, {"payout", "list", "shop"},
			{"commission", "list", "shop"}, {"conversion", "list", "shop"}, {"asset", "list", "shop"},
		} {
			snap[strings.Join(args, " ")] = ts.OK(owner, append(args, "--json")...)
		}
		snap["programs"] = ts.OK(admin, "program", "list", "--json")
		n, err := ts.St.UserCount()
		if err != nil {
			t.Fatal(err)
		}
		snap["users"] = itoa(uint64(n))
		return snap
	}
	before := snapshot()

	type role struct {
		name string
		key  sshtest.Key
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
		{[]string{"program", "show", "shop"}, outsiders}, // its partners read the public part
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
		{[]string{"team", "invite", "shop"}, notMerchants},
		{[]string{"team", "remove", "shop", sshtest.FingerprintOfLine(t, stranger.Pub)}, notMerchants},
		{[]string{"team", "join", "team_00000000000000000000000000000000"}, append(notMerchants, role{"merchant of shop", owner})},
		{[]string{"key", "claim", "key_00000000000000000000000000000000"}, append(notMerchants, role{"merchant of shop", owner})},
		{append([]string{"key", "add"}, strings.Fields(stranger.Pub)...), []role{unknownR}},
		{[]string{"key", "remove", "SHA256:nothing"}, notMerchants},
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
		// Promotional assets: merchants publish and remove; approved
		// partners of shop may list them, outsiders may not.
		{[]string{"asset", "add", "shop", "--title", "Evil", "--text", "evil {link}"}, notMerchants},
		{[]string{"asset", "add", "shop", "--title", "Evil", "--file", "evil.png"}, notMerchants},
		{[]string{"asset", "remove", "shop", assetID}, notMerchants},
		{[]string{"asset", "list", "shop"}, outsiders},
		{[]string{"asset", "remove", "other", assetID}, []role{merchantOtherR}},
		// Instance admins only.
		{[]string{"backup"}, append(notMerchants, role{"merchant of shop", owner})},
	}
	for _, c := range cases {
		for _, r := range c.roles {
			res := ts.Run(r.key, c.args...)
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
	if _, err := ts.St.UserByFingerprint(sshtest.FingerprintOfLine(t, stranger.Pub)); err == nil {
		t.Error("a refused team add created a user for the key")
	}

	// The key-claim attack: a partner asks for a key that has not connected
	// yet (someone's, or an --admin-key). Nothing is attached; the attacker
	// cannot redeem the token with their own key; when the victim connects
	// they are not in the attacker's account.
	ts.Fail(partnerSame, "admin key", append([]string{"key", "add"}, strings.Fields(admin2.Pub)...)...)
	var claim map[string]string
	ts.OKJSON(partnerSame, &claim, append([]string{"key", "add"}, strings.Fields(victim.Pub)...)...)
	ts.Fail(partnerSame, "another key", "key", "claim", claim["token"])
	ts.Fail(owner, "another key", "key", "claim", claim["token"])
	var attacker, v, adm cli.WhoamiJSON
	ts.OKJSON(partnerSame, &attacker, "whoami")
	ts.OKJSON(victim, &v, "whoami")
	if v.Known || v.UserID == attacker.UserID {
		t.Errorf("the victim's key logs into the attacker's account: %+v", v)
	}
	ts.Fail(admin2, "admin key", "key", "claim", claim["token"])
	ts.OKJSON(admin2, &adm, "whoami")
	if !adm.Admin || adm.UserID == attacker.UserID {
		t.Errorf("admin key in the attacker's account: %+v", adm)
	}
	var ks []cli.KeyJSON
	ts.OKJSON(partnerSame, &ks, "key", "list")
	if len(ks) != 1 {
		t.Errorf("attacker's keys = %+v", ks)
	}
	// Team invitations: one use, redeemed only by the one running join.
	var inv map[string]string
	ts.OKJSON(owner, &inv, "team", "invite", "shop")
	ts.OK(victim, "team", "join", inv["token"], "--name", "Vic")
	ts.Fail(partnerOther, "already used", "team", "join", inv["token"])
	ts.OKJSON(victim, &v, "whoami")
	if !v.Known || v.UserID == attacker.UserID {
		t.Errorf("team join: %+v", v)
	}

	// Partners see only their own: the partner of other sees nothing of shop,
	// the partner of shop sees their own conversions but no other partner's.
	var convs []store.ConversionView
	ts.OKJSON(partnerSame, &convs, "conversion", "list", "shop")
	for _, c := range convs {
		if c.PartnerID == nil || itoa(*c.PartnerID) != samID {
			t.Errorf("partner of shop sees a conversion not theirs: %+v", c)
		}
	}
}

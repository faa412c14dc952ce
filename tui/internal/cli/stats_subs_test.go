package cli_test

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// TestCampaignsInStatsAndLinkList: stats --json breaks the window down by
// campaign sub-id (per link of the partner's own; across partners for the
// merchant),
// and link list shows each link's clicks and conversions.
func TestCampaignsInStatsAndLinkList(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	bob := sshtest.NewKey(t, "bob")
	ts := sshtest.StartWithStore(t, func(c *tui.Config, st *store.Store) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--auto-approve", "--commission", "10%")
	var ja, jb joinOut
	ts.OKJSON(alice, &ja, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	ts.OKJSON(bob, &jb, "join", "shop", "--name", "Bob", "--email", "bob@example.com")
	ts.OK(alice, "link", "create", "shop", "alice-news", "--sub", "newsletter")

	click := func(partner uint64, code, sub string) string {
		t.Helper()
		c, err := ts.St.RecordClick(context.Background(), store.ClickInput{Program: "shop", PartnerID: partner, Code: code, Sub: sub,
			IP: netip.MustParseAddr("192.0.2.7")})
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatUint(c.ID, 10)
	}
	ca := click(ja.PartnerID, "alice-news", "newsletter")
	click(ja.PartnerID, "alice-news", "newsletter")
	click(ja.PartnerID, ja.Code, "")
	cb := click(jb.PartnerID, jb.Code, "spring\x1b[31m")
	for order, id := range map[string]string{"o1": ca, "o2": cb} {
		if _, _, err := ts.St.RecordConversion("shop", store.ConversionInput{OrderID: order, CustomerID: "c-" + order,
			Amount: "100.00", Currency: "USD", Kind: "sale", ClickID: id}); err != nil {
			t.Fatal(err)
		}
	}

	type sub struct {
		PartnerID   uint64 `json:"partner_id"`
		Code        string `json:"code"`
		Sub         string `json:"sub"`
		Clicks      int64  `json:"clicks"`
		Conversions int64  `json:"conversions"`
		Revenue     string `json:"revenue"`
		Commission  string `json:"commission"`
	}
	var st struct {
		Subs []sub `json:"subs"`
	}
	ts.OKJSON(alice, &st, "stats", "shop")
	if len(st.Subs) != 1 || st.Subs[0] != (sub{ja.PartnerID, "alice-news", "newsletter", 2, 1, "100.00", "10.00"}) {
		t.Errorf("alice's stats subs = %+v", st.Subs)
	}
	st.Subs = nil // the merchant's rows omit partner_id and code: decode into fresh rows
	ts.OKJSON(admin, &st, "stats", "shop")
	if len(st.Subs) != 2 {
		t.Fatalf("merchant's stats subs = %+v, want alice's and bob's campaigns", st.Subs)
	}
	for _, s := range st.Subs {
		if s.PartnerID != 0 || s.Code != "" {
			t.Errorf("merchant's campaign %+v names a partner or code; campaigns are summed across partners", s)
		}
		if s.Sub == "newsletter" && (s.Clicks != 2 || s.Conversions != 1 || s.Commission != "10.00") {
			t.Errorf("newsletter campaign = %+v", s)
		}
	}
	if out := ts.OK(admin, "stats", "shop"); !strings.Contains(out, "newsletter") || strings.ContainsRune(out, 0x1b) {
		t.Errorf("merchant stats text lacks the campaigns or prints an escape:\n%q", out)
	}

	var links []struct {
		Code        string `json:"code"`
		Clicks      *int64 `json:"clicks"`
		Conversions *int64 `json:"conversions"`
	}
	ts.OKJSON(alice, &links, "link", "list", "shop")
	got := map[string][2]int64{}
	for _, l := range links {
		if l.Clicks == nil || l.Conversions == nil {
			t.Fatalf("link list --json %+v lacks clicks or conversions", l)
		}
		got[l.Code] = [2]int64{*l.Clicks, *l.Conversions}
	}
	if got[ja.Code] != [2]int64{1, 0} || got["alice-news"] != [2]int64{2, 1} {
		t.Errorf("link list (clicks, conversions) = %v", got)
	}
	if out := ts.OK(alice, "link", "list"); !strings.Contains(out, "CLICKS") || !strings.Contains(out, "CONVERSIONS") {
		t.Errorf("link list text lacks the figures:\n%s", out)
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func (e *env) clickSub(p *Partner, code, sub, ip string) *Click {
	e.t.Helper()
	c, err := e.st.RecordClick(context.Background(), ClickInput{Program: p.Program, PartnerID: p.ID, Code: code, Sub: sub, IP: mustAddr(ip)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func TestOccurredAtInTheFutureRefused(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	at := func(d time.Duration) string { return e.clk.Now().Add(d).Format(time.RFC3339) }
	for _, ahead := range []time.Duration{6 * time.Minute, 80 * 365 * 24 * time.Hour} {
		_, _, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "f", CustomerID: "c", Amount: "10.00",
			Currency: "USD", Kind: KindSale, Ref: p.Code, OccurredAt: at(ahead)})
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("occurred_at %s ahead: err %v, want ErrInvalid", ahead, err)
		}
	}
	st, _ := e.st.Stats(e.admin, "acme", 30)
	if st.Conversions != 0 {
		t.Fatalf("a refused conversion was counted: %+v", st)
	}
	// A sender's clock a little fast is fine.
	r := e.convert("acme", ConversionInput{OrderID: "ok", CustomerID: "c", Amount: "10.00", Ref: p.Code, OccurredAt: at(4 * time.Minute)})
	if !r.Conversion.Attributed {
		t.Fatalf("conversion 4 minutes ahead: %+v", r.Conversion)
	}
}

func TestNeverAttributedToALaterClick(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	before := e.clk.Now().Add(-time.Hour).Format(time.RFC3339)
	c := e.click(p, "203.0.113.9")
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", ClickID: fmt.Sprint(c.ID), OccurredAt: before})
	if r.Conversion.Attributed {
		t.Fatalf("a payment an hour before its click was attributed to it: %+v", r.Conversion)
	}
	// The same second as the click (RFC 3339 without a fraction) is not later.
	e.clk.Add(1500 * time.Millisecond)
	c2 := e.click(p, "203.0.113.9")
	r = e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "10.00", ClickID: fmt.Sprint(c2.ID),
		OccurredAt: c2.At.Truncate(time.Second).Format(time.RFC3339)})
	if !r.Conversion.Attributed || r.Conversion.ClickID != c2.ID || r.Conversion.Code != p.Code {
		t.Fatalf("a payment in the second of its click: %+v", r.Conversion)
	}
}

func TestReferralLifetimeForEveryField(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{CookieDays: intp(7)})
	p, pa := e.partner("acme")
	if _, err := e.st.CreateLink(pa, "acme", "by-hand", ""); err != nil {
		t.Fatal(err)
	}
	c := e.click(p, "198.51.100.1")
	t0 := c.At
	conv := func(order string, at time.Duration, in ConversionInput) *ConversionResult {
		t.Helper()
		in.OrderID, in.CustomerID, in.Amount = order, "cust-"+order, "10.00"
		in.OccurredAt = t0.Add(at).Format(time.RFC3339)
		in.Currency, in.Kind = "USD", KindSale
		r, _, err := e.st.RecordConversion("acme", in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	e.clk.Add(9 * 24 * time.Hour)
	for _, tt := range []struct {
		name string
		at   time.Duration
		in   ConversionInput
		want bool
	}{
		{"click id a day before expiry", 6 * 24 * time.Hour, ConversionInput{ClickID: fmt.Sprint(c.ID)}, true},
		{"click id a day after expiry", 8 * 24 * time.Hour, ConversionInput{ClickID: fmt.Sprint(c.ID)}, false},
		{"ref a day before expiry", 6 * 24 * time.Hour, ConversionInput{Ref: p.Code}, true},
		{"ref an hour before expiry", 7*24*time.Hour - time.Hour, ConversionInput{Ref: p.Code}, true},
		{"ref an hour after expiry", 7*24*time.Hour + time.Hour, ConversionInput{Ref: p.Code}, false},
		{"ref a day after expiry", 8 * 24 * time.Hour, ConversionInput{Ref: p.Code}, false},
		{"ref before its only click", -time.Hour, ConversionInput{Ref: p.Code}, false},
		{"expired click id and ref", 8 * 24 * time.Hour, ConversionInput{ClickID: fmt.Sprint(c.ID), Ref: p.Code}, false},
		{"a code never clicked", 8 * 24 * time.Hour, ConversionInput{Ref: "by-hand"}, false},
	} {
		r := conv(tt.name, tt.at, tt.in)
		if r.Conversion.Attributed != tt.want {
			t.Errorf("%s: attributed = %v, want %v (%+v)", tt.name, r.Conversion.Attributed, tt.want, r.Conversion)
		}
	}
}

func TestCampaignBreakdown(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{Commission: "10%", HoldDays: intp(0)})
	a, aa := e.partner("acme")
	b, ba := e.partner("acme")
	if _, err := e.st.CreateLink(aa, "acme", "a-news", ""); err != nil {
		t.Fatal(err)
	}
	ca := e.clickSub(a, "a-news", "newsletter", "192.0.2.1")
	e.clickSub(a, "a-news", "newsletter", "192.0.2.2")
	e.clickSub(a, a.Code, "", "192.0.2.3")
	cb := e.clickSub(b, b.Code, "newsletter", "192.0.2.4")
	e.clk.Add(time.Hour)
	e.convert("acme", ConversionInput{OrderID: "1", CustomerID: "x", Amount: "100.00", ClickID: fmt.Sprint(ca.ID)})
	e.convert("acme", ConversionInput{OrderID: "2", CustomerID: "y", Amount: "50.00", ClickID: fmt.Sprint(cb.ID)})
	// a-news was clicked within the lifetime (above): its ref attributes.
	if _, _, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "3", CustomerID: "z", Amount: "20.00", Currency: "USD", Kind: KindSale, Ref: "a-news"}); err != nil {
		t.Fatal(err)
	}
	e.refund("acme", "r1", "1", "40.00")
	// A renewal of customer x counts for the campaign x came through.
	if r := e.convert("acme", ConversionInput{OrderID: "1b", CustomerID: "x", Amount: "30.00", Kind: KindRenewal}); r.Conversion.Code != "a-news" || r.Conversion.Sub != "newsletter" {
		t.Errorf("renewal came through %q/%q, want a-news/newsletter", r.Conversion.Code, r.Conversion.Sub)
	}

	st, err := e.st.Stats(aa, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	want := []SubStats{{PartnerID: a.ID, Code: "a-news", Sub: "newsletter", Clicks: 2, Conversions: 2, Revenue: dec("90"), Commission: dec("9")}}
	if !sameSubs(st.Subs, want) {
		t.Errorf("partner A's campaigns = %+v, want %+v", st.Subs, want)
	}
	st, _ = e.st.Stats(ba, "acme", 30)
	want = []SubStats{{PartnerID: b.ID, Code: b.Code, Sub: "newsletter", Clicks: 1, Conversions: 1, Revenue: dec("50"), Commission: dec("5")}}
	if !sameSubs(st.Subs, want) {
		t.Errorf("partner B's campaigns = %+v, want %+v", st.Subs, want)
	}
	st, _ = e.st.Stats(e.admin, "acme", 30)
	want = []SubStats{{Sub: "newsletter", Clicks: 3, Conversions: 3, Revenue: dec("140"), Commission: dec("14")}}
	if !sameSubs(st.Subs, want) {
		t.Errorf("merchant's campaigns = %+v, want %+v", st.Subs, want)
	}

	page, err := e.st.PartnerLinks(aa, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, l := range page.Links {
		got[l.Code] = [2]int64{l.Clicks, l.Conversions}
	}
	if got[a.Code] != [2]int64{1, 0} || got["a-news"] != [2]int64{2, 3} || len(got) != 2 {
		t.Errorf("link stats (clicks, conversions) = %v, want %s 1/0 and a-news 2/3", got, a.Code)
	}
}

func sameSubs(got, want []SubStats) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.PartnerID != w.PartnerID || g.Code != w.Code || g.Sub != w.Sub || g.Clicks != w.Clicks ||
			g.Conversions != w.Conversions || !g.Revenue.Equal(w.Revenue) || !g.Commission.Equal(w.Commission) {
			return false
		}
	}
	return true
}

package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestConversionLifecycle(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{Commission: "20%"})
	p, pa := e.partner("acme")
	c := e.click(p, "203.0.113.5")
	e.clk.Add(time.Minute)
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "49.90", ClickID: fmt.Sprint(c.ID)})
	if !r.Conversion.Attributed || r.Conversion.PartnerID != p.ID || r.Commission == nil {
		t.Fatalf("not attributed: %+v", r)
	}
	if r.Commission.Amount.String() != "9.98" || r.Commission.Status != CommissionPending || len(r.Commission.Flags) != 0 {
		t.Fatalf("commission %+v", r.Commission)
	}
	e.check()
	st, err := e.st.Stats(pa, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if st.Clicks != 1 || st.UniqueClicks != 1 || st.Conversions != 1 || st.Revenue.String() != "49.9" || st.Commission.String() != "9.98" {
		t.Fatalf("partner stats %+v", st)
	}
	e.wantBalance(st.Balance, "9.98", "0", "0", "0", "0")

	// The hold ends: reads show it approved without any job having run.
	e.clk.Add(30 * 24 * time.Hour)
	e.wantBalance(e.balance(pa, "acme"), "0", "9.98", "0", "0", "0")
	e.wantBalance(e.balance(e.admin, "acme"), "0", "9.98", "0", "0", "0")
	list, _ := e.st.ListCommissions(pa, "acme", "", 0)
	if len(list) != 1 || list[0].Status != CommissionApproved {
		t.Fatalf("commission list %+v", list)
	}
	if n, err := e.st.PromoteMatured(); err != nil || n != 1 {
		t.Fatalf("promote %d %v", n, err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "9.98", "0", "0", "0")
}

func TestConversionIdempotency(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	in := ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", Currency: "USD", Kind: "sale", Ref: p.Code}
	r1, created, err := e.st.RecordConversion("acme", in)
	if err != nil || !created {
		t.Fatal(err, created)
	}
	in.Amount = "10.0" // the same decimal
	r2, created, err := e.st.RecordConversion("acme", in)
	if err != nil || created || r2.Conversion.ID != r1.Conversion.ID {
		t.Fatalf("repeat: %v %v %+v", err, created, r2)
	}
	in.Amount = "11.00"
	if _, _, err := e.st.RecordConversion("acme", in); !errors.Is(err, ErrConflict) {
		t.Fatalf("other content: %v", err)
	}
}

func TestConcurrentSameOrder(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	var wg sync.WaitGroup
	var mu sync.Mutex
	createdN := 0
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, created, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "same", CustomerID: "c", Amount: "5.00", Currency: "USD", Kind: "sale", Ref: p.Code})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if created {
				createdN++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	list, _ := e.st.ListConversions(e.admin, "acme", 0)
	if createdN != 1 || len(list) != 1 {
		t.Fatalf("created %d, conversions %d", createdN, len(list))
	}
}

func TestInvalidConversionsWriteNothing(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	for _, in := range []ConversionInput{
		{OrderID: "", CustomerID: "c", Amount: "1.00", Currency: "USD", Kind: "sale"},
		{OrderID: "o", CustomerID: "", Amount: "1.00", Currency: "USD", Kind: "sale"},
		{OrderID: "o", CustomerID: "c", Amount: "0", Currency: "USD", Kind: "sale"},
		{OrderID: "o", CustomerID: "c", Amount: "-1.00", Currency: "USD", Kind: "sale"},
		{OrderID: "o", CustomerID: "c", Amount: "1.001", Currency: "USD", Kind: "sale"},
		{OrderID: "o", CustomerID: "c", Amount: "1.00", Currency: "EUR", Kind: "sale"},
		{OrderID: "o", CustomerID: "c", Amount: "1.00", Currency: "USD", Kind: "refund"},
		{OrderID: "o", CustomerID: "c", Amount: "1.00", Currency: "USD", Kind: "sale", OccurredAt: "yesterday"},
		{OrderID: "o", CustomerID: "c", Amount: "1.00", Currency: "USD", Kind: "sale", ClickID: "abc"},
	} {
		if _, _, err := e.st.RecordConversion("acme", in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", in, err)
		}
	}
	list, _ := e.st.ListConversions(e.admin, "acme", 0)
	if len(list) != 0 {
		t.Fatalf("%d conversions written", len(list))
	}
}

func TestTierBoundaryThroughLedger(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{Commission: "20%; 10:25%; 25:30%", HoldDays: intp(0)})
	p, _ := e.partner("acme")
	var last *ConversionResult
	for i := 1; i <= 10; i++ {
		last = e.convert("acme", ConversionInput{OrderID: fmt.Sprint("o", i), CustomerID: fmt.Sprint("c", i), Amount: "100.00", Ref: p.Code})
		if i == 9 && last.Commission.Amount.String() != "20" {
			t.Fatalf("9th customer: %s", last.Commission.Amount)
		}
	}
	if last.Commission.Amount.String() != "25" {
		t.Fatalf("10th customer: %s", last.Commission.Amount)
	}
	// A second payment of an existing customer does not count them again.
	r := e.convert("acme", ConversionInput{OrderID: "o11", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	if r.Commission.Amount.String() != "25" {
		t.Fatalf("repeat customer: %s", r.Commission.Amount)
	}
}

func TestRecurringWindowThroughLedger(t *testing.T) {
	e := newEnv(t)
	e.program("subs", ProgramInput{Commission: "20%", RecurringMonths: "2", RenewalRate: "10%"})
	p, _ := e.partner("subs")
	first := e.clk.Now()
	e.convert("subs", ConversionInput{OrderID: "i1", CustomerID: "cus", Amount: "30.00", Ref: p.Code, OccurredAt: first.Format(time.RFC3339)})
	e.clk.Add(AddMonths(first, 2).Sub(first)) // renewals are reported when they happen, never ahead
	r := e.convert("subs", ConversionInput{OrderID: "i2", CustomerID: "cus", Amount: "30.00", Kind: "renewal", OccurredAt: AddMonths(first, 2).Add(-time.Second).Format(time.RFC3339)})
	if !r.Conversion.Attributed || r.Commission == nil || r.Commission.Amount.String() != "3" {
		t.Fatalf("renewal inside window: %+v %+v", r.Conversion, r.Commission)
	}
	r = e.convert("subs", ConversionInput{OrderID: "i3", CustomerID: "cus", Amount: "30.00", Kind: "renewal", OccurredAt: AddMonths(first, 2).Format(time.RFC3339)})
	if !r.Conversion.Attributed || r.Commission != nil {
		t.Fatalf("renewal at the boundary earned: %+v", r.Commission)
	}
}

func TestPartialRefundsSumToSale(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p, pa := e.partner("acme")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	tests := []struct{ id, amount, reversed string }{
		{"r1", "33.33", "6.67"}, // round(20 × 33.33/100) = 6.666 → 6.67
		{"r2", "33.33", "6.66"}, // cumulative 66.66 → 13.33
		{"r3", "33.34", "6.67"}, // cumulative 100 → 20.00
	}
	for _, tt := range tests {
		r := e.refund("acme", tt.id, "o1", tt.amount)
		if !r.Reversed.Equal(dec(tt.reversed)) {
			t.Fatalf("%s reversed %s, want %s", tt.id, r.Reversed, tt.reversed)
		}
		e.check()
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "0", "0", "0")
	list, _ := e.st.ListCommissions(e.admin, "acme", "", 0)
	if list[0].Status != CommissionReversed || !list[0].Reversed.Equal(dec("20")) {
		t.Fatalf("%+v", list[0])
	}
	if _, _, err := e.st.RecordRefund("acme", RefundInput{RefundID: "r4", OrderID: "o1", Amount: "0.01"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("refund beyond the sale: %v", err)
	}
	// Same refund id again: harmless.
	if _, created, err := e.st.RecordRefund("acme", RefundInput{RefundID: "r1", OrderID: "o1", Amount: "33.33"}); err != nil || created {
		t.Fatalf("repeat: %v %v", err, created)
	}
	if _, _, err := e.st.RecordRefund("acme", RefundInput{RefundID: "r5", OrderID: "nope"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}
}

func TestRefundRoundingJPYandKWD(t *testing.T) {
	e := newEnv(t)
	e.program("jp", ProgramInput{Currency: "JPY", Commission: "15%", HoldDays: intp(0), MinPayout: "5000"})
	e.program("kw", ProgramInput{Currency: "KWD", Commission: "12.5%", HoldDays: intp(0)})
	pj, _ := e.partner("jp")
	pk, _ := e.partner("kw")
	r := e.convert("jp", ConversionInput{OrderID: "j1", CustomerID: "c", Amount: "9999", Currency: "JPY", Ref: pj.Code})
	if r.Commission.Amount.String() != "1500" { // 1499.85 → 1500
		t.Fatalf("JPY commission %s", r.Commission.Amount)
	}
	if rf := e.refund("jp", "jr", "j1", "3333"); rf.Reversed.String() != "500" { // 1500×3333/9999 = 500
		t.Fatalf("JPY reversal %s", rf.Reversed)
	}
	r = e.convert("kw", ConversionInput{OrderID: "k1", CustomerID: "c", Amount: "10.005", Currency: "KWD", Ref: pk.Code})
	if r.Commission.Amount.String() != "1.251" { // 1.250625 → 1.251
		t.Fatalf("KWD commission %s", r.Commission.Amount)
	}
	if rf := e.refund("kw", "kr", "k1", "5.000"); rf.Reversed.String() != "0.625" { // 1.251×5/10.005 = 0.62518…
		t.Fatalf("KWD reversal %s", rf.Reversed)
	}
}

func TestClawbackNettedByNextPayout(t *testing.T) {
	e := newEnv(t)
	p, pa := e.payable()
	b, skipped, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil || len(b.Items) != 1 || b.Total.String() != "20" || len(skipped) != 0 {
		t.Fatalf("batch %+v %v %v", b, skipped, err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "20", "0", "0")
	// A second batch right away finds nothing to pay.
	if b2, _, err := e.st.CreatePayoutBatch(e.admin, "acme"); err != nil || b2 != nil {
		t.Fatalf("second batch %+v %v", b2, err)
	}
	if _, err := e.st.MarkBatchPaid(e.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "0", "20", "0")
	e.check()

	// Refund after payment: a clawback.
	rf := e.refund("acme", "r1", "o1", "50.00")
	if rf.Clawback.String() != "10" {
		t.Fatalf("clawback %s", rf.Clawback)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "0", "20", "10")
	e.check()

	// Next earnings: the batch nets the clawback out.
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "150.00", Ref: p.Code})
	b, _, err = e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil || b.Items[0].Amount.String() != "20" {
		t.Fatalf("netted batch %+v %v", b, err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "20", "20", "0")
	e.check()
	if _, err := e.st.MarkBatchPaid(e.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "0", "0", "40", "0")
	e.check()
}

func TestNegativeBalanceGetsNoItem(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "1.00"})
	p, pa := e.partner("acme")
	e.st.SetProfile(pa, "paypal", "pay@partners.test", "")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	b, _, _ := e.st.CreatePayoutBatch(e.admin, "acme")
	e.st.MarkBatchPaid(e.admin, b.ID)
	e.refund("acme", "r1", "o1", "")
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00", Ref: p.Code})
	b, skipped, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b != nil || len(skipped) != 1 || skipped[0].Balance.String() != "-10" {
		t.Fatalf("batch %+v skipped %+v err %v", b, skipped, err)
	}
}

func TestFailedItemReturnsCommissions(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "1.00"})
	p, pa := e.partner("acme")
	e.st.SetProfile(pa, "wise", "w@partners.test", "EUR")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	b, _, _ := e.st.CreatePayoutBatch(e.admin, "acme")
	if b.Items[0].Method != "wise" || b.Items[0].Target != "EUR" {
		t.Fatalf("item %+v", b.Items[0])
	}
	// A refund while in the payout, then the payout fails.
	e.refund("acme", "r1", "o1", "10.00")
	e.check()
	b, err := e.st.SetItemStatus(e.admin, b.ID, b.Items[0].ID, ItemFailed, "", "RECEIVER_UNREGISTERED")
	if err != nil || b.Status != BatchFailed {
		t.Fatalf("%+v %v", b, err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "18", "0", "0", "0")
	e.check()
	if _, err := e.st.SetItemStatus(e.admin, b.ID, b.Items[0].ID, ItemPaid, "", ""); !errors.Is(err, ErrConflict) {
		t.Fatalf("failed item paid later: %v", err)
	}
}

func TestAttributionOrder(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	a, _ := e.partner("acme")
	b, _ := e.partner("acme")
	c, _ := e.partner("acme")
	if _, err := e.st.AddCoupon(e.admin, "acme", "save10", a.ID); err != nil {
		t.Fatal(err)
	}
	click := e.click(b, "198.51.100.7")
	e.clk.Add(time.Hour)
	r := e.convert("acme", ConversionInput{OrderID: "1", CustomerID: "x", Amount: "10.00", Coupon: "SAVE10", ClickID: fmt.Sprint(click.ID), Ref: c.Code})
	if r.Conversion.PartnerID != a.ID || r.Conversion.Via != "coupon" {
		t.Fatalf("coupon first: %+v", r.Conversion)
	}
	r = e.convert("acme", ConversionInput{OrderID: "2", CustomerID: "y", Amount: "10.00", ClickID: fmt.Sprint(c.Code, ".", click.ID), Ref: c.Code})
	if r.Conversion.PartnerID != b.ID || r.Conversion.ClickID != click.ID {
		t.Fatalf("click second: %+v", r.Conversion)
	}
	r = e.convert("acme", ConversionInput{OrderID: "3", CustomerID: "z", Amount: "10.00", Ref: c.Code})
	if r.Conversion.PartnerID != c.ID {
		t.Fatalf("ref third: %+v", r.Conversion)
	}
	// Renewal of customer y goes to b whatever else it carries.
	r = e.convert("acme", ConversionInput{OrderID: "4", CustomerID: "y", Amount: "10.00", Kind: "renewal", Ref: c.Code})
	if r.Conversion.PartnerID != b.ID {
		t.Fatalf("renewal: %+v", r.Conversion)
	}
	// The bound customer comes back with nothing: their partner.
	r = e.convert("acme", ConversionInput{OrderID: "5", CustomerID: "z", Amount: "10.00"})
	if r.Conversion.PartnerID != c.ID {
		t.Fatalf("bound customer: %+v", r.Conversion)
	}
	// An expired click does not attribute.
	e.clk.Add(31 * 24 * time.Hour)
	r = e.convert("acme", ConversionInput{OrderID: "6", CustomerID: "new", Amount: "10.00", ClickID: fmt.Sprint(click.ID)})
	if r.Conversion.Attributed || r.Commission != nil {
		t.Fatalf("expired click attributed: %+v", r.Conversion)
	}
	st, _ := e.st.Stats(e.admin, "acme", 60)
	if st.Conversions != 6 {
		t.Fatalf("unattributed conversions count in program stats: %d", st.Conversions)
	}
}

func TestFirstClickKeepsPartner(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	if _, err := e.st.SetProgram(e.admin, "acme", "attribution", FirstClick); err != nil {
		t.Fatal(err)
	}
	a, _ := e.partner("acme")
	b, _ := e.partner("acme")
	e.convert("acme", ConversionInput{OrderID: "1", CustomerID: "x", Amount: "10.00", Ref: a.Code})
	r := e.convert("acme", ConversionInput{OrderID: "2", CustomerID: "x", Amount: "10.00", Ref: b.Code})
	if r.Conversion.PartnerID != a.ID {
		t.Fatalf("first-click lost the customer: %+v", r.Conversion)
	}
}

func TestFraudFlagsHoldCommission(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(1)})
	e.st.SetProgram(e.admin, "acme", "paid-ads", "forbid")
	p, _ := e.partner("acme")
	for range 22 {
		e.click(p, "192.0.2.1")
		e.clk.Add(time.Second)
	}
	c, _ := e.st.RecordClick(t.Context(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: mustAddr("192.0.2.1"), PaidAds: true})
	r := e.convert("acme", ConversionInput{OrderID: "1", CustomerID: "x", Amount: "10.00", ClickID: fmt.Sprint(c.ID), CustomerEmail: p.Email})
	want := []string{FlagSelfReferral, FlagPaidAds, FlagFastConvert, FlagClickFlood}
	if fmt.Sprint(r.Commission.Flags) != fmt.Sprint(want) {
		t.Fatalf("flags %v, want %v", r.Commission.Flags, want)
	}
	e.clk.Add(48 * time.Hour)
	list, _ := e.st.ListCommissions(e.admin, "acme", "", 0)
	if list[0].Status != CommissionPending {
		t.Fatalf("flagged commission approved by the hold: %s", list[0].Status)
	}
	if _, err := e.st.ApproveCommissionWith(e.admin, "acme", list[0].ID, true); err != nil {
		t.Fatal(err)
	}
	list, _ = e.st.ListCommissions(e.admin, "acme", CommissionApproved, 0)
	if len(list) != 1 {
		t.Fatal("merchant approval did not take")
	}
}

func TestUnapprovedPartnerNotAttributed(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	u, _ := e.st.CreateUser("Pat", "pat@x.test", "SHA256:pat", "k")
	p, err := e.st.Join(Actor{UserID: u.ID}, "acme", "")
	if err != nil || p.Status != PartnerPending {
		t.Fatalf("%+v %v", p, err)
	}
	r := e.convert("acme", ConversionInput{OrderID: "1", CustomerID: "x", Amount: "10.00", Ref: p.Code})
	if r.Conversion.Attributed {
		t.Fatal("pending partner attributed")
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p, pa := e.partner("acme")
	c := e.click(p, "203.0.113.9")
	e.clk.Add(time.Minute)
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "80.00", ClickID: fmt.Sprint(c.ID)})
	e.restart()
	e.refund("acme", "r1", "o1", "40.00")
	e.restart()
	st, err := e.st.Stats(pa, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if st.Clicks != 1 || st.Conversions != 1 || st.Revenue.String() != "40" || st.Commission.String() != "8" {
		t.Fatalf("after restart %+v", st)
	}
	e.wantBalance(st.Balance, "0", "8", "0", "0", "0")
	c2 := e.click(p, "203.0.113.9")
	if c2.ID <= c.ID {
		t.Fatalf("click ids went back: %d after %d", c2.ID, c.ID)
	}
}

func TestAPIKeyAndPermissions(t *testing.T) {
	e := newEnv(t)
	_, key, err := e.st.CreateProgram(e.admin, ProgramInput{Slug: "acme", Name: "Acme", URL: "https://acme.test"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := e.st.ProgramByAPIKey(key); err != nil || p.Slug != "acme" {
		t.Fatal(err)
	}
	if _, err := e.st.ProgramByAPIKey(key + "x"); !errors.Is(err, ErrForbidden) {
		t.Fatal("bad key accepted")
	}
	newKey, _ := e.st.RotateAPIKey(e.admin, "acme")
	if _, err := e.st.ProgramByAPIKey(key); err == nil {
		t.Fatal("old key still works")
	}
	if _, err := e.st.ProgramByAPIKey(newKey); err != nil {
		t.Fatal(err)
	}
	_, pa := e.partner("acme")
	if _, _, err := e.st.CreateProgram(pa, ProgramInput{Slug: "mine", URL: "https://m.test"}, false); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner created a program: %v", err)
	}
	if _, err := e.st.ListPartners(pa, "acme", ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner listed partners: %v", err)
	}
	if _, err := e.st.SetProgram(pa, "acme", "name", "Hacked"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner changed settings: %v", err)
	}
	m, _, err := e.st.CreateProgram(pa, ProgramInput{Slug: "mine", URL: "https://m.test"}, true)
	if err != nil || m.Admins[0] != pa.UserID {
		t.Fatalf("open signup: %v", err)
	}
	if _, err := e.st.Stats(pa, "mine", 7); err != nil {
		t.Fatal(err)
	}
}

func TestBackupOpens(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p, _ := e.partner("acme")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", Ref: p.Code})
	dir := t.TempDir()
	f, _ := createFile(dir + "/" + DBFile)
	if _, err := e.st.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st2, err := Open(dir, Options{Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	s, err := st2.Stats(e.admin, "acme", 30)
	if err != nil || s.Conversions != 1 {
		t.Fatalf("%+v %v", s, err)
	}
}

func TestProviderRepeatAttributesLater(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p, _ := e.partner("acme")
	c := e.click(p, "203.0.113.20")
	e.clk.Add(time.Minute)
	// invoice.paid first: no click.
	r := e.convert("acme", ConversionInput{OrderID: "in_1", CustomerID: "cus_1", Amount: "20.00", Provider: "stripe", Aliases: []string{"pi_1"}})
	if r.Conversion.Attributed {
		t.Fatal("attributed without a click")
	}
	// checkout.session.completed next: the same payment with the click.
	r2, created, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "in_1", CustomerID: "cus_1", Amount: "20.00", Currency: "USD", Kind: "sale",
		Provider: "stripe", ClickID: fmt.Sprint(c.ID), Aliases: []string{"cs_1"}})
	if err != nil || created || !r2.Conversion.Attributed || r2.Commission == nil || r2.Commission.Amount.String() != "4" {
		t.Fatalf("later attribution: %v %v %+v", err, created, r2)
	}
	if _, _, err := e.st.RecordRefund("acme", RefundInput{RefundID: "re", OrderID: "cs_1", Amount: "20.00", Cumulative: true}); err != nil {
		t.Fatal(err)
	}
	st, _ := e.st.Stats(e.admin, "acme", 30)
	if st.Conversions != 1 || !st.Commission.IsZero() || !st.Revenue.IsZero() {
		t.Fatalf("%+v", st)
	}
}

func TestTrialBindsCustomer(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), RecurringMonths: "12"})
	p, _ := e.partner("acme")
	c := e.click(p, "203.0.113.21")
	if err := e.st.BindCustomer("acme", "cus_t", fmt.Sprint(c.ID)); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(14 * 24 * time.Hour)
	r := e.convert("acme", ConversionInput{OrderID: "in_t1", CustomerID: "cus_t", Amount: "30.00", Kind: "renewal"})
	if r.Conversion.PartnerID != p.ID || r.Commission == nil || r.Commission.Amount.String() != "6" {
		t.Fatalf("first payment after trial: %+v %+v", r.Conversion, r.Commission)
	}
}

func TestSetItemStatusesInOneTransaction(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "1.00"})
	var items []uint64
	for range 3 {
		p, pa := e.partner("acme")
		e.st.SetProfile(pa, "paypal", fmt.Sprintf("pay%d@x.test", p.ID), "")
		e.convert("acme", ConversionInput{OrderID: fmt.Sprint("o", p.ID), CustomerID: fmt.Sprint("c", p.ID), Amount: "10.00", Ref: p.Code})
	}
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || len(b.Items) != 3 {
		t.Fatal(err)
	}
	for _, it := range b.Items {
		items = append(items, it.ID)
	}
	b, err = e.st.SetItemStatuses(e.admin, b.ID, []ItemUpdate{{ItemID: items[0], Status: ItemPaid}, {ItemID: items[1], Status: ItemPaid}, {ItemID: items[2], Status: ItemFailed, Err: "RECEIVER_UNREGISTERED"}})
	if err != nil || b.Status != BatchPartial || b.Error != "" {
		t.Fatalf("%+v %v", b, err)
	}
	if _, err := e.st.SetItemStatuses(e.admin, b.ID, []ItemUpdate{{ItemID: 99, Status: ItemPaid}}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown item: %v", err)
	}
	if _, err := e.st.SetItemStatuses(e.admin, b.ID, []ItemUpdate{{ItemID: items[0], Status: "weird"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad status: %v", err)
	}
	e.wantBalance(e.balance(e.admin, "acme"), "0", "2", "0", "4", "0")
}

func TestClawbackOfInFlightCommissionWaitsForItsPayout(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "1.00"})
	p, pa := e.partner("acme")
	e.st.SetProfile(pa, "paypal", "pay@partners.test", "")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	b1, _, _ := e.st.CreatePayoutBatch(e.admin, "acme")
	e.refund("acme", "r1", "o1", "50.00") // commission in flight: a clawback of 10
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "100.00", Ref: p.Code})
	b2, _, _ := e.st.CreatePayoutBatch(e.admin, "acme")
	if b2 == nil || b2.Items[0].Amount.String() != "20" || len(b2.Items[0].Clawbacks) != 0 {
		t.Fatalf("second batch netted a clawback of a commission still in flight: %+v", b2)
	}
	// The first payout fails: the commission comes back reduced, no clawback left.
	if _, err := e.st.SetItemStatus(e.admin, b1.ID, b1.Items[0].ID, ItemFailed, "", "RETURNED"); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(e.balance(pa, "acme"), "0", "10", "20", "0", "0")
	e.check()
}

func TestSignUpIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	before, _ := e.st.UserCount()
	if _, _, err := e.st.SignUp("Ann", "ann@x.test", "SHA256:new", "k", "acme", "inv_bogus"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad token: %v", err)
	}
	if _, _, err := e.st.SignUp("Ann", "ann@x.test", "SHA256:new", "k", "nope", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown program: %v", err)
	}
	if after, _ := e.st.UserCount(); after != before {
		t.Fatalf("a refused sign-up left %d accounts behind", after-before)
	}
	tok, _ := e.st.CreateInvite(e.admin, "acme")
	u, p, err := e.st.SignUp("Ann", "ann@x.test", "SHA256:new", "k", "acme", tok)
	if err != nil || p.Status != PartnerApproved || p.UserID != u.ID {
		t.Fatalf("%+v %v", p, err)
	}
	u2, _ := e.st.CreateUser("Bo", "bo@x.test", "SHA256:bo", "k")
	if _, err := e.st.Join(Actor{UserID: u2.ID}, "acme", tok); !errors.Is(err, ErrInvalid) {
		t.Fatalf("invite used twice: %v", err)
	}
}

func TestDayCountersByStatus(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(2), MinPayout: "1.00"})
	p, pa := e.partner("acme")
	e.st.SetProfile(pa, "paypal", "pay@partners.test", "")
	day1 := e.clk.Now()
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	e.clk.Add(24 * time.Hour)
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00", Ref: p.Code})
	e.clk.Add(30 * time.Hour) // o1's hold is over, o2's is not
	st, _ := e.st.Stats(pa, "acme", 3)
	d1, d2 := st.Daily[0], st.Daily[1]
	if dayKey(d1.Day) != dayKey(day1) || d1.Status.Approved.String() != "20" || !d1.Status.Pending.IsZero() ||
		d2.Status.Pending.String() != "10" || !d2.Status.Approved.IsZero() {
		t.Fatalf("day status sums: %+v / %+v", d1.Status, d2.Status)
	}
	b, _, _ := e.st.CreatePayoutBatch(e.admin, "acme")
	e.st.MarkBatchPaid(e.admin, b.ID)
	e.refund("acme", "r1", "o1", "50.00")
	st, _ = e.st.Stats(e.admin, "acme", 3)
	if st.Daily[0].Status.Paid.String() != "20" || st.Daily[2].Status.Clawback.String() != "10" || st.Daily[1].Status.Pending.String() != "10" {
		t.Fatalf("after payout and refund: %+v %+v %+v", st.Daily[0].Status, st.Daily[1].Status, st.Daily[2].Status)
	}
}

func TestGroupCommitIsolatesFailures(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p, _ := e.partner("acme")
	e.convert("acme", ConversionInput{OrderID: "taken", CustomerID: "c", Amount: "1.00", Ref: p.Code})
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := ConversionInput{OrderID: fmt.Sprint("o", i), CustomerID: fmt.Sprint("c", i), Amount: "10.00", Currency: "USD", Kind: "sale", Ref: p.Code}
			if i%10 == 0 {
				in.OrderID, in.Amount = "taken", "2.00" // conflicts inside the group
			}
			_, _, errs[i] = e.st.RecordConversion("acme", in)
		}()
		if i%3 == 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.click(p, fmt.Sprintf("198.51.100.%d", i%250))
			}()
		}
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != errors.Is(err, ErrConflict) {
			t.Fatalf("conversion %d: %v", i, err)
		}
	}
	st, _ := e.st.Stats(e.admin, "acme", 1)
	// 67 clicks here and the one the first ref conversion follows (env.refClick)
	if st.Conversions != 181 || st.Clicks != 68 || st.Balance.Approved.String() != "360.2" {
		t.Fatalf("after the groups: %d conversions, %d clicks, approved %s", st.Conversions, st.Clicks, st.Balance.Approved)
	}
}

func TestPartnerOverrideRatesPayments(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{Commission: "20%", HoldDays: intp(0)})
	p, _ := e.partner("acme")
	if _, err := e.st.SetPartnerPlan(e.admin, "acme", p.ID, "12.5%; 2:30%"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetPartnerPlan(e.admin, "acme", p.ID, "abc"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad plan: %v", err)
	}
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", Ref: p.Code})
	if r.Commission.Amount.String() != "1.25" { // 12.5% of 10.00; the bad plan changed nothing
		t.Fatalf("override: %s", r.Commission.Amount)
	}
	r = e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "10.00", Ref: p.Code})
	if r.Commission.Amount.String() != "3" { // the 2nd customer: 30%
		t.Fatalf("override tier: %s", r.Commission.Amount)
	}
	if _, err := e.st.SetPartnerPlan(e.admin, "acme", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	r = e.convert("acme", ConversionInput{OrderID: "o3", CustomerID: "c3", Amount: "10.00", Ref: p.Code})
	if r.Commission.Amount.String() != "2" {
		t.Fatalf("program plan back: %s", r.Commission.Amount)
	}
}

package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// Two clicks and six orders, one of them referred: the conversion rate is
// one referred conversion per two clicks, not 300%.
func TestStatsReferredConversions(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, pa := e.partner("acme")
	c1 := e.click(p, "192.0.2.1")
	e.click(p, "192.0.2.2")
	e.clk.Add(time.Minute)
	e.convert("acme", ConversionInput{OrderID: "ref-1", CustomerID: "c1", Amount: "100.00", ClickID: fmt.Sprint(c1.ID)})
	for i := range 5 {
		e.convert("acme", ConversionInput{OrderID: fmt.Sprintf("walk-in-%d", i), CustomerID: "w", Amount: "10.00"})
	}
	e.refund("acme", "r1", "ref-1", "40.00")
	e.refund("acme", "r2", "walk-in-0", "10.00")
	st, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if st.Conversions != 6 || st.ReferredConversions != 1 {
		t.Fatalf("conversions %d referred %d, want 6 and 1", st.Conversions, st.ReferredConversions)
	}
	if !st.Revenue.Equal(dec("100")) || !st.ReferredRevenue.Equal(dec("60")) {
		t.Fatalf("revenue %s referred %s, want 100 (150 - 50 refunded) and 60", st.Revenue, st.ReferredRevenue)
	}
	if !st.ConversionRate().Equal(dec("0.5")) {
		t.Fatalf("conversion rate %s, want 0.5 (1 referred conversion / 2 clicks)", st.ConversionRate())
	}
	if !st.EPC().Equal(dec("6")) { // 20% of 100, 8 reversed by the refund = 12, per 2 clicks
		t.Fatalf("EPC %s, want 6", st.EPC())
	}
	ps, err := e.st.Stats(pa, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if ps.Conversions != 1 || ps.ReferredConversions != 1 || !ps.ReferredRevenue.Equal(dec("60")) {
		t.Fatalf("partner: conversions %d referred %d revenue %s", ps.Conversions, ps.ReferredConversions, ps.ReferredRevenue)
	}
	var daySum int64
	for _, d := range st.Daily {
		daySum += d.Referred
	}
	if daySum != 1 {
		t.Fatalf("daily referred add up to %d, want 1", daySum)
	}
}

func TestApproveFlaggedNeedsOverride(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, pa := e.partner("acme")
	c := e.click(p, "192.0.2.1")
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "50.00", ClickID: fmt.Sprint(c.ID)})
	if !slices.Contains(r.Commission.Flags, FlagFastConvert) {
		t.Fatalf("flags %v, want fast_conversion", r.Commission.Flags)
	}
	id := r.Commission.ID
	_, err := e.st.ApproveCommission(e.admin, "acme", id)
	var fe *FlaggedError
	if !errors.As(err, &fe) || !errors.Is(err, ErrConflict) || !slices.Contains(fe.Flags, FlagFastConvert) {
		t.Fatalf("approve flagged without override: %v, want a FlaggedError naming fast_conversion", err)
	}
	if cs, _ := e.st.ListCommissions(e.admin, "acme", CommissionPending, 0); len(cs) != 1 {
		t.Fatalf("the refused approval changed the commission: %d pending", len(cs))
	}
	// The partner sees "under review", never the rule.
	cs, err := e.st.ListCommissions(pa, "acme", "", 0)
	if err != nil || len(cs) != 1 || !slices.Equal(cs[0].Flags, []string{FlagUnderReview}) {
		t.Fatalf("partner's commissions %+v %v, want flags [under_review]", cs, err)
	}
	convs, err := e.st.ListConversions(pa, "acme", 0)
	if err != nil || len(convs) != 1 || !slices.Equal(convs[0].Commission.Flags, []string{FlagUnderReview}) {
		t.Fatalf("partner's conversions %+v %v, want flags [under_review]", convs, err)
	}
	m, err := e.st.ApproveCommissionWith(e.admin, "acme", id, true)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != CommissionApproved || m.DecidedBy != e.admin.UserID || !m.OverrodeFlags || !m.EarlyApproval || m.DecidedAt.IsZero() {
		t.Fatalf("approved with override: %+v, want the decision recorded (who, override, early)", m)
	}
	cs, _ = e.st.ListCommissions(pa, "acme", "", 0)
	if len(cs[0].Flags) != 0 || cs[0].OverrodeFlags || cs[0].DecidedBy != 0 {
		t.Fatalf("partner sees the review record: %+v", cs[0])
	}
	// An unflagged commission approved after its hold is not early.
	r2 := e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00", Ref: p.Code})
	e.clk.Add(31 * 24 * time.Hour)
	if m, err := e.st.ApproveCommission(e.admin, "acme", r2.Commission.ID); err != nil || m.EarlyApproval {
		t.Fatalf("approve after the hold: %+v %v", m, err)
	}
	if _, err := e.st.ApproveCommission(pa, "acme", id); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a partner approving: %v, want ErrForbidden", err)
	}
}

func TestAttributeConversionByHand(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p1, pa1 := e.partner("acme")
	p2, pa2 := e.partner("acme")
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "50.00", ClickID: "999999"})
	if r.Conversion.Attributed || !slices.Equal(r.Conversion.Warnings, []string{WarnUnknownClick}) {
		t.Fatalf("unknown click: %+v, want unattributed with the warning", r.Conversion)
	}
	if _, err := e.st.AttributeConversion(pa1, "acme", "o1", fmt.Sprint(p1.ID)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a partner attributing: %v, want ErrForbidden", err)
	}
	got, err := e.st.AttributeConversion(e.admin, "acme", "o1", p1.Email)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Conversion.Attributed || got.Conversion.PartnerID != p1.ID || got.Commission == nil ||
		!got.Commission.Amount.Equal(dec("10")) || got.Conversion.Manual == nil || got.Conversion.Manual.By != e.admin.UserID {
		t.Fatalf("attributed: %+v %+v", got.Conversion, got.Commission)
	}
	st, _ := e.st.Stats(e.admin, "acme", 30)
	if st.ReferredConversions != 1 || !st.Commission.Equal(dec("10")) {
		t.Fatalf("stats after attribution: referred %d commission %s", st.ReferredConversions, st.Commission)
	}
	if b := e.balance(pa1, "acme"); !b.Pending.Equal(dec("10")) {
		t.Fatalf("partner 1 pending %s, want 10", b.Pending)
	}
	e.check()

	// Pending: it may move to another partner; the old commission is rejected with the reason.
	moved, err := e.st.AttributeConversion(e.admin, "acme", "o1", fmt.Sprint(p2.ID))
	if err != nil {
		t.Fatal(err)
	}
	if moved.Conversion.PartnerID != p2.ID || moved.Conversion.Manual.From != p1.ID {
		t.Fatalf("moved: %+v", moved.Conversion)
	}
	if b := e.balance(pa1, "acme"); !b.Total().IsZero() {
		t.Fatalf("partner 1 keeps %s after the move", b.Total())
	}
	if b := e.balance(pa2, "acme"); !b.Pending.Equal(dec("10")) {
		t.Fatalf("partner 2 pending %s, want 10", b.Pending)
	}
	old, _ := e.st.ListCommissions(pa1, "acme", "", 0)
	if len(old) != 1 || old[0].Status != CommissionRejected || old[0].Reason == "" {
		t.Fatalf("partner 1's commission after the move: %+v", old)
	}
	st, _ = e.st.Stats(e.admin, "acme", 30)
	if st.ReferredConversions != 1 || !st.Commission.Equal(dec("10")) {
		t.Fatalf("stats after the move: referred %d commission %s", st.ReferredConversions, st.Commission)
	}
	if s1, _ := e.st.Stats(pa1, "acme", 30); s1.Conversions != 0 {
		t.Fatalf("partner 1 still counts %d conversions", s1.Conversions)
	}
	e.check()

	// Approved: no longer.
	if _, err := e.st.ApproveCommission(e.admin, "acme", moved.Commission.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AttributeConversion(e.admin, "acme", "o1", fmt.Sprint(p1.ID)); !errors.Is(err, ErrConflict) {
		t.Fatalf("moving an approved commission: %v, want ErrConflict", err)
	}
	// Refunded: no longer.
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00"})
	e.refund("acme", "r2", "o2", "5.00")
	if _, err := e.st.AttributeConversion(e.admin, "acme", "o2", fmt.Sprint(p1.ID)); !errors.Is(err, ErrConflict) {
		t.Fatalf("attributing a refunded order: %v, want ErrConflict", err)
	}
	if _, err := e.st.AttributeConversion(e.admin, "acme", "nosuch", fmt.Sprint(p1.ID)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown order: %v, want ErrNotFound", err)
	}
}

func TestProgramForShowsPartnersThePublicPart(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	if _, err := e.st.SetProgram(e.admin, "acme", "paypal-secret", "s3cret"); err != nil {
		t.Fatal(err)
	}
	_, pa := e.partner("acme")
	p, admin, err := e.st.ProgramFor(pa, "acme")
	if err != nil || admin {
		t.Fatalf("partner: admin=%v err=%v", admin, err)
	}
	if p.Secrets != (ProgramSecrets{}) || p.APIKeyHash != nil || p.APIKeyHint != "" || p.Admins != nil {
		t.Fatalf("partner sees secrets: %+v", p)
	}
	if p.Name == "" || p.CookieDays != 30 || p.HoldDays != 30 {
		t.Fatalf("public part missing: %+v", p)
	}
	if p, admin, err := e.st.ProgramFor(e.admin, "acme"); err != nil || !admin || p.Secrets.PayPalSecret != "s3cret" {
		t.Fatalf("admin: %v %v", admin, err)
	}
	u, _ := e.st.CreateUser("Stranger", "s@x.test", "SHA256:stranger", "ssh-ed25519 AAAAs")
	stranger := Actor{UserID: u.ID}
	if _, _, err := e.st.ProgramFor(stranger, "acme"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("stranger on an unlisted program: %v, want ErrNotFound", err)
	}
	if _, err := e.st.SetProgram(e.admin, "acme", "listed", "true"); err != nil {
		t.Fatal(err)
	}
	if p, _, err := e.st.ProgramFor(stranger, "acme"); err != nil || p.Secrets.PayPalSecret != "" {
		t.Fatalf("stranger on a listed program: %v", err)
	}
}

func TestPlanTextAndBareRates(t *testing.T) {
	for _, c := range []struct{ plan, cur, want string }{
		{"20%", "USD", "20%"},
		{"20", "USD", "20.00 USD per sale"},
		{"500", "JPY", "500 JPY per sale"},
		{"20%; 10:25%; 22:5", "EUR", "20%, 25% from the 10th customer, 5.00 EUR per sale from the 22nd customer"},
	} {
		p, err := ParsePlan(c.plan, c.cur)
		if err != nil {
			t.Fatal(err)
		}
		if got := PlanText(p, c.cur); got != c.want {
			t.Errorf("PlanText(%q) = %q, want %q", c.plan, got, c.want)
		}
	}
	for text, want := range map[string][]string{"20": {"20"}, "20%": nil, "25.00": nil, "20%; 10:30": {"30"}, "5; 3:7%": {"5"}} {
		if got := BareFixedRates(text); !slices.Equal(got, want) {
			t.Errorf("BareFixedRates(%q) = %v, want %v", text, got, want)
		}
	}
}

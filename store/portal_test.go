package store

import (
	"errors"
	"strconv"
	"testing"
	"time"
)

func TestPartnerLinksAndEarnings(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	e.program("other", ProgramInput{})
	p1, a1 := e.partner("acme")
	p2, a2 := e.partner("acme")
	if _, err := e.st.CreateLink(a1, "acme", "spring-sale", "/spring"); err != nil {
		t.Fatal(err)
	}
	// Two clicks through the default link, one through the extra one; the
	// extra one's click converts (after 20 s: no fast-conversion flag).
	e.click(p1, "203.0.113.1")
	e.click(p1, "203.0.113.2")
	c, err := e.st.RecordClick(t.Context(), ClickInput{Program: "acme", PartnerID: p1.ID, Code: "spring-sale", IP: mustAddr("203.0.113.3")})
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(20 * time.Second)
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", ClickID: strconv.FormatUint(c.ID, 10)})
	e.click(p2, "203.0.113.9")

	lp, err := e.st.PartnerLinks(a1, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, l := range lp.Links {
		got[l.Code] = [2]int64{l.Clicks, l.Conversions}
	}
	if len(got) != 2 || got[p1.Code] != [2]int64{2, 0} || got["spring-sale"] != [2]int64{1, 1} {
		t.Fatalf("links = %v", got)
	}
	// Paging by code.
	page, err := e.st.PartnerLinks(a1, "acme", "", 1)
	if err != nil || len(page.Links) != 1 || page.Next == "" {
		t.Fatalf("page 1: %+v %v", page, err)
	}
	page2, err := e.st.PartnerLinks(a1, "acme", page.Next, 1)
	if err != nil || len(page2.Links) != 1 || page2.Next != "" || page2.Links[0].Code == page.Links[0].Code {
		t.Fatalf("page 2: %+v %v", page2, err)
	}
	if _, err := e.st.PartnerLinks(a2, "other", "", 0); !errors.Is(err, ErrForbidden) {
		t.Fatalf("not a partner of other: %v", err)
	}

	// Earnings: five commissions, one of them self-referral flagged.
	for i := 2; i <= 5; i++ {
		e.convert("acme", ConversionInput{OrderID: "o" + strconv.Itoa(i), CustomerID: "c" + strconv.Itoa(i), Amount: "10.00", Ref: p1.Code})
	}
	e.convert("acme", ConversionInput{OrderID: "o6", CustomerID: "c6", Amount: "50.00", Ref: p1.Code, CustomerEmail: p1.Email})
	e.convert("acme", ConversionInput{OrderID: "x1", CustomerID: "x1", Amount: "10.00", Ref: p2.Code})

	var all []Earning
	var before uint64
	for {
		pg, err := e.st.PartnerEarnings(a1, "acme", before, 2)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, pg.Earnings...)
		if pg.Next == 0 {
			break
		}
		before = pg.Next
	}
	if len(all) != 6 {
		t.Fatalf("%d earnings, want 6 (the partner's own)", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Fatalf("not newest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	newest := all[0]
	if !newest.UnderReview || !newest.ApprovesOn.IsZero() || !newest.OrderAmount.Equal(dec("50")) {
		t.Errorf("flagged earning = %+v", newest)
	}
	plain := all[1]
	if plain.UnderReview || plain.Status != CommissionPending || !plain.ApprovesOn.Equal(e.clk.Now().AddDate(0, 0, 30)) ||
		!plain.Amount.Equal(dec("2.00")) {
		t.Errorf("pending earning = %+v", plain)
	}
	if _, err := e.st.PartnerEarnings(e.admin, "acme", 0, 0); !errors.Is(err, ErrForbidden) {
		t.Errorf("a merchant is not a partner: %v", err)
	}
}

func TestOwnStatsOfAMerchantPartner(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{AutoApprove: true})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	// The instance admin joins their own program: their portal shows
	// their own figures, not the program's.
	mine, err := e.st.Join(e.admin, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	e.click(mine, "203.0.113.2")
	e.click(mine, "203.0.113.3")
	st, err := e.st.OwnStats(e.admin, "acme", 30)
	if err != nil || st.PartnerID != mine.ID || st.Clicks != 2 {
		t.Fatalf("own stats = %+v, %v; want the admin's 2 clicks as a partner", st, err)
	}
	if all, _ := e.st.Stats(e.admin, "acme", 30); all.Clicks != 3 {
		t.Fatalf("program stats = %d clicks", all.Clicks)
	}
	if _, err := e.st.OwnStats(Actor{UserID: 999}, "acme", 30); err == nil {
		t.Fatal("a stranger has own stats")
	}
}

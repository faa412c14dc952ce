package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestSubscribeSignalsAfterCommitAndCoalesces(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{})
	e.program("other", ProgramInput{})
	p, _ := e.partner("shop")
	q, _ := e.partner("other")
	ch, cancel := e.st.Subscribe("shop")
	defer cancel()
	drain := func() {
		select {
		case <-ch:
		default:
		}
	}
	drain() // the partner writes above came before the subscription
	e.click(q, "203.0.113.1")
	e.st.seeClicks() // a click is stored (and signalled) after its ack: wait for it
	select {
	case <-ch:
		t.Fatal("a click in another program signalled shop")
	case <-time.After(50 * time.Millisecond):
	}
	for i := range 5 {
		e.click(p, fmt.Sprintf("203.0.113.%d", i+2))
	}
	e.st.seeClicks() // every signal of the five is sent before this returns
	select {
	case <-ch:
	case <-time.After(10 * time.Second): // generous: a loaded machine may signal late
		t.Fatal("no signal after a click in shop")
	}
	select {
	case <-ch:
		t.Fatal("five commits left more than one signal pending")
	default:
	}
	// A write through update (merchant action) signals every subscriber.
	if _, err := e.st.SetPartnerStatus(e.admin, "other", q.ID, PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second): // generous: a loaded machine may signal late
		t.Fatal("no signal after a merchant write")
	}
	cancel()
	e.click(p, "203.0.113.99")
	e.st.seeClicks()
	select {
	case <-ch:
		t.Fatal("signal after unsubscribe")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestPartnerPagePagesAndFilters(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{})
	var ids []uint64
	for _, p := range e.partners("shop", 7) {
		ids = append(ids, p.ID)
	}
	if _, err := e.st.SetPartnerStatus(e.admin, "shop", ids[2], PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	e.click(&Partner{ID: ids[6], Program: "shop"}, "203.0.113.5")
	ctx := context.Background()
	var got []uint64
	q := PageQuery{Limit: 3}
	for pages := 0; ; pages++ {
		pg, err := e.st.PartnerPage(ctx, e.admin, "shop", q)
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Rows) > 3 || pages > 3 {
			t.Fatalf("page of %d rows, page %d", len(pg.Rows), pages)
		}
		for _, r := range pg.Rows {
			got = append(got, r.ID)
		}
		if pg.Next == 0 {
			break
		}
		q.Cursor = pg.Next
	}
	if len(got) != 7 || got[0] != ids[6] || got[6] != ids[0] {
		t.Fatalf("pages gave %v, want %v newest first", got, ids)
	}
	pg, err := e.st.PartnerPage(ctx, e.admin, "shop", PageQuery{Limit: 1})
	if err != nil || pg.Rows[0].Totals.Clicks != 1 {
		t.Fatalf("newest partner's totals: %+v %v", pg, err)
	}
	pg, err = e.st.PartnerPage(ctx, e.admin, "shop", PageQuery{Status: PartnerSuspended})
	if err != nil || len(pg.Rows) != 1 || pg.Rows[0].ID != ids[2] {
		t.Fatalf("suspended filter: %+v %v", pg, err)
	}
	pg, err = e.st.PartnerPage(ctx, e.admin, "shop", PageQuery{Search: "P3@PARTNERS"})
	if err != nil || len(pg.Rows) != 1 || pg.Rows[0].ID != ids[2] {
		t.Fatalf("search: %+v %v", pg, err)
	}
	// A partner may not read the merchant's list.
	_, pa := e.partner("shop")
	if _, err := e.st.PartnerPage(ctx, pa, "shop", PageQuery{}); err == nil {
		t.Fatal("a partner read the partner list")
	}
}

func TestCommissionPageFlaggedAndTopPartners(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, _ := e.partner("shop")
	p2, _ := e.partner("shop")
	c1 := e.click(p1, "203.0.113.1")
	e.clk.Add(time.Minute)
	e.convert("shop", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", ClickID: fmt.Sprint(c1.ID)})
	c2 := e.click(p2, "203.0.113.2")
	// Within 10 seconds of the click: flagged.
	e.convert("shop", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "300.00", ClickID: fmt.Sprint(c2.ID)})
	ctx := context.Background()
	pg, err := e.st.CommissionPage(ctx, e.admin, "shop", PageQuery{Status: FilterFlagged})
	if err != nil || len(pg.Rows) != 1 || pg.Rows[0].PartnerID != p2.ID || pg.Rows[0].PartnerName == "" {
		t.Fatalf("flagged page: %+v %v", pg, err)
	}
	top, err := e.st.TopPartners(ctx, e.admin, "shop", 30, 5)
	if err != nil || len(top) != 2 || top[0].PartnerID != p2.ID || top[0].Revenue.String() != "300" {
		t.Fatalf("top partners: %+v %v", top, err)
	}
	cp, err := e.st.ConversionPage(ctx, e.admin, "shop", PageQuery{Search: "o1"})
	if err != nil || len(cp.Rows) != 1 || cp.Rows[0].Conversion.OrderID != "o1" {
		t.Fatalf("conversion search: %+v %v", cp, err)
	}
	v, err := e.st.ProgramView(ctx, e.admin, "shop")
	if err != nil || v.APIKeyHash != nil || v.SecretsSet["stripe-secret"] {
		t.Fatalf("program view: %+v %v", v, err)
	}
}

func TestPageMaxScanStopsAndPagesOn(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p, _ := e.partner("shop")
	c := e.click(p, "203.0.113.1")
	// The oldest commission is flagged (2 s after its click); three newer are not.
	e.convert("shop", ConversionInput{OrderID: "o0", CustomerID: "c0", Amount: "10.00", ClickID: fmt.Sprint(c.ID)})
	e.clk.Add(time.Minute)
	for i := 1; i <= 3; i++ {
		e.convert("shop", ConversionInput{OrderID: fmt.Sprint("o", i), CustomerID: fmt.Sprint("c", i), Amount: "10.00", ClickID: fmt.Sprint(c.ID)})
	}
	ctx := context.Background()
	// A search that matches the oldest only stops after MaxScan rows and
	// pages on from there.
	q := PageQuery{Search: "o0", MaxScan: 2}
	cp, err := e.st.ConversionPage(ctx, e.admin, "shop", q)
	if err != nil || len(cp.Rows) != 0 || cp.Next == 0 {
		t.Fatalf("first window: %+v %v, want no rows and a cursor", cp, err)
	}
	q.Cursor = cp.Next
	cp, err = e.st.ConversionPage(ctx, e.admin, "shop", q)
	if err != nil || len(cp.Rows) != 1 || cp.Rows[0].Conversion.OrderID != "o0" {
		t.Fatalf("second window: %+v %v, want o0", cp, err)
	}
	// The flagged filter reads the flagged index: the oldest at once.
	pg, err := e.st.CommissionPage(ctx, e.admin, "shop", PageQuery{Status: FilterFlagged, MaxScan: 2})
	if err != nil || len(pg.Rows) != 1 || len(pg.Rows[0].Flags) == 0 || pg.Next != 0 {
		t.Fatalf("flagged: %+v %v, want the flagged one", pg, err)
	}
}

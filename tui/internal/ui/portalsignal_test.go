package ui

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// A partner's portal reloads for its own clicks and not for other
// partners': the console subscribes as the partner (store.SubscribePartner).
func TestPortalFollowsItsOwnClicks(t *testing.T) {
	f := newDashFixture(t, true, true)
	st := f.st
	if _, err := st.Stats(f.admin.Actor(), "acme", 30); err != nil { // every click stored and counted
		t.Fatal(err)
	}
	alice, err := st.UserByFingerprint("SHA256:p0")
	if err != nil {
		t.Fatal(err)
	}
	mems, err := st.Memberships(store.Actor{UserID: alice.ID})
	if err != nil || len(mems) != 1 {
		t.Fatalf("memberships %v %v", mems, err)
	}
	others, err := st.PartnerPage(context.Background(), f.admin.Actor(), "acme", store.PageQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var dan *store.PartnerRow
	for i, r := range others.Rows {
		if r.Status == store.PartnerApproved && r.ID != mems[0].ID {
			dan = &others.Rows[i]
		}
	}
	if dan == nil {
		t.Fatal("no other approved partner")
	}
	a := New(context.Background(), Options{Store: st, Identity: &identity.Identity{Fingerprint: "SHA256:p0", User: alice},
		Renderer: lipgloss.NewRenderer(io.Discard), Width: 80, Height: 24, Now: f.clock.Now,
		Hint:        func(string) string { return "ssh" },
		PartnerTabs: func(*common.Common, string) []common.Tab { return []common.Tab{&viewCounter{}} }})
	a.Init()
	defer a.Close()
	if a.mode != modeConsole || a.cur.Role != "partner" || a.waitCh == nil {
		t.Fatalf("the portal did not open (mode %d, role %q)", a.mode, a.cur.Role)
	}
	program, cancel := st.Subscribe("acme")
	defer cancel()
	click := func(id uint64, code string) {
		t.Helper()
		if _, err := st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: id, Code: code,
			IP: netip.MustParseAddr("192.0.2.77")}); err != nil {
			t.Fatal(err)
		}
	}
	wait := func(ch <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was not signalled", what)
		}
	}
	click(dan.ID, dan.Code)
	wait(program, "the program's subscription")
	select {
	case <-a.waitCh:
		t.Fatal("Alice's portal was signalled another partner's click")
	default:
	}
	click(mems[0].ID, mems[0].Code)
	wait(a.waitCh, "Alice's portal, for her own click,")
}

package schedule

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// The scheduler deletes clicks past the retention at its first tick and
// then once an hour; the figures stay.
func TestSchedulerPurgesOldClicks(t *testing.T) {
	e := newEnv(t, time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	hold := 0
	if _, _, err := e.st.CreateProgram(e.admin, store.ProgramInput{Slug: "acme", Name: "Acme", URL: "https://acme.test", HoldDays: &hold, AutoApprove: true}, false); err != nil {
		t.Fatal(err)
	}
	p, err := e.st.Join(e.admin, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	click := func() {
		if _, err := e.st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: netip.MustParseAddr("192.0.2.1")}); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 {
		click()
		e.clk.Add(24 * time.Hour)
	}
	e.clk.Add(40 * 24 * time.Hour)
	click()
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(e.dir, store.Options{Now: e.clk.Now, ClickRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	sch := New(Config{Store: st, PurgeClicks: true})
	before, err := st.Stats(e.admin, "acme", 90)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := st.Usage()
	if err != nil {
		t.Fatal(err)
	}
	if u.Clicks != 1 {
		t.Fatalf("%d clicks left after the first tick, want 1 (the recent one)", u.Clicks)
	}
	after, err := st.Stats(e.admin, "acme", 90)
	if err != nil {
		t.Fatal(err)
	}
	if after.Clicks != before.Clicks || after.Clicks != 6 {
		t.Fatalf("clicks in stats %d → %d, want 6 both times", before.Clicks, after.Clicks)
	}
	// Within the hour the purge does not run again; later it does.
	sch.mu.Lock()
	first := sch.lastPurge
	sch.mu.Unlock()
	e.clk.Add(30 * time.Minute)
	if err := sch.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	sch.mu.Lock()
	again := sch.lastPurge
	sch.mu.Unlock()
	if !again.Equal(first) {
		t.Fatalf("purged again within the hour (%s, then %s)", first, again)
	}
	e.clk.Add(31 * 24 * time.Hour)
	if err := sch.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.Usage(); u.Clicks != 0 {
		t.Fatalf("%d clicks left 31 days later, want 0", u.Clicks)
	}
}

package store

import "testing"

// The screens' stats (StatsSince) leave out the campaign breakdown that no
// screen shows; the stats command (Stats) keeps it, and both agree on every
// total.
func TestStatsSinceLeavesOutSubs(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, _ := e.partner("shop")
	e.clickSub(p1, p1.Code, "spring", "203.0.113.1")
	full, err := e.st.Stats(e.admin, "shop", 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Subs) == 0 {
		t.Fatal("Stats has no campaign rows after a click")
	}
	screen, err := e.st.StatsSince(e.admin, "shop", 30, e.st.Version())
	if err != nil {
		t.Fatal(err)
	}
	if len(screen.Subs) != 0 {
		t.Fatalf("StatsSince has %d campaign rows, want none", len(screen.Subs))
	}
	if screen.Clicks != full.Clicks || screen.UniqueClicks != full.UniqueClicks ||
		!screen.Revenue.Equal(full.Revenue) || len(screen.Daily) != len(full.Daily) {
		t.Fatalf("totals differ: screen %+v, stats %+v", screen, full)
	}
}

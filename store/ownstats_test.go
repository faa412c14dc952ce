package store

import (
	"fmt"
	"testing"
)

// TestOwnStatsLeaveOutSubs: the portal's OwnStats are a partner's Stats
// without the campaign breakdown, which Stats (the stats command) keeps.
func TestOwnStatsLeaveOutSubs(t *testing.T) {
	e := newEnv(t)
	e.program("os", ProgramInput{AutoApprove: true})
	p, a := e.partner("os")
	l, err := e.st.CreateCampaignLink(a, "os", "os-camp", "", "spring")
	if err != nil {
		t.Fatal(err)
	}
	e.click(p, "203.0.113.1")
	if _, err := e.st.RecordClick(t.Context(), ClickInput{Program: "os", PartnerID: p.ID, Code: l.Code, Sub: "spring", IP: mustAddr("203.0.113.2")}); err != nil {
		t.Fatal(err)
	}
	full, err := e.st.Stats(a, "os", 30)
	if err != nil || len(full.Subs) == 0 {
		t.Fatalf("stats = %+v, %v; want a campaign breakdown", full, err)
	}
	own, err := e.st.OwnStats(a, "os", 30)
	if err != nil || own.Subs != nil {
		t.Fatalf("own stats = %+v, %v; want no campaign breakdown", own, err)
	}
	full.Subs = nil
	if fmt.Sprintf("%+v", *own) != fmt.Sprintf("%+v", *full) {
		t.Fatalf("own stats differ:\n%+v\n%+v", *own, *full)
	}
}

package partner_test

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
)

// TestPortalLinksPageThroughTheStore: the Links tab shows one page of the
// partner's links and reads the next and previous pages from the store by
// link code (SPEC 6.1), on the shared table and pager.
func TestPortalLinksPageThroughTheStore(t *testing.T) {
	f := newPagingFixture(t)
	const w, h = 80, 24
	tm := teatest.NewTestModel(t, portal(t, f, f.Nia, "bare", w, h, nil), teatest.WithInitialTermSize(w, h))
	waitFor(t, tm, "1 Dashboard")
	tm.Send(keyMsg("2"))
	waitFor(t, tm, "link-00", "(more below)")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgDown})
	waitFor(t, tm, "page 2", "link-29")
	tm.Send(tea.KeyMsg{Type: tea.KeyPgUp})
	v := screen(t, tm)
	if !strings.Contains(v, "link-00") || strings.Contains(v, "page 2") || strings.Contains(v, "link-29") {
		t.Fatalf("pgup did not return to the first page:\n%s", v)
	}
	if n := strings.Count(v, "link-"); n >= 30 {
		t.Fatalf("the first page shows %d of 30 links; want one page", n)
	}
}

// newPagingFixture gives Nia 30 links in bare besides her default one.
func newPagingFixture(t *testing.T) *partner.Fixture {
	f := partner.NewFixture(t)
	for i := range 30 {
		if _, err := f.St.CreateCampaignLink(f.Nia, "bare", fmt.Sprintf("link-%02d", i), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

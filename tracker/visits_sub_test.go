package tracker

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A direct link's ?sub= reaches POST /api/v1/visits and is stored with the
// click, cleaned as the redirector cleans its ?sub= (no control characters,
// at most 64 characters); without one the link's own campaign is used.
// Per-sub stats count each (clicks without a sub are in no campaign).
func TestVisitsCarryTheCampaignSub(t *testing.T) {
	e := newEnv(t, Config{})
	code := e.partner.Code
	if _, err := e.st.CreateCampaignLink(e.partnerA, "acme", "pat-news", "", "newsletter"); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 70)
	for i, body := range []string{
		`{"code":"` + code + `","sub":"spring"}`,
		`{"code":"` + code + `","sub":"  spring  "}`,
		`{"code":"` + code + `","sub":"a\u001b[31mred\u0007"}`,
		`{"code":"` + code + `","sub":"` + long + `"}`,
		`{"code":"` + code + `"}`,
		`{"code":"` + code + `","sub":null}`,
		`{"code":"pat-news"}`,
		`{"code":"pat-news","sub":"summer"}`,
	} {
		e.clock.Add(time.Minute) // below the flood limit
		if v, status := e.visit(body); status != http.StatusCreated || v.ClickID == nil {
			t.Fatalf("visit %d %s = %d %+v, want 201 with a click", i, body, status, v)
		}
	}
	// A sub that is not a string is refused, and nothing is counted.
	before := e.metric("affogato_clicks_recorded_total")
	if _, status := e.visit(`{"code":"` + code + `","sub":7}`); status != http.StatusBadRequest {
		t.Errorf("sub 7 = %d, want 400", status)
	}
	if got := e.metric("affogato_clicks_recorded_total"); got != before {
		t.Errorf("a refused visit counted a click: +%v", got-before)
	}

	st, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, s := range st.Subs {
		got[s.Sub] += s.Clicks
	}
	want := map[string]int64{"spring": 2, "ared": 1, strings.Repeat("é", 64): 1, "newsletter": 1, "summer": 1}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("clicks by sub = %s, want %s", g, w)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

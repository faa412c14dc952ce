package ui

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

// A partner's fixed-amount commission shows with its currency, as every
// other screen says it: on the partner's page, in the edit form (whose
// field keeps the text the plan is typed as) and in the answer.
func TestMerchantPartnerPlanShowsCurrency(t *testing.T) {
	f := newDashFixture(t, true, true)
	dan, err := f.st.FindPartner(f.admin.Actor(), "acme", "p3@partners.test")
	if err != nil {
		t.Fatal(err)
	}
	id := dan.ID // the first row of the Partners tab
	if _, err := f.st.SetPartnerPlan(f.admin.Actor(), "acme", id, "20"); err != nil {
		t.Fatal(err)
	}
	const w, h = 120, 40
	app := f.app(w, h)
	frame := drive(t, app, w, h, step{"", "Overview"}, step{"2", "Alice"}, step{"\r", "Recent conversions"})
	if !strings.Contains(frame, "Commission: 20.00 USD per sale") {
		t.Errorf("partner page:\n%s", frame)
	}
	app = f.app(w, h)
	frame = drive(t, app, w, h, step{"", "Overview"}, step{"2", "Alice"}, step{"\r", "Recent conversions"},
		step{"e", "Commission override"})
	if !strings.Contains(frame, "now 20.00 USD per sale") || !strings.Contains(frame, "20") {
		t.Errorf("edit form:\n%s", frame)
	}
	app = f.app(w, h)
	frame = drive(t, app, w, h, step{"", "Overview"}, step{"2", "Alice"}, step{"\r", "Recent conversions"},
		step{"e", "Commission override"}, step{"5\r", "Partner now earns"})
	if !strings.Contains(frame, "Partner now earns 205.00 USD per sale.") {
		t.Errorf("after the edit:\n%s", frame)
	}
	p, err := f.st.FindPartner(f.admin.Actor(), "acme", "p3@partners.test")
	if err != nil || p.ID != id || p.Plan == nil || store.PlanText(*p.Plan, "USD") != "205.00 USD per sale" {
		t.Errorf("stored plan: %+v, %v", p, err)
	}
}

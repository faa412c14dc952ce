package tracker

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestReferralLifetimeOverHTTP: through the conversion API, a referral
// older than the program's cookie lifetime never attributes, whichever
// field carries it, for a redirect's click and a direct link's visit alike;
// and a payment never goes to a click that came after it (issue 12).
func TestReferralLifetimeOverHTTP(t *testing.T) {
	e := newEnv(t, Config{})
	e.set("acme", "cookie-days", "7")
	code := e.partner.Code
	redirected := e.click(code)
	v, status := e.visit(`{"code":"` + code + `"}`)
	if status != http.StatusCreated || v.ClickID == nil {
		t.Fatalf("visit = %d %+v, want a click", status, v)
	}
	visited := *v.ClickID

	n := 0
	convert := func(field string, occurredAt ...time.Time) (int, bool) {
		t.Helper()
		n++
		body := fmt.Sprintf(`{"order_id":"o%d","customer_id":"c%d","amount":"10.00",%s`, n, n, field)
		if len(occurredAt) > 0 {
			body += fmt.Sprintf(`,"occurred_at":%q`, occurredAt[0].UTC().Format(time.RFC3339))
		}
		rr := e.api("/api/v1/conversions", body+"}")
		if rr.Code != http.StatusCreated {
			return rr.Code, false
		}
		return rr.Code, jsonBody(t, rr)["attributed"] == true
	}
	fields := map[string]string{
		"redirect click_id":        `"click_id":"` + redirected + `"`,
		"aff_ref cookie click_id":  `"click_id":"` + code + "." + redirected + `"`,
		"direct link click_id":     `"click_id":"` + visited + `"`,
		"ref":                      `"ref":"` + code + `"`,
		"click_id and ref":         `"click_id":"` + redirected + `","ref":"` + code + `"`,
		"direct link click_id+ref": `"click_id":"` + visited + `","ref":"` + code + `"`,
	}

	// Six days on, every field still attributes (the test can fail).
	e.clock.Add(6 * 24 * time.Hour)
	for name, f := range fields {
		if status, ok := convert(f); status != http.StatusCreated || !ok {
			t.Errorf("%s six days after the click = %d attributed %v, want 201 attributed", name, status, ok)
		}
	}
	// A payment dated six days on but sent after the lifetime is judged
	// by its own date: still within it.
	sixDays := e.clock.Now()
	e.clock.Add(2 * 24 * time.Hour) // eight days after the clicks
	if status, ok := convert(fields["redirect click_id"], sixDays); status != http.StatusCreated || !ok {
		t.Errorf("a payment dated within the lifetime, sent later = %d attributed %v, want attributed", status, ok)
	}
	for name, f := range fields {
		if status, ok := convert(f); status != http.StatusCreated || ok {
			t.Errorf("%s eight days after the click (7-day program) = %d attributed %v, want 201 unattributed", name, status, ok)
		}
	}

	// A fresh click: a payment dated before it never goes to it, by
	// click id or by ref (the code's only click within the lifetime came
	// after the payment).
	before := e.clock.Now().Add(-time.Hour)
	fresh := e.click(code)
	for name, f := range map[string]string{"click_id": `"click_id":"` + fresh + `"`, "ref": `"ref":"` + code + `"`} {
		if status, ok := convert(f, before); status != http.StatusCreated || ok {
			t.Errorf("%s of a click after the payment = %d attributed %v, want 201 unattributed", name, status, ok)
		}
	}
	// A sender's clock a little fast is fine; more than 5 minutes is 422.
	if status, ok := convert(`"click_id":"`+fresh+`"`, e.clock.Now().Add(4*time.Minute)); status != http.StatusCreated || !ok {
		t.Errorf("occurred_at 4 minutes ahead = %d attributed %v, want 201 attributed", status, ok)
	}
	if status, _ := convert(`"click_id":"`+fresh+`"`, e.clock.Now().Add(5*time.Minute+2*time.Second)); status != http.StatusUnprocessableEntity {
		t.Errorf("occurred_at just over 5 minutes ahead = %d, want 422", status)
	}
}

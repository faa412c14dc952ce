package tracker

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

const whsec = "whsec_test_secret"

// stripeEvent builds an event body around obj.
func stripeBody(t *testing.T, id, typ string, obj map[string]any) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ,
		"created": 1748779200, "data": map[string]any{"object": obj}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stripe posts a body signed now with the given secrets (default whsec).
func (e *env) stripe(slug, body string, secrets ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	if len(secrets) == 0 {
		secrets = []string{whsec}
	}
	return e.request(http.MethodPost, "/webhooks/stripe/"+slug, body,
		"Stripe-Signature", stripeSign(e.clock.Now().Unix(), body, secrets...), "Content-Type", "application/json")
}

// stripeOK posts a signed event and wants 200 {"received":true}.
func (e *env) stripeOK(slug, body string) map[string]any {
	e.t.Helper()
	rr := e.stripe(slug, body)
	if rr.Code != http.StatusOK {
		e.t.Fatalf("stripe event: %d %s", rr.Code, rr.Body)
	}
	m := jsonBody(e.t, rr)
	if m["received"] != true {
		e.t.Fatalf("stripe event: %s", rr.Body)
	}
	return m
}

func stripeEnv(t *testing.T) *env {
	e := newEnv(t, Config{})
	e.set("acme", "stripe-secret", whsec)
	return e
}

func session(id string, amount int, extra map[string]any) map[string]any {
	obj := map[string]any{"id": id, "object": "checkout.session", "mode": "payment",
		"payment_status": "paid", "status": "complete", "amount_total": amount, "currency": "usd",
		"customer": "cus_1", "customer_details": map[string]any{"email": "buyer@example.com"},
		"client_reference_id": nil, "payment_intent": "pi_" + id, "invoice": nil, "subscription": nil}
	for k, v := range extra {
		obj[k] = v
	}
	return obj
}

func TestStripeSignature(t *testing.T) {
	e := stripeEnv(t)
	body := stripeBody(t, "evt_sig", "customer.created", map[string]any{"id": "cus_x"})
	now := e.clock.Now().Unix()
	post := func(sig, b string) *httptest.ResponseRecorder {
		return e.request(http.MethodPost, "/webhooks/stripe/acme", b, "Stripe-Signature", sig)
	}
	tests := []struct {
		name   string
		sig    string
		body   string
		status int
		msg    string
	}{
		{"good", stripeSign(now, body, whsec), body, 200, ""},
		{"within tolerance", stripeSign(now-299, body, whsec), body, 200, ""},
		{"rotated: old and new", stripeSign(now, body, "whsec_old", whsec), body, 200, ""},
		{"v0 ignored", stripeSign(now, body, whsec) + ",v0=deadbeef", body, 200, ""},
		{"wrong secret", stripeSign(now, body, "whsec_other"), body, 400, "no v1 signature"},
		{"only the old secret", stripeSign(now, body, "whsec_old"), body, 400, "no v1 signature"},
		{"tampered body", stripeSign(now, body, whsec), strings.Replace(body, "cus_x", "cus_y", 1), 400, "no v1 signature"},
		{"expired", stripeSign(now-301, body, whsec), body, 400, "timestamp outside the tolerance"},
		{"from the future", stripeSign(now+301, body, whsec), body, 400, "timestamp outside the tolerance"},
		{"no v1", "t=" + itoa(now), body, 400, "Stripe-Signature"},
		{"no header", "", body, 400, "Stripe-Signature"},
		{"garbage", "garbage", body, 400, "Stripe-Signature"},
		{"v1 not hex", "t=" + itoa(now) + ",v1=zz", body, 400, "Stripe-Signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := post(tt.sig, tt.body)
			if rr.Code != tt.status {
				t.Fatalf("%d %s, want %d", rr.Code, rr.Body, tt.status)
			}
			if tt.status == 400 {
				if code := errorCode(t, rr); code != codeBadSignature {
					t.Errorf("code %q, want bad_signature", code)
				}
				if !strings.Contains(rr.Body.String(), tt.msg) {
					t.Errorf("message %s lacks %q", rr.Body, tt.msg)
				}
			}
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestStripeSecretRolledOnOurSide(t *testing.T) {
	e := stripeEnv(t)
	e.set("acme", "stripe-secret", "whsec_new,whsec_old")
	body := stripeBody(t, "evt_roll", "customer.created", map[string]any{"id": "cus_x"})
	for _, s := range []string{"whsec_new", "whsec_old"} {
		if rr := e.stripe("acme", body, s); rr.Code != http.StatusOK {
			t.Errorf("signed with %s: %d %s", s, rr.Code, rr.Body)
		}
	}
}

func TestStripeProgramErrors(t *testing.T) {
	e := newEnv(t, Config{})
	body := stripeBody(t, "evt_1", "customer.created", map[string]any{"id": "cus_x"})
	rr := e.stripe("nope", body)
	if rr.Code != http.StatusNotFound || errorCode(t, rr) != codeNotFound {
		t.Errorf("unknown program: %d %s", rr.Code, rr.Body)
	}
	rr = e.stripe("acme", body)
	if rr.Code != http.StatusBadRequest || errorCode(t, rr) != codeNotConfigured || !strings.Contains(rr.Body.String(), "stripe-secret") {
		t.Errorf("no secret set: %d %s, want 400 not_configured", rr.Code, rr.Body)
	}
	e.set("acme", "stripe-secret", whsec)
	rr = e.stripe("acme", `{"id":`)
	if rr.Code != http.StatusBadRequest || errorCode(t, rr) != codeBadRequest {
		t.Errorf("signed garbage: %d %s, want 400", rr.Code, rr.Body)
	}
	rr = e.stripe("acme", stripeBody(t, "evt_bad", "checkout.session.completed", map[string]any{"id": "cs", "amount_total": "lots"}))
	if rr.Code != http.StatusBadRequest {
		t.Errorf("malformed object: %d %s, want 400", rr.Code, rr.Body)
	}
}

func TestStripeCheckout(t *testing.T) {
	e := stripeEnv(t)
	click := e.click(e.partner.Code)
	e.clock.Add(time.Minute)

	e.stripeOK("acme", stripeBody(t, "evt_1", "checkout.session.completed",
		session("cs_1", 4900, map[string]any{"client_reference_id": e.partner.Code + "." + click})))
	c := e.conversion("acme", "cs_1")
	if c == nil {
		t.Fatal("paid checkout not recorded")
	}
	cv := c.Conversion
	if cv.Amount.String() != "49" || cv.Currency != "USD" || cv.Kind != store.KindSale || cv.CustomerID != "cus_1" ||
		!cv.Attributed || cv.PartnerID != e.partner.ID || c.Commission == nil || c.Commission.Amount.StringFixed(2) != "9.80" {
		t.Errorf("checkout conversion %+v commission %+v", cv, c.Commission)
	}

	// Unpaid (delayed payment methods) is not a sale until it succeeds.
	unpaid := session("cs_2", 2000, map[string]any{"payment_status": "unpaid", "client_reference_id": click})
	m := e.stripeOK("acme", stripeBody(t, "evt_2", "checkout.session.completed", unpaid))
	if m["ignored"] == nil || e.conversion("acme", "cs_2") != nil {
		t.Errorf("unpaid session recorded: %v", m)
	}
	unpaid["payment_status"] = "paid"
	e.stripeOK("acme", stripeBody(t, "evt_3", "checkout.session.async_payment_succeeded", unpaid))
	if c := e.conversion("acme", "cs_2"); c == nil || c.Conversion.Amount.StringFixed(2) != "20.00" {
		t.Errorf("async payment success not recorded: %+v", c)
	}

	// A guest checkout is keyed by the buyer's email.
	e.stripeOK("acme", stripeBody(t, "evt_4", "checkout.session.completed",
		session("cs_3", 1000, map[string]any{"customer": nil, "customer_details": map[string]any{"email": "guest@example.com"}})))
	if c := e.conversion("acme", "cs_3"); c == nil || c.Conversion.CustomerID != "guest@example.com" || c.Conversion.Attributed {
		t.Errorf("guest checkout: %+v", c)
	}

	// Another currency than the program's is acknowledged and skipped.
	m = e.stripeOK("acme", stripeBody(t, "evt_5", "checkout.session.completed",
		session("cs_4", 1000, map[string]any{"currency": "eur"})))
	if m["ignored"] == nil || e.conversion("acme", "cs_4") != nil {
		t.Errorf("EUR session on a USD program: %v", m)
	}
}

func TestStripeDuplicateEvent(t *testing.T) {
	e := stripeEnv(t)
	body := stripeBody(t, "evt_dup", "checkout.session.completed", session("cs_d", 1500, nil))
	if m := e.stripeOK("acme", body); m["duplicate"] != nil {
		t.Fatalf("first delivery marked duplicate: %v", m)
	}
	m := e.stripeOK("acme", body)
	if m["duplicate"] != true {
		t.Errorf("second delivery: %v, want duplicate", m)
	}
	if n := e.conversionCount("acme"); n != 1 {
		t.Errorf("%d conversions, want 1", n)
	}
	// The same session in a new event (Stripe resends as a new event) is a repeat.
	e.stripeOK("acme", stripeBody(t, "evt_dup2", "checkout.session.completed", session("cs_d", 1500, nil)))
	if n := e.conversionCount("acme"); n != 1 {
		t.Errorf("%d conversions after a re-sent session, want 1", n)
	}
	// Other content for a recorded order is acknowledged (no retries) and counted.
	m = e.stripeOK("acme", stripeBody(t, "evt_dup3", "checkout.session.completed", session("cs_d", 9999, nil)))
	if m["ignored"] == nil {
		t.Errorf("conflicting session: %v", m)
	}
	if got := e.metric(`affogato_errors_total{kind="stripe_conflict"}`); got != 1 {
		t.Errorf("stripe_conflict errors %v, want 1", got)
	}
	if c := e.conversion("acme", "cs_d"); c.Conversion.Amount.StringFixed(2) != "15.00" {
		t.Errorf("conflicting event changed the order: %s", c.Conversion.Amount)
	}
}

func invoiceObj(id string, amount int, reason string, extra map[string]any) map[string]any {
	obj := map[string]any{"id": id, "object": "invoice", "customer": "cus_1", "customer_email": "buyer@example.com",
		"amount_paid": amount, "currency": "usd", "billing_reason": reason, "status": "paid",
		"status_transitions": map[string]any{"paid_at": 1748779200}}
	for k, v := range extra {
		obj[k] = v
	}
	return obj
}

func TestStripeSubscription(t *testing.T) {
	e := stripeEnv(t)
	click := e.click(e.partner.Code)
	e.clock.Add(time.Minute)

	// The first payment: the Checkout session names the first invoice.
	e.stripeOK("acme", stripeBody(t, "evt_cs", "checkout.session.completed", session("cs_sub", 2900, map[string]any{
		"mode": "subscription", "payment_intent": nil, "invoice": "in_1", "subscription": "sub_1", "client_reference_id": click})))
	first := e.conversion("acme", "in_1")
	if first == nil || !first.Conversion.Attributed || first.Conversion.PartnerID != e.partner.ID || first.Conversion.Kind != store.KindSale {
		t.Fatalf("subscription checkout: %+v", first)
	}
	// invoice.paid of the same first payment is not a second sale.
	e.stripeOK("acme", stripeBody(t, "evt_in1", "invoice.paid", invoiceObj("in_1", 2900, "subscription_create",
		map[string]any{"subscription": "sub_1"})))
	if n := e.conversionCount("acme"); n != 1 {
		t.Fatalf("%d conversions after the first invoice, want 1", n)
	}

	// Renewals: the subscription at the top level (API before 2025-03-31)
	// and under parent.subscription_details (2025-03-31 and later).
	e.clock.Add(30 * 24 * time.Hour)
	e.stripeOK("acme", stripeBody(t, "evt_in2", "invoice.paid", invoiceObj("in_2", 2900, "subscription_cycle",
		map[string]any{"subscription": "sub_1", "payment_intent": "pi_in2", "charge": "ch_in2"})))
	e.clock.Add(30 * 24 * time.Hour)
	e.stripeOK("acme", stripeBody(t, "evt_in3", "invoice.paid", invoiceObj("in_3", 2900, "subscription_cycle",
		map[string]any{"parent": map[string]any{"type": "subscription_details",
			"subscription_details": map[string]any{"subscription": "sub_1"}}})))
	for _, id := range []string{"in_2", "in_3"} {
		c := e.conversion("acme", id)
		if c == nil {
			t.Errorf("renewal %s not recorded", id)
			continue
		}
		if c.Conversion.Kind != store.KindRenewal || c.Conversion.PartnerID != e.partner.ID || c.Conversion.Amount.StringFixed(2) != "29.00" {
			t.Errorf("renewal %s: kind %s partner %d amount %s", id, c.Conversion.Kind, c.Conversion.PartnerID, c.Conversion.Amount)
		}
	}
	// A zero invoice (trial) records nothing.
	m := e.stripeOK("acme", stripeBody(t, "evt_in4", "invoice.paid", invoiceObj("in_4", 0, "subscription_cycle",
		map[string]any{"subscription": "sub_1"})))
	if m["ignored"] == nil || e.conversion("acme", "in_4") != nil {
		t.Errorf("zero invoice: %v", m)
	}
	// A refund of a renewal found by its payment intent alias.
	e.stripeOK("acme", stripeBody(t, "evt_rf", "charge.refunded", map[string]any{"id": "ch_in2", "object": "charge",
		"payment_intent": "pi_in2", "amount_refunded": 2900, "currency": "usd"}))
	if c := e.conversion("acme", "in_2"); c == nil || c.Conversion.Refunded.StringFixed(2) != "29.00" {
		t.Errorf("refunded renewal: %+v", c)
	}
}

func TestStripeChargeRefundedCumulative(t *testing.T) {
	e := stripeEnv(t)
	e.stripeOK("acme", stripeBody(t, "evt_sale", "checkout.session.completed",
		session("cs_r", 10000, map[string]any{"payment_intent": "pi_r", "client_reference_id": nil})))
	refund := func(evt string, cumulative int) {
		t.Helper()
		e.stripeOK("acme", stripeBody(t, evt, "charge.refunded", map[string]any{"id": "ch_r", "object": "charge",
			"payment_intent": "pi_r", "amount": 10000, "amount_refunded": cumulative, "currency": "usd", "refunded": cumulative == 10000}))
	}
	refunded := func() string {
		t.Helper()
		c := e.conversion("acme", "cs_r")
		if c == nil {
			t.Fatal("sale missing")
		}
		return c.Conversion.Refunded.StringFixed(2)
	}
	refund("evt_r1", 3000)
	if got := refunded(); got != "30.00" {
		t.Fatalf("after the first refund: %s, want 30.00", got)
	}
	refund("evt_r2", 5000) // Stripe reports the total refunded so far
	if got := refunded(); got != "50.00" {
		t.Fatalf("after the second refund: %s, want 50.00 (only the difference)", got)
	}
	refund("evt_r1_again", 3000) // a late copy of the first, as a new event
	if got := refunded(); got != "50.00" {
		t.Errorf("a late copy changed the refund: %s", got)
	}
	refund("evt_r3", 10000)
	if got := refunded(); got != "100.00" {
		t.Errorf("after the full refund: %s", got)
	}
	// Unknown charge: acknowledged, nothing written.
	m := e.stripeOK("acme", stripeBody(t, "evt_r4", "charge.refunded", map[string]any{"id": "ch_zz",
		"payment_intent": "pi_zz", "amount_refunded": 100, "currency": "usd"}))
	if m["ignored"] == nil {
		t.Errorf("refund of an unknown charge: %v", m)
	}
}

func TestStripeRefundFindsOrderByInvoice(t *testing.T) {
	e := stripeEnv(t)
	e.stripeOK("acme", stripeBody(t, "evt_in", "invoice.paid", invoiceObj("in_9", 5000, "manual", nil)))
	e.stripeOK("acme", stripeBody(t, "evt_rf", "charge.refunded", map[string]any{"id": "ch_9",
		"payment_intent": "pi_unknown", "invoice": "in_9", "amount_refunded": 1000, "currency": "usd"}))
	if c := e.conversion("acme", "in_9"); c == nil || c.Conversion.Refunded.StringFixed(2) != "10.00" {
		t.Errorf("refund by invoice id: %+v", c)
	}
}

func TestStripeZeroDecimalCurrency(t *testing.T) {
	e := stripeEnv(t)
	if _, _, err := e.st.CreateProgram(e.admin, store.ProgramInput{Slug: "yen", Name: "Yen", URL: "https://yen.test",
		Currency: "JPY", Commission: "10%", AutoApprove: true}, false); err != nil {
		t.Fatal(err)
	}
	e.set("yen", "stripe-secret", whsec)
	e.stripeOK("yen", stripeBody(t, "evt_y", "checkout.session.completed",
		session("cs_y", 5000, map[string]any{"currency": "jpy", "payment_intent": "pi_y"})))
	c := e.conversion("yen", "cs_y")
	if c == nil || c.Conversion.Amount.String() != "5000" || c.Conversion.Currency != "JPY" {
		t.Fatalf("JPY 5000 minor units must be 5000 yen: %+v", c)
	}
	e.stripeOK("yen", stripeBody(t, "evt_yr", "charge.refunded", map[string]any{"id": "ch_y",
		"payment_intent": "pi_y", "amount_refunded": 1200, "currency": "jpy"}))
	if c := e.conversion("yen", "cs_y"); c.Conversion.Refunded.String() != "1200" {
		t.Errorf("JPY refund: %s, want 1200", c.Conversion.Refunded)
	}
}

func TestStripeAmount(t *testing.T) {
	tests := []struct {
		minor    int64
		cur      string
		want     string
		wantCode string
	}{
		{4990, "usd", "49.90", "USD"},
		{1, "eur", "0.01", "EUR"},
		{5000, "jpy", "5000", "JPY"},
		{1234, "kwd", "1.234", "KWD"},
		{100, "KRW", "100", "KRW"},
	}
	for _, tt := range tests {
		got, cur, err := stripeAmount(tt.minor, tt.cur)
		if err != nil || got != tt.want || cur != tt.wantCode {
			t.Errorf("stripeAmount(%d, %s) = %s %s %v, want %s %s", tt.minor, tt.cur, got, cur, err, tt.want, tt.wantCode)
		}
	}
	for _, bad := range []struct {
		minor int64
		cur   string
	}{{0, "usd"}, {-5, "usd"}, {100, "xyz"}, {100, ""}} {
		if _, _, err := stripeAmount(bad.minor, bad.cur); err == nil {
			t.Errorf("stripeAmount(%d, %q) accepted", bad.minor, bad.cur)
		}
	}
}

func TestStripeInvoiceBeforeCheckout(t *testing.T) {
	e := stripeEnv(t)
	click := e.click(e.partner.Code)
	e.clock.Add(time.Minute)
	// Stripe often delivers invoice.paid (no click) before the session.
	e.stripeOK("acme", stripeBody(t, "evt_in1", "invoice.paid", invoiceObj("in_1", 2900, "subscription_create",
		map[string]any{"subscription": "sub_1"})))
	if c := e.conversion("acme", "in_1"); c == nil || c.Conversion.Attributed {
		t.Fatalf("invoice first: %+v", c)
	}
	e.stripeOK("acme", stripeBody(t, "evt_cs", "checkout.session.completed", session("cs_sub", 2900, map[string]any{
		"mode": "subscription", "payment_intent": nil, "invoice": "in_1", "subscription": "sub_1", "client_reference_id": click})))
	c := e.conversion("acme", "in_1")
	if c == nil || !c.Conversion.Attributed || c.Commission == nil || c.Commission.Amount.StringFixed(2) != "5.80" {
		t.Fatalf("checkout after invoice did not attribute: %+v", c)
	}
	if n := e.conversionCount("acme"); n != 1 {
		t.Fatalf("%d conversions, want 1", n)
	}
}

func TestStripeTrialBindsCustomer(t *testing.T) {
	e := stripeEnv(t)
	click := e.click(e.partner.Code)
	e.clock.Add(time.Minute)
	e.stripeOK("acme", stripeBody(t, "evt_cs", "checkout.session.completed", session("cs_trial", 0, map[string]any{
		"mode": "subscription", "payment_status": "no_payment_required", "payment_intent": nil,
		"subscription": "sub_t", "customer": "cus_t", "client_reference_id": click})))
	e.clock.Add(14 * 24 * time.Hour)
	e.stripeOK("acme", stripeBody(t, "evt_in", "invoice.paid", invoiceObj("in_t", 2900, "subscription_cycle",
		map[string]any{"subscription": "sub_t", "customer": "cus_t"})))
	c := e.conversion("acme", "in_t")
	if c == nil || c.Conversion.PartnerID != e.partner.ID || c.Commission == nil {
		t.Fatalf("first invoice after a referred trial: %+v", c)
	}
}

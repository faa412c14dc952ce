package tracker

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConversionCreatedThenRepeated(t *testing.T) {
	e := newEnv(t, Config{})
	click := e.click(e.partner.Code)
	e.clock.Add(time.Minute)
	body := `{"order_id":"ord-1","customer_id":"cus-1","amount":"49.90","currency":"USD","kind":"sale",
		"click_id":"` + click + `","customer_email":"buyer@example.com"}`
	first := e.api("/api/v1/conversions", body)
	if first.Code != http.StatusCreated {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	m := jsonBody(t, first)
	want := map[string]any{"order_id": "ord-1", "customer_id": "cus-1", "amount": "49.90",
		"currency": "USD", "kind": "sale", "attributed": true, "partner_id": float64(e.partner.ID)}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	if id, ok := m["id"].(float64); !ok || id <= 0 {
		t.Errorf("id %v is not a positive JSON number", m["id"])
	}
	cm, ok := m["commission"].(map[string]any)
	if !ok {
		t.Fatalf("commission missing: %s", first.Body)
	}
	if cm["amount"] != "9.98" || cm["status"] != "pending" {
		t.Errorf("commission %v, want amount 9.98 (20%% of 49.90) pending", cm)
	}
	if !strings.Contains(first.Body.String(), `"flags":[]`) {
		t.Errorf("flags must be an empty array, not null: %s", first.Body)
	}

	again := e.api("/api/v1/conversions", body)
	if again.Code != http.StatusOK {
		t.Fatalf("repeat: %d %s, want 200", again.Code, again.Body)
	}
	if again.Body.String() != first.Body.String() {
		t.Errorf("repeat body differs:\n%s\n%s", first.Body, again.Body)
	}

	other := e.api("/api/v1/conversions", strings.Replace(body, "49.90", "59.90", 1))
	if other.Code != http.StatusConflict || errorCode(t, other) != codeConflict {
		t.Errorf("same order, other content: %d %s, want 409 conflict", other.Code, other.Body)
	}
}

func TestConversionUnattributed(t *testing.T) {
	e := newEnv(t, Config{})
	rr := e.api("/api/v1/conversions", `{"order_id":"o-9","customer_id":"walk-in","amount":49.5,"currency":"usd"}`)
	if rr.Code != http.StatusCreated {
		t.Fatalf("%d %s", rr.Code, rr.Body)
	}
	m := jsonBody(t, rr)
	if m["attributed"] != false || m["partner_id"] != nil || m["commission"] != nil {
		t.Errorf("unattributed conversion: %s", rr.Body)
	}
	if !strings.Contains(rr.Body.String(), `"partner_id":null`) || !strings.Contains(rr.Body.String(), `"commission":null`) {
		t.Errorf("partner_id and commission must be null: %s", rr.Body)
	}
	if m["amount"] != "49.50" || m["kind"] != "sale" || m["currency"] != "USD" {
		t.Errorf("a JSON number amount keeps its value, kind defaults to sale: %s", rr.Body)
	}
}

func TestConversionByRef(t *testing.T) {
	e := newEnv(t, Config{})
	// A code never clicked cannot show its referral is within the cookie
	// lifetime: recorded unattributed, and the answer says why.
	rr := e.api("/api/v1/conversions", `{"order_id":"o-n","customer_id":"c-n","amount":"100","ref":"`+e.partner.Code+`"}`)
	if rr.Code != http.StatusCreated {
		t.Fatalf("%d %s", rr.Code, rr.Body)
	}
	m := jsonBody(t, rr)
	if w, _ := m["warnings"].([]any); m["attributed"] != false || m["commission"] != nil || len(w) != 1 ||
		w[0] != "ref "+e.partner.Code+" has no click within the cookie lifetime" {
		t.Errorf("ref never clicked: %s", rr.Body)
	}
	e.click(e.partner.Code)
	rr = e.api("/api/v1/conversions", `{"order_id":"o-r","customer_id":"c-r","amount":"100","ref":"`+e.partner.Code+`"}`)
	if rr.Code != http.StatusCreated {
		t.Fatalf("%d %s", rr.Code, rr.Body)
	}
	m = jsonBody(t, rr)
	cm, _ := m["commission"].(map[string]any)
	if m["partner_id"] != float64(e.partner.ID) || cm == nil || cm["amount"] != "20.00" {
		t.Errorf("ref conversion: %s", rr.Body)
	}
}

func TestConversionConcurrentSameOrder(t *testing.T) {
	e := newEnv(t, Config{APIRateLimit: 0})
	e.click(e.partner.Code)
	const n = 100
	codes := make([]int, n)
	bodies := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := e.api("/api/v1/conversions", `{"order_id":"race-1","customer_id":"c","amount":"10.00","ref":"`+e.partner.Code+`"}`)
			codes[i], bodies[i] = rr.Code, rr.Body.String()
		}()
	}
	wg.Wait()
	created := 0
	for i, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("request %d: %d %s", i, c, bodies[i])
		}
		if bodies[i] != bodies[0] {
			t.Errorf("request %d body differs:\n%s\n%s", i, bodies[0], bodies[i])
		}
	}
	if created != 1 {
		t.Errorf("%d requests answered 201, want exactly 1", created)
	}
	if got := e.conversionCount("acme"); got != 1 {
		t.Errorf("%d conversions stored, want 1", got)
	}
}

func TestConversionAuth(t *testing.T) {
	e := newEnv(t, Config{})
	body := `{"order_id":"o","customer_id":"c","amount":"1.00"}`
	for _, auth := range []string{"", "Bearer", "Bearer ", "Bearer wrong-key", "Basic " + e.apiKey, e.apiKey} {
		var rr = e.request(http.MethodPost, "/api/v1/conversions", body, "Authorization", auth)
		if rr.Code != http.StatusUnauthorized || errorCode(t, rr) != codeUnauthorized {
			t.Errorf("Authorization %q: %d %s, want 401", auth, rr.Code, rr.Body)
		}
	}
	// The scheme is case-insensitive.
	rr := e.request(http.MethodPost, "/api/v1/conversions", body, "Authorization", "bearer "+e.apiKey)
	if rr.Code != http.StatusCreated {
		t.Errorf("lower-case bearer: %d %s", rr.Code, rr.Body)
	}
	if e.conversionCount("acme") != 1 {
		t.Error("an unauthorised request was written")
	}
}

func TestConversionTooLarge(t *testing.T) {
	e := newEnv(t, Config{})
	big := `{"order_id":"o","customer_id":"c","amount":"1.00","pad":"` + strings.Repeat("x", 65<<10) + `"}`
	rr := e.api("/api/v1/conversions", big)
	if rr.Code != http.StatusRequestEntityTooLarge || errorCode(t, rr) != codeTooLarge {
		t.Errorf("%d %s, want 413 too_large", rr.Code, rr.Body)
	}
	rr = e.api("/api/v1/refunds", big)
	if rr.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("refunds: %d, want 413", rr.Code)
	}
}

func TestConversionInvalid(t *testing.T) {
	e := newEnv(t, Config{})
	long := strings.Repeat("o", 201)
	tests := []struct{ name, body string }{
		{"zero", `{"order_id":"o","customer_id":"c","amount":"0"}`},
		{"zero decimals", `{"order_id":"o","customer_id":"c","amount":"0.00"}`},
		{"negative", `{"order_id":"o","customer_id":"c","amount":"-1"}`},
		{"words", `{"order_id":"o","customer_id":"c","amount":"abc"}`},
		{"exponent", `{"order_id":"o","customer_id":"c","amount":"1e3"}`},
		{"exponent number", `{"order_id":"o","customer_id":"c","amount":1e3}`},
		{"negative number", `{"order_id":"o","customer_id":"c","amount":-5}`},
		{"too precise", `{"order_id":"o","customer_id":"c","amount":"10.001"}`},
		{"too precise number", `{"order_id":"o","customer_id":"c","amount":10.001}`},
		{"plus sign", `{"order_id":"o","customer_id":"c","amount":"+5"}`},
		{"empty amount", `{"order_id":"o","customer_id":"c","amount":""}`},
		{"no amount", `{"order_id":"o","customer_id":"c"}`},
		{"wrong currency", `{"order_id":"o","customer_id":"c","amount":"10.00","currency":"EUR"}`},
		{"unknown currency", `{"order_id":"o","customer_id":"c","amount":"10.00","currency":"XYZ"}`},
		{"bad kind", `{"order_id":"o","customer_id":"c","amount":"10.00","kind":"refund"}`},
		{"bad occurred_at", `{"order_id":"o","customer_id":"c","amount":"10.00","occurred_at":"yesterday"}`},
		{"date only", `{"order_id":"o","customer_id":"c","amount":"10.00","occurred_at":"2025-06-01"}`},
		{"no order", `{"customer_id":"c","amount":"10.00"}`},
		{"blank order", `{"order_id":"  ","customer_id":"c","amount":"10.00"}`},
		{"no customer", `{"order_id":"o","amount":"10.00"}`},
		{"long order", `{"order_id":"` + long + `","customer_id":"c","amount":"10.00"}`},
		{"control char", `{"order_id":"o\u001b[2J","customer_id":"c","amount":"10.00"}`},
		{"bad email", `{"order_id":"o","customer_id":"c","amount":"10.00","customer_email":"nobody"}`},
		{"bad click", `{"order_id":"o","customer_id":"c","amount":"10.00","click_id":"not-a-click"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := e.api("/api/v1/conversions", tt.body)
			if rr.Code != http.StatusUnprocessableEntity || errorCode(t, rr) != codeInvalid {
				t.Errorf("%s: %d %s, want 422 invalid", tt.body, rr.Code, rr.Body)
			}
		})
	}
	if n := e.conversionCount("acme"); n != 0 {
		t.Errorf("%d invalid conversions were written", n)
	}
}

func TestConversionMalformed(t *testing.T) {
	e := newEnv(t, Config{})
	for _, body := range []string{
		``, `{`, `not json`, `[]`, `"text"`, `null`, `42`,
		`{"order_id":"o","customer_id":"c","amount":"1.00"} trailing`,
		`{"order_id":{"x":1},"customer_id":"c","amount":"1.00"}`,
		`{"order_id":"o","customer_id":true,"amount":"1.00"}`,
		`{"order_id":"o","customer_id":"c","amount":["1.00"]}`,
		`{"order_id":"o","customer_id":"c","amount":"1.00","currency":5}`,
		`{"order_id":"o","customer_id":"c","amount":"1.00","kind":1}`,
	} {
		rr := e.api("/api/v1/conversions", body)
		if rr.Code != http.StatusBadRequest || errorCode(t, rr) != codeBadRequest {
			t.Errorf("%q: %d %s, want 400 bad_request", body, rr.Code, rr.Body)
		}
	}
}

func TestConversionRateLimit(t *testing.T) {
	e := newEnv(t, Config{APIRateLimit: 2})
	send := func(i int) *httptest.ResponseRecorder {
		return e.api("/api/v1/conversions", `{"order_id":"rl-`+string(rune('a'+i))+`","customer_id":"c","amount":"1.00"}`)
	}
	for i := range 2 {
		if rr := send(i); rr.Code != http.StatusCreated {
			t.Fatalf("request %d within the burst: %d %s", i, rr.Code, rr.Body)
		}
	}
	rr := send(2)
	if rr.Code != http.StatusTooManyRequests || errorCode(t, rr) != codeRateLimited {
		t.Fatalf("over the limit: %d %s, want 429", rr.Code, rr.Body)
	}
	if ra := rr.Header().Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	if e.conversionCount("acme") != 2 {
		t.Error("a rate-limited request was written")
	}
	// Bad keys are refused before the bucket; refunds share the key's bucket.
	if rr := e.api("/api/v1/refunds", `{"refund_id":"r","order_id":"rl-a"}`); rr.Code != http.StatusTooManyRequests {
		t.Errorf("refund over the limit: %d", rr.Code)
	}
	e.clock.Add(time.Second)
	if rr := send(3); rr.Code != http.StatusCreated {
		t.Errorf("after a second: %d %s", rr.Code, rr.Body)
	}
	if got := e.metric("affogato_api_rate_limited_total"); got != 2 {
		t.Errorf("rate-limited metric %v, want 2", got)
	}
}

func TestRefunds(t *testing.T) {
	e := newEnv(t, Config{})
	e.click(e.partner.Code)
	rr := e.api("/api/v1/conversions", `{"order_id":"sale-1","customer_id":"c1","amount":"100.00","ref":"`+e.partner.Code+`"}`)
	if rr.Code != http.StatusCreated {
		t.Fatalf("sale: %d %s", rr.Code, rr.Body)
	}
	check := func(rr *httptest.ResponseRecorder, status int, want map[string]any) {
		t.Helper()
		if rr.Code != status {
			t.Fatalf("%d %s, want %d", rr.Code, rr.Body, status)
		}
		m := jsonBody(t, rr)
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s = %v, want %v (%s)", k, m[k], v, rr.Body)
			}
		}
	}
	partial := e.api("/api/v1/refunds", `{"refund_id":"rf-1","order_id":"sale-1","amount":"30.00"}`)
	check(partial, http.StatusCreated, map[string]any{"refund_id": "rf-1", "order_id": "sale-1",
		"amount": "30.00", "reversed": "6.00", "clawback": "0.00"})

	again := e.api("/api/v1/refunds", `{"refund_id":"rf-1","order_id":"sale-1","amount":"30.00"}`)
	check(again, http.StatusOK, nil)
	if again.Body.String() != partial.Body.String() {
		t.Errorf("repeat body differs:\n%s\n%s", partial.Body, again.Body)
	}
	conflict := e.api("/api/v1/refunds", `{"refund_id":"rf-1","order_id":"sale-1","amount":"31.00"}`)
	if conflict.Code != http.StatusConflict {
		t.Errorf("same refund id, other amount: %d %s, want 409", conflict.Code, conflict.Body)
	}

	rest := e.api("/api/v1/refunds", `{"refund_id":"rf-2","order_id":"sale-1"}`)
	check(rest, http.StatusCreated, map[string]any{"amount": "70.00", "reversed": "14.00"})

	beyond := e.api("/api/v1/refunds", `{"refund_id":"rf-3","order_id":"sale-1","amount":"0.01"}`)
	if beyond.Code != http.StatusUnprocessableEntity || errorCode(t, beyond) != codeInvalid {
		t.Errorf("refund beyond the sale: %d %s, want 422", beyond.Code, beyond.Body)
	}
	unknown := e.api("/api/v1/refunds", `{"refund_id":"rf-4","order_id":"no-such-order"}`)
	if unknown.Code != http.StatusNotFound || errorCode(t, unknown) != codeNotFound {
		t.Errorf("unknown order: %d %s, want 404", unknown.Code, unknown.Body)
	}
	if c := e.conversion("acme", "sale-1"); c == nil || !c.Conversion.Refunded.Equal(c.Conversion.Amount) ||
		c.Commission == nil || c.Commission.Net().String() != "0" {
		t.Errorf("after a full refund: %+v", c)
	}
}

func TestRefundInvalid(t *testing.T) {
	e := newEnv(t, Config{})
	if rr := e.api("/api/v1/conversions", `{"order_id":"s","customer_id":"c","amount":"50.00"}`); rr.Code != http.StatusCreated {
		t.Fatalf("sale: %d %s", rr.Code, rr.Body)
	}
	for _, tt := range []struct {
		body   string
		status int
	}{
		{`{"order_id":"s","amount":"1.00"}`, 422},
		{`{"refund_id":"r","amount":"1.00"}`, 422},
		{`{"refund_id":"r","order_id":"s","amount":"0"}`, 422},
		{`{"refund_id":"r","order_id":"s","amount":"-1.00"}`, 422},
		{`{"refund_id":"r","order_id":"s","amount":"1.001"}`, 422},
		{`{"refund_id":"r","order_id":"s","amount":"60.00"}`, 422},
		{`{"refund_id":"r","order_id":"s"`, 400},
		{`{"refund_id":["r"],"order_id":"s"}`, 400},
	} {
		rr := e.api("/api/v1/refunds", tt.body)
		if rr.Code != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.body, rr.Code, rr.Body, tt.status)
		}
	}
	if c := e.conversion("acme", "s"); c == nil || !c.Conversion.Refunded.IsZero() {
		t.Errorf("an invalid refund was written: %+v", c)
	}
}

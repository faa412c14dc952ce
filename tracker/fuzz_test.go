package tracker

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// serve POSTs body in process (env.request calls Helper on the fuzz
// target's F, which a fuzz function must not).
func serve(e *env, path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rr := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rr, req)
	return rr
}

// okAPIStatus are the answers the API may give to any body: never a 500.
var okAPIStatus = map[int]bool{200: true, 201: true, 400: true, 404: true, 409: true, 413: true, 422: true, 429: true}

func checkAPIAnswer(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	if !okAPIStatus[code] {
		t.Fatalf("%s: status %d: %s", what, code, body)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: answer is not JSON: %q", what, body)
	}
	if code >= 400 {
		e, ok := v["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if !ok || msg == "" || !sanitize.Clean(msg) {
			t.Fatalf("%s: error answer %s", what, body)
		}
	}
}

// FuzzConversionAPI posts any body to the conversion API: the answer is a
// JSON success or a JSON error, never a 500, and the ledger's invariants
// hold afterwards (checked when the env closes).
func FuzzConversionAPI(f *testing.F) {
	for _, s := range []string{
		`{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale"}`,
		`{"order_id":"o2","customer_id":"c2","amount":"10","currency":"USD","kind":"renewal","ref":"x"}`,
		`{"order_id":"o3","amount":"0.001","currency":"USD"}`,
		`{"order_id":"o4","customer_id":"c4","amount":"-5","currency":"USD","kind":"sale"}`,
		`{"order_id":"o5","customer_id":"c5","amount":"1e9","currency":"EUR","kind":"sale","click_id":"acme.12"}`,
		`{"order_id":"\u001b]0;x\u0007","customer_id":"c","amount":"1","currency":"USD","kind":"sale"}`,
		`{"order_id":"o6","customer_id":"c6","amount":"5","currency":"USD","kind":"sale","customer_email":"a\u202e@x.test"}`,
		`{"order_id":"o7","customer_id":"c7","amount":"5","currency":"USD","kind":"sale","extra":1}`,
		`[]`, `null`, `{"order_id":1}`, `{`, ``,
	} {
		f.Add(s)
	}
	e := newEnv(f, Config{})
	f.Fuzz(func(t *testing.T, body string) {
		rr := serve(e, "/api/v1/conversions", body, "Authorization", "Bearer "+e.apiKey)
		checkAPIAnswer(t, "conversion", rr.Code, rr.Body.Bytes())
	})
}

// FuzzRefundAPI posts any body to the refund API (a conversion o1 exists).
func FuzzRefundAPI(f *testing.F) {
	for _, s := range []string{
		`{"refund_id":"r1","order_id":"o1","amount":"10.00"}`,
		`{"refund_id":"r2","order_id":"o1","amount":"1000"}`,
		`{"refund_id":"r3","order_id":"o1"}`,
		`{"refund_id":"r4","order_id":"nope","amount":"1"}`,
		`{"refund_id":"r5","order_id":"o1","amount":"0.001"}`,
		`{"refund_id":"\u009b2J","order_id":"o1","amount":"1"}`,
		`{"refund_id":"r6","order_id":"o1","amount":"-1"}`,
		`{}`, `[1]`, `"x"`,
	} {
		f.Add(s)
	}
	e := newEnv(f, Config{})
	rr := e.api("/api/v1/conversions", `{"order_id":"o1","customer_id":"c1","amount":"100.00","currency":"USD","kind":"sale"}`)
	if rr.Code != http.StatusCreated {
		f.Fatalf("seed conversion: %d %s", rr.Code, rr.Body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rr := serve(e, "/api/v1/refunds", body, "Authorization", "Bearer "+e.apiKey)
		checkAPIAnswer(t, "refund", rr.Code, rr.Body.Bytes())
	})
}

// FuzzStripeSignature checks verifyStripe on any header and body: it never
// panics, and it accepts only a header carrying the right HMAC of "t.body"
// for a time within the tolerance.
func FuzzStripeSignature(f *testing.F) {
	now := time.Unix(1748779200, 0)
	body := []byte(`{"id":"evt_1","type":"invoice.paid"}`)
	f.Add(stripeSign(now.Unix(), string(body), whsec), body)
	f.Add(stripeSign(now.Unix()-400, string(body), whsec), body)
	f.Add(stripeSign(now.Unix(), string(body), "other", whsec), body)
	f.Add("t=1748779200,v1=00", body)
	f.Add("v1="+strings.Repeat("a", 64), body)
	f.Add("t=,v1=,v0=,,=", []byte{})
	f.Add("t=1748779200,t=1,v1=zz", []byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := verifyStripe(header, body, []string{whsec}, now)
		if err != nil {
			return
		}
		// Accepted: some v1 must be the HMAC for the t the parser kept.
		var ts string
		var sigs []string
		for _, part := range strings.Split(header, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch k {
			case "t":
				ts = v
			case "v1":
				sigs = append(sigs, strings.ToLower(v))
			}
		}
		n, perr := strconv.ParseInt(ts, 10, 64)
		if perr != nil || now.Sub(time.Unix(n, 0)).Abs() > stripeTolerance {
			t.Fatalf("accepted header %q with time %q", header, ts)
		}
		mac := hmac.New(sha256.New, []byte(whsec))
		mac.Write([]byte(ts + "."))
		mac.Write(body)
		want := hex.EncodeToString(mac.Sum(nil))
		found := false
		for _, s := range sigs {
			if s == want {
				found = true
			}
		}
		if !found {
			t.Fatalf("accepted header %q without the right signature", header)
		}
	})
}

// FuzzStripeEvent posts any correctly signed body to the Stripe webhook:
// it is processed, ignored or refused with a 400, never a 500, and the
// ledger's invariants hold afterwards.
func FuzzStripeEvent(f *testing.F) {
	ev := func(typ, obj string) string {
		return `{"id":"evt_` + typ + `","type":"` + typ + `","created":1748779200,"data":{"object":` + obj + `}}`
	}
	for _, s := range []string{
		ev("checkout.session.completed", `{"id":"cs_1","mode":"payment","payment_status":"paid","amount_total":4990,"currency":"usd","customer":"cus_1","client_reference_id":"1","payment_intent":"pi_1"}`),
		ev("checkout.session.completed", `{"id":"cs_2","mode":"subscription","payment_status":"no_payment_required","customer":"cus_2","client_reference_id":"abc"}`),
		ev("invoice.paid", `{"id":"in_1","amount_paid":990,"currency":"usd","customer":"cus_1","billing_reason":"subscription_cycle"}`),
		ev("charge.refunded", `{"id":"ch_1","amount":4990,"amount_refunded":1000,"currency":"usd","payment_intent":"pi_1"}`),
		ev("charge.refunded", `{"id":"ch_2","amount_refunded":-1,"currency":"jpy","payment_intent":{"id":"pi_1"}}`),
		ev("customer.created", `{}`),
		ev("invoice.paid", `"not an object"`),
		`{"id":"","type":""}`, `{}`, `[`,
	} {
		f.Add(s)
	}
	e := newEnv(f, Config{})
	e.set("acme", "stripe-secret", whsec)
	f.Fuzz(func(t *testing.T, body string) {
		rr := serve(e, "/webhooks/stripe/acme", body, "Stripe-Signature", stripeSign(e.clock.Now().Unix(), body, whsec))
		if rr.Code != http.StatusOK && rr.Code != http.StatusBadRequest && rr.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("stripe event: status %d: %s", rr.Code, rr.Body)
		}
		if !json.Valid(bytes.TrimSpace(rr.Body.Bytes())) {
			t.Fatalf("stripe answer is not JSON: %q", rr.Body)
		}
	})
}

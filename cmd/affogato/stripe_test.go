package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStripeWebhook sends signed Stripe events to the real binary: a paid
// Checkout session carrying the click as client_reference_id is recorded
// and attributed, a repeat of the event changes nothing, a bad signature is
// refused, and charge.refunded reverses the commission.
func TestStripeWebhook(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s)
	const secret = "whsec_e2e_test_secret"
	s.mustSSH(s.adminKey, "program", "set", "acme", "stripe-secret", secret)
	click := followLink(t, sc.link, sc.code)

	send := func(body, sig string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.url("/webhooks/stripe/acme"), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", sig)
		resp, err := noRedirect().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	sign := func(body, key string) string {
		ts := fmt.Sprint(time.Now().Unix())
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(ts + "." + body))
		return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
	}

	checkout := fmt.Sprintf(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","object":"checkout.session",
"payment_status":"paid","amount_total":4990,"currency":"usd","customer":"cus_1","customer_details":{"email":"buyer@example.com"},
"client_reference_id":"%d","payment_intent":"pi_1"}}}`, click)
	if code, body := send(checkout, sign(checkout, "whsec_wrong")); code != http.StatusBadRequest {
		t.Fatalf("bad signature: %d %s", code, body)
	}
	for i := range 2 { // the second delivery is a duplicate
		if code, body := send(checkout, sign(checkout, secret)); code != http.StatusOK {
			t.Fatalf("delivery %d: %d %s", i+1, code, body)
		}
	}
	var convs []conversionOut
	s.sshJSON(s.adminKey, &convs, "conversion", "list", "acme")
	var cs *conversionOut
	for i := range convs {
		if convs[i].OrderID == "cs_1" {
			if cs != nil {
				t.Fatal("the Checkout session was recorded twice")
			}
			cs = &convs[i]
		}
	}
	if cs == nil || !cs.Attributed || cs.PartnerID == nil || *cs.PartnerID != sc.partnerID ||
		cs.Amount != "49.90" || cs.Commission == nil || cs.Commission.Amount != "9.98" {
		t.Fatalf("Stripe conversion = %+v", cs)
	}

	refund := `{"id":"evt_2","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","payment_intent":"pi_1","amount_refunded":2495,"currency":"usd"}}}`
	if code, body := send(refund, sign(refund, secret)); code != http.StatusOK {
		t.Fatalf("charge.refunded: %d %s", code, body)
	}
	var comms []struct {
		ID     uint64 `json:"id"`
		Amount string `json:"amount"`
		Net    string `json:"net"`
	}
	s.sshJSON(s.adminKey, &comms, "commission", "list", "acme")
	found := false
	for _, c := range comms {
		if c.ID == cs.Commission.ID {
			found = true
			if c.Net != "4.99" {
				t.Fatalf("commission after a half refund: %+v, want net 4.99", c)
			}
		}
	}
	if !found {
		t.Fatalf("commission %d not in commission list", cs.Commission.ID)
	}
}

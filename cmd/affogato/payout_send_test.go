package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakePayPal is a small stand-in for PayPal's Payouts API: OAuth2 client
// credentials, create batch payout (refusing a reused sender_batch_id, as
// PayPal does) and show payout batch with every item SUCCESS.
type fakePayPal struct {
	mu       sync.Mutex
	batches  map[string][]map[string]any // payout_batch_id → items as sent
	senderID map[string]string           // sender_batch_id → payout_batch_id
	creates  int
	authOK   bool
}

func (f *fakePayPal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/oauth2/token":
		id, secret, ok := r.BasicAuth()
		if !ok || id != "client-id" || secret != "client-secret" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client","error_description":"Client Authentication failed"}`))
			return
		}
		f.authOK = true
		w.Write([]byte(`{"access_token":"tok-1","token_type":"Bearer","expires_in":32400}`))
	case r.Header.Get("Authorization") != "Bearer tok-1":
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"name":"AUTHENTICATION_FAILURE","message":"no token"}`))
	case r.Method == http.MethodPost && r.URL.Path == "/v1/payments/payouts":
		var req struct {
			Header struct {
				SenderBatchID string `json:"sender_batch_id"`
			} `json:"sender_batch_header"`
			Items []map[string]any `json:"items"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Header.SenderBatchID == "" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"name":"VALIDATION_ERROR","message":"bad body"}`))
			return
		}
		if _, dup := f.senderID[req.Header.SenderBatchID]; dup {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"name":"USER_BUSINESS_ERROR","message":"User business error.","details":[{"field":"SENDER_BATCH_ID","issue":"Batch with given sender_batch_id already exists"}]}`))
			return
		}
		f.creates++
		id := "PB" + strconv.Itoa(f.creates)
		f.senderID[req.Header.SenderBatchID] = id
		f.batches[id] = req.Items
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"batch_header": map[string]any{"payout_batch_id": id,
			"batch_status": "PENDING", "sender_batch_header": req.Header}})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payments/payouts/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/payments/payouts/")
		items, ok := f.batches[id]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"name":"INVALID_RESOURCE_ID","message":"not found"}`))
			return
		}
		var out []map[string]any
		for i, it := range items {
			out = append(out, map[string]any{"payout_item_id": id + "-" + strconv.Itoa(i), "transaction_status": "SUCCESS",
				"payout_batch_id": id, "payout_item": it})
		}
		json.NewEncoder(w).Encode(map[string]any{"batch_header": map[string]any{"payout_batch_id": id,
			"batch_status": "SUCCESS"}, "items": out})
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"name":"NOT_FOUND","message":"no route"}`))
	}
}

// TestPayoutSendPayPal pays a partner through the PayPal Payouts API (a
// fake on loopback) from the real binary over ssh: the amount arrives once,
// the partner sees it paid, a second send pays nothing, and the secret is
// never printed back.
func TestPayoutSendPayPal(t *testing.T) {
	t.Parallel()
	fake := &fakePayPal{batches: map[string][]map[string]any{}, senderID: map[string]string{}}
	pp := httptest.NewServer(fake)
	defer pp.Close()

	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s, "--min-payout", "5")
	s.mustSSH(sc.partnerKey, "profile", "set", "paypal", "pat@pay.test")
	for _, kv := range [][2]string{{"paypal-client-id", "client-id"}, {"paypal-secret", "client-secret"}, {"paypal-base-url", pp.URL}} {
		s.mustSSH(s.adminKey, "program", "set", "acme", kv[0], kv[1])
	}
	if out := s.mustSSH(s.adminKey, "program", "show", "acme", "--json"); strings.Contains(out, "client-secret") {
		t.Fatalf("program show prints the PayPal secret:\n%s", out)
	}

	var batch struct {
		Batch uint64 `json:"batch"`
		Total string `json:"total"`
	}
	s.sshJSON(s.adminKey, &batch, "payout", "create", "acme")
	if batch.Batch == 0 || batch.Total != "9.98" {
		t.Fatalf("payout create = %+v", batch)
	}
	id := strconv.FormatUint(batch.Batch, 10)
	out, errOut, code := s.ssh(s.adminKey, "payout", "send", id)
	if code != 0 {
		t.Fatalf("payout send exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "client-secret") {
		t.Fatalf("payout send printed the secret:\n%s%s", out, errOut)
	}

	fake.mu.Lock()
	creates, items := fake.creates, fake.batches["PB1"]
	fake.mu.Unlock()
	if creates != 1 || len(items) != 1 {
		t.Fatalf("PayPal got %d batches, first with %d items; want 1 with 1", creates, len(items))
	}
	amount, _ := items[0]["amount"].(map[string]any)
	if items[0]["receiver"] != "pat@pay.test" || amount["value"] != "9.98" || amount["currency"] != "USD" {
		t.Fatalf("PayPal item = %+v", items[0])
	}
	if got := s.stats(sc.partnerKey, "acme"); got.Paid != "9.98" || got.InPayout != "0.00" || got.Approved != "0.00" {
		t.Fatalf("partner stats after the PayPal payout = %+v", got)
	}

	// Sending again pays nobody twice.
	s.ssh(s.adminKey, "payout", "send", id)
	fake.mu.Lock()
	creates = fake.creates
	fake.mu.Unlock()
	if creates != 1 {
		t.Fatalf("a second send created %d PayPal batches", creates)
	}
	// Reconciling is for the merchant only, and a paid batch has nothing
	// to reconcile.
	if _, errOut, code := s.ssh(sc.partnerKey, "payout", "reconcile", id, "PB1"); code == 0 || errOut == "" {
		t.Fatalf("a partner reconciled a batch (exit %d)", code)
	}
	if out, errOut, code := s.ssh(s.adminKey, "payout", "reconcile", id, "PB999"); code == 0 {
		t.Fatalf("reconcile of a paid batch with a foreign id succeeded:\n%s%s", out, errOut)
	} else {
		t.Logf("reconcile refused: %s", strings.TrimSpace(errOut))
	}
	var list []struct {
		Batch  uint64 `json:"batch"`
		Status string `json:"status"`
	}
	s.sshJSON(s.adminKey, &list, "payout", "list", "acme")
	if len(list) != 1 || list[0].Status != "paid" {
		t.Fatalf("payout list = %+v", list)
	}
}

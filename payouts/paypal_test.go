package payouts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

func ppClient(t *testing.T, f *fakePayPal, hc *http.Client) *PayPalClient {
	t.Helper()
	if hc == nil {
		hc = loopbackGuard(0).Client()
	}
	c, err := NewPayPalClient(f.srv.URL, f.clientID, f.secret, hc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ppRequest(sender string, n int) PayPalPayoutRequest {
	req := PayPalPayoutRequest{SenderBatchHeader: PayPalSenderBatchHeader{SenderBatchID: sender, RecipientType: "EMAIL"}}
	for i := 1; i <= n; i++ {
		req.Items = append(req.Items, PayPalPayoutItem{RecipientType: "EMAIL",
			Amount: PayPalAmount{Value: "10.00", Currency: "USD"}, Receiver: fmt.Sprintf("r%d@x.test", i),
			SenderItemID: fmt.Sprintf("1-%d", i)})
	}
	return req
}

func TestPayPalCreateShowAndTokenCache(t *testing.T) {
	f := newFakePayPal(t)
	c := ppClient(t, f, nil)
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	ctx := context.Background()

	hdr, err := c.CreatePayout(ctx, ppRequest("s-1", 2500))
	if err != nil {
		t.Fatal(err)
	}
	if hdr.PayoutBatchID != "PB0001" {
		t.Errorf("payout batch id = %q", hdr.PayoutBatchID)
	}
	pb, err := c.ShowPayout(ctx, hdr.PayoutBatchID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pb.Items) != 2500 || pb.Items[2499].PayoutItem.SenderItemID != "1-2500" {
		t.Errorf("show payout read %d items over pages", len(pb.Items))
	}
	if pb.BatchHeader.SenderBatchHeader.SenderBatchID != "s-1" {
		t.Errorf("sender batch id = %q", pb.BatchHeader.SenderBatchHeader.SenderBatchID)
	}
	if f.tokenCalls != 1 {
		t.Errorf("token fetched %d times, want 1 (cached)", f.tokenCalls)
	}
	// Near expiry (9h minus a 5-minute margin) a new token is fetched.
	now = now.Add(9*time.Hour - 4*time.Minute)
	if _, err := c.ShowPayout(ctx, hdr.PayoutBatchID); err != nil {
		t.Fatal(err)
	}
	if f.tokenCalls != 2 {
		t.Errorf("token fetched %d times after expiry, want 2", f.tokenCalls)
	}
	// A token PayPal stops accepting is replaced once, transparently.
	f.revokeTokens()
	if _, err := c.ShowPayout(ctx, hdr.PayoutBatchID); err != nil {
		t.Fatalf("after revoked token: %v", err)
	}
	if f.tokenCalls != 3 {
		t.Errorf("token fetched %d times after revocation, want 3", f.tokenCalls)
	}
}

func TestPayPalDuplicate(t *testing.T) {
	f := newFakePayPal(t)
	c := ppClient(t, f, nil)
	ctx := context.Background()
	if _, err := c.CreatePayout(ctx, ppRequest("s-dup", 1)); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreatePayout(ctx, ppRequest("s-dup", 1))
	de, ok := errAs[*DuplicateBatchError](err)
	if !ok || de.PayoutBatchID != "PB0001" || de.SenderBatchID != "s-dup" {
		t.Fatalf("duplicate err = %#v", err)
	}
	f.dupLinks = false
	_, err = c.CreatePayout(ctx, ppRequest("s-dup", 1))
	de, ok = errAs[*DuplicateBatchError](err)
	if !ok || de.PayoutBatchID != "" {
		t.Fatalf("duplicate without link err = %#v", err)
	}
	if _, accepted, pay := f.counts(); accepted != 1 || pay["r1@x.test"] != 1 {
		t.Errorf("accepted %d batches, paid r1 %d times", accepted, pay["r1@x.test"])
	}
}

func TestPayPalErrorShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		fault     canned
		wantIn    []string
		status    int
		retryable bool
		refused   bool
	}{
		{"bad credentials", canned{path: "/v1/oauth2/token", status: 401,
			body: `{"error":"invalid_client","error_description":"Client Authentication failed"}`},
			[]string{"PayPal get access token: HTTP 401 invalid_client: Client Authentication failed", "paypal-client-id"}, 401, false, true},
		{"validation", canned{path: "/v1/payments/payouts", status: 400,
			body: `{"name":"VALIDATION_ERROR","message":"Invalid request - see details","debug_id":"abc123","details":[{"field":"items[0].receiver","location":"body","issue":"Receiver is invalid or does not match with type"}]}`},
			[]string{"HTTP 400 VALIDATION_ERROR: Invalid request - see details (items[0].receiver: Receiver is invalid", "[debug id abc123]"}, 400, false, true},
		{"insufficient funds", canned{path: "/v1/payments/payouts", status: 422,
			body: `{"name":"INSUFFICIENT_FUNDS","message":"Sender does not have sufficient funds.","debug_id":"d2"}`},
			[]string{"HTTP 422 INSUFFICIENT_FUNDS: Sender does not have sufficient funds."}, 422, false, true},
		{"rate limited", canned{path: "/v1/payments/payouts", status: 429, header: map[string]string{"Retry-After": "30"},
			body: `{"name":"RATE_LIMIT_REACHED","message":"Too many requests. Blocked due to rate limiting."}`},
			[]string{"HTTP 429 RATE_LIMIT_REACHED", "retry after 30s"}, 429, true, false},
		{"server error html", canned{path: "/v1/payments/payouts", status: 502, body: "<html><body>Bad Gateway</body></html>"},
			[]string{"HTTP 502 bad gateway", "safe to retry"}, 502, true, false}, // a non-JSON body is never echoed
		{"server error json", canned{path: "/v1/payments/payouts", status: 500,
			body: `{"name":"INTERNAL_SERVER_ERROR","message":"An internal server error occurred.","debug_id":"d5"}`},
			[]string{"HTTP 500 INTERNAL_SERVER_ERROR"}, 500, true, false},
		{"empty 503", canned{path: "/v1/payments/payouts", status: 503},
			[]string{"HTTP 503 service unavailable"}, 503, true, false},
		{"malformed success", canned{path: "/v1/payments/payouts", status: 201, body: `{"batch_header":`},
			[]string{"unreadable body", "malformed JSON"}, 201, true, false},
		{"success without id", canned{path: "/v1/payments/payouts", status: 201, body: `{"batch_header":{}}`},
			[]string{"no payout_batch_id"}, 201, true, false},
		{"dropped connection", canned{path: "/v1/payments/payouts", drop: true},
			[]string{"no answer"}, 0, true, false},
		{"timeout", canned{path: "/v1/payments/payouts", status: 201, delay: 2 * time.Second},
			[]string{"no answer", "Timeout"}, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePayPal(t)
			f.add(tt.fault)
			c := ppClient(t, f, loopbackGuard(300*time.Millisecond).Client())
			_, err := c.CreatePayout(ctx, ppRequest("s-err", 1))
			pe, ok := isProviderError(err)
			if !ok {
				t.Fatalf("err = %v (%T), want a *ProviderError", err, err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if pe.Status != tt.status || pe.Retryable() != tt.retryable || pe.Refused() != tt.refused {
				t.Errorf("status %d retryable %v refused %v; want %d %v %v", pe.Status, pe.Retryable(), pe.Refused(),
					tt.status, tt.retryable, tt.refused)
			}
			if strings.Contains(err.Error(), f.secret) || strings.Contains(err.Error(), "A21AA-token") {
				t.Errorf("error leaks a credential: %v", err)
			}
		})
	}
}

func TestPayPalContextCancel(t *testing.T) {
	f := newFakePayPal(t)
	f.add(canned{path: "/v1/payments/payouts", status: 201, delay: 5 * time.Second})
	c := ppClient(t, f, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreatePayout(ctx, ppRequest("s-ctx", 1))
	if pe, ok := isProviderError(err); !ok || !pe.Retryable() || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestPayPalItemOutcome(t *testing.T) {
	for status, want := range map[string]string{
		"SUCCESS": store.ItemPaid, "FAILED": store.ItemFailed, "RETURNED": store.ItemFailed,
		"BLOCKED": store.ItemFailed, "REFUNDED": store.ItemFailed, "REVERSED": store.ItemFailed,
		"PENDING": store.ItemSent, "UNCLAIMED": store.ItemSent, "ONHOLD": store.ItemSent, "NEW": store.ItemSent,
	} {
		if got := PayPalItemOutcome(status); got != want {
			t.Errorf("PayPalItemOutcome(%s) = %s, want %s", status, got, want)
		}
	}
}

func TestBaseURLs(t *testing.T) {
	c, err := NewPayPalClient("", "id", "secret", nil)
	if err != nil || c.BaseURL() != PayPalSandboxURL {
		t.Errorf("default PayPal base = %v, %v", c, err)
	}
	w, err := NewWiseClient("", "tok", "12", nil)
	if err != nil || w.BaseURL() != WiseLiveURL {
		t.Errorf("default Wise base = %v, %v", w, err)
	}
	for _, bad := range []string{"http://api-m.paypal.com", "https://u:p@api-m.paypal.com", "not a url"} {
		if _, err := NewPayPalClient(bad, "id", "secret", nil); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
	if _, err := NewPayPalClient(PayPalLiveURL, "", "secret", nil); err == nil {
		t.Error("missing client id accepted")
	}
	if _, err := NewWiseClient("", "tok", "abc", nil); err == nil {
		t.Error("non-numeric Wise profile accepted")
	}
}

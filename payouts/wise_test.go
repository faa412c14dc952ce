package payouts

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

func wiseClient(t *testing.T, f *fakeWise, hc *http.Client) *WiseClient {
	t.Helper()
	if hc == nil {
		hc = loopbackGuard(0).Client()
	}
	c, err := NewWiseClient(f.srv.URL, f.token, f.profile, hc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWiseTransferFlow(t *testing.T) {
	f := newFakeWise(t)
	c := wiseClient(t, f, nil)
	ctx := context.Background()
	q, err := c.CreateQuote(ctx, "USD", "EUR", dec("120.5"))
	if err != nil {
		t.Fatal(err)
	}
	if q.SourceAmount.String() != "120.50" {
		t.Errorf("quote sourceAmount = %s, want the exact decimal 120.50", q.SourceAmount)
	}
	rc, err := c.CreateEmailRecipient(ctx, "EUR", "Bob Stone", "bob@y.test")
	if err != nil {
		t.Fatal(err)
	}
	req := WiseTransferRequest{TargetAccount: rc.ID, QuoteUUID: q.ID,
		CustomerTransactionID: WiseTransactionID(testBatch(1, "USD"), 1), Details: WiseTransferDetails{Reference: "Payout 1"}}
	tr, err := c.CreateTransfer(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != WiseIncomingPaymentWaiting || tr.Details.Reference != "Payout 1" {
		t.Errorf("transfer = %+v", tr)
	}
	// The same customerTransactionId with a fresh quote is the same transfer.
	q2, _ := c.CreateQuote(ctx, "USD", "EUR", dec("120.50"))
	req.QuoteUUID = q2.ID
	again, err := c.CreateTransfer(ctx, req)
	if err != nil || again.ID != tr.ID {
		t.Fatalf("retry made transfer %v (%v), want %d", again, err, tr.ID)
	}
	fund, err := c.FundTransfer(ctx, tr.ID)
	if err != nil || fund.Status != WiseFundingCompleted {
		t.Fatalf("fund = %+v, %v", fund, err)
	}
	got, err := c.Transfer(ctx, tr.ID)
	if err != nil || got.Status != "processing" {
		t.Fatalf("transfer after funding = %+v, %v", got, err)
	}
	if n, funded := f.counts(); n != 1 || funded[tr.ID] != 1 {
		t.Errorf("%d transfers, funded %v", n, funded)
	}
}

func TestWiseErrorShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		token     string
		fault     canned
		wantIn    []string
		status    int
		retryable bool
	}{
		{"bad token", "wrong", canned{}, []string{"Wise create quote: HTTP 401 invalid_token: Invalid token", "wise-token"}, 401, false},
		{"errors array", "", canned{path: "/v3/profiles", status: 422,
			body: `{"errors":[{"code":"error.route.not.supported","message":"This route is not supported","path":"targetCurrency"},{"code":"x","message":"second","path":"sourceAmount"}]}`},
			[]string{"HTTP 422 error.route.not.supported: This route is not supported", "targetCurrency: This route is not supported", "sourceAmount: second"}, 422, false},
		{"plain error", "", canned{path: "/v3/profiles", status: 403,
			body: `{"timestamp":"2025-03-01T10:00:00Z","status":403,"error":"Forbidden","message":"You are forbidden to send this request","path":"/v3/profiles/1/quotes"}`},
			[]string{"HTTP 403 Forbidden: You are forbidden to send this request"}, 403, false},
		{"rate limited", "", canned{path: "/v3/profiles", status: 429, header: map[string]string{"Retry-After": "Sat, 01 Mar 2099 10:00:00 GMT"}},
			[]string{"HTTP 429 too many requests", "retry after"}, 429, true},
		{"server error", "", canned{path: "/v3/profiles", status: 500, body: `{"errors":[{"code":"internal","message":"Something went wrong"}]}`},
			[]string{"HTTP 500 internal: Something went wrong", "safe to retry"}, 500, true},
		{"malformed", "", canned{path: "/v3/profiles", status: 200, body: `not json`},
			[]string{"malformed JSON"}, 200, true},
		{"dropped", "", canned{path: "/v3/profiles", drop: true}, []string{"no answer"}, 0, true},
		{"timeout", "", canned{path: "/v3/profiles", status: 200, delay: 2 * time.Second}, []string{"no answer"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWise(t)
			if tt.fault.status != 0 || tt.fault.drop {
				f.add(tt.fault)
			}
			token := f.token
			if tt.token != "" {
				token = tt.token
			}
			c, err := NewWiseClient(f.srv.URL, token, f.profile, loopbackGuard(300*time.Millisecond).Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateQuote(ctx, "USD", "EUR", dec("10"))
			pe, ok := isProviderError(err)
			if !ok {
				t.Fatalf("err = %v (%T)", err, err)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if pe.Status != tt.status || pe.Retryable() != tt.retryable {
				t.Errorf("status %d retryable %v; want %d %v", pe.Status, pe.Retryable(), tt.status, tt.retryable)
			}
			if strings.Contains(err.Error(), f.token) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestWiseItemOutcome(t *testing.T) {
	for status, want := range map[string]string{
		"outgoing_payment_sent": store.ItemPaid, "cancelled": store.ItemFailed, "funds_refunded": store.ItemFailed,
		"bounced_back": store.ItemFailed, "charged_back": store.ItemFailed, "incoming_payment_waiting": store.ItemSent,
		"processing": store.ItemSent, "funds_converted": store.ItemSent, "unknown": store.ItemSent,
	} {
		if got := WiseItemOutcome(status); got != want {
			t.Errorf("WiseItemOutcome(%s) = %s, want %s", status, got, want)
		}
	}
}

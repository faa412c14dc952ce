package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

// fakeWise is the part of Wise's API a payout uses (quote, email recipient,
// transfer, funding from the balance, transfer status), on loopback, with
// Wise's idempotency rule: one transfer per customerTransactionId. It can
// lose its answer to the first transfer it creates.
type fakeWise struct {
	srv *httptest.Server

	mu          sync.Mutex
	loseOnce    bool // answer 500 after creating the first transfer
	transfers   map[int64]*payouts.WiseTransfer
	byCustTx    map[string]int64
	quotes      map[string]string // quote id → source amount
	recipients  map[int64]string  // recipient id → email
	funded      map[int64]int     // transfer → funding calls that moved money
	paidTo      map[string]string // email → amount of its funded transfers
	statusCalls int
	nextID      int64
}

func newFakeWise(t *testing.T) *fakeWise {
	f := &fakeWise{transfers: map[int64]*payouts.WiseTransfer{}, byCustTx: map[string]int64{},
		quotes: map[string]string{}, recipients: map[int64]string{}, funded: map[int64]int{},
		paidTo: map[string]string{}, nextID: 500}
	writeJSON := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(w http.ResponseWriter, code int, msg string) {
		writeJSON(w, code, map[string]any{"errors": []map[string]string{{"code": "NOT_VALID", "message": msg}}})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/profiles/4242/quotes", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			SourceCurrency, TargetCurrency string
			SourceAmount                   json.Number
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SourceAmount == "" {
			fail(w, 422, "sourceAmount must be a number")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.nextID++
		id := fmt.Sprintf("quote-%d", f.nextID)
		f.quotes[id] = string(in.SourceAmount)
		writeJSON(w, 200, map[string]any{"id": id, "sourceCurrency": in.SourceCurrency, "targetCurrency": in.TargetCurrency,
			"sourceAmount": in.SourceAmount, "rate": 1})
	})
	mux.HandleFunc("POST /v1/accounts", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Currency, Type, AccountHolderName string
			Profile                           int64
			Details                           map[string]string
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Type != "email" || in.Profile != 4242 || in.Details["email"] == "" {
			fail(w, 422, "invalid recipient")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.nextID++
		f.recipients[f.nextID] = in.Details["email"]
		writeJSON(w, 200, map[string]any{"id": f.nextID, "currency": in.Currency, "type": "email", "accountHolderName": in.AccountHolderName})
	})
	mux.HandleFunc("POST /v1/transfers", func(w http.ResponseWriter, r *http.Request) {
		var in payouts.WiseTransferRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.CustomerTransactionID) != 36 {
			fail(w, 422, "customerTransactionId must be a UUID")
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if id, ok := f.byCustTx[in.CustomerTransactionID]; ok {
			writeJSON(w, 200, f.transfers[id]) // a repeat: the same transfer
			return
		}
		amount, ok := f.quotes[in.QuoteUUID]
		if _, known := f.recipients[in.TargetAccount]; !ok || !known {
			fail(w, 422, "unknown quote or recipient")
			return
		}
		f.nextID++
		tr := &payouts.WiseTransfer{ID: f.nextID, Status: payouts.WiseIncomingPaymentWaiting, TargetAccount: in.TargetAccount,
			QuoteUUID: in.QuoteUUID, CustomerTransactionID: in.CustomerTransactionID, SourceCurrency: "USD",
			SourceValue: json.Number(amount), TargetCurrency: "USD", Details: in.Details}
		f.transfers[tr.ID], f.byCustTx[in.CustomerTransactionID] = tr, tr.ID
		if f.loseOnce {
			f.loseOnce = false
			fail(w, 500, "an internal error occurred")
			return
		}
		writeJSON(w, 200, tr)
	})
	mux.HandleFunc("POST /v3/profiles/4242/transfers/{id}/payments", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f.mu.Lock()
		defer f.mu.Unlock()
		tr, ok := f.transfers[id]
		switch {
		case !ok:
			fail(w, 404, "no such transfer")
		case tr.Status != payouts.WiseIncomingPaymentWaiting:
			fail(w, 422, "Transfer is in an invalid state")
		default:
			tr.Status = "processing"
			f.funded[id]++
			f.paidTo[f.recipients[tr.TargetAccount]] = string(tr.SourceValue)
			writeJSON(w, 201, map[string]any{"type": "BALANCE", "status": payouts.WiseFundingCompleted})
		}
	})
	mux.HandleFunc("GET /v1/transfers/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		f.mu.Lock()
		defer f.mu.Unlock()
		f.statusCalls++
		if tr, ok := f.transfers[id]; ok {
			writeJSON(w, 200, tr)
			return
		}
		fail(w, 404, "no such transfer")
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer wise-token" {
			writeJSON(w, 401, map[string]string{"error": "invalid_token"})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// settle moves every funded transfer to Wise's final "sent" status.
func (f *fakeWise) settle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tr := range f.transfers {
		if tr.Status == "processing" {
			tr.Status = payouts.WiseOutgoingPaymentSent
		}
	}
}

// The scheduled batch of a program paying through Wise is sent on its own:
// the lost answer to a transfer is retried after a restart with the same
// customerTransactionId (Wise answers the transfer it made), each partner
// is funded once with what they are owed, and the 15-minute refresh
// records the batch paid once Wise has sent the money.
func TestAutoSendThroughWise(t *testing.T) {
	wise := newFakeWise(t)
	wise.loseOnce = true
	e := newEnv(t, date("2026-05-27T12:00:00Z"))
	e.program("acme", store.ScheduleWeekly)
	for k, v := range map[string]string{"payout-auto-send": "on", "wise-token": "wise-token",
		"wise-profile": "4242", "wise-base-url": wise.srv.URL} {
		e.set("acme", k, v)
	}
	ann, bob := e.partner("acme"), e.partner("acme")
	for _, p := range []*store.Partner{ann, bob} {
		if _, err := e.st.SetProfile(store.Actor{UserID: p.UserID}, "wise", "wise-"+p.Email, "USD"); err != nil {
			t.Fatal(err)
		}
	}
	e.convert("acme", ann, "100.00") // 20.00 at the default 20%
	e.convert("acme", bob, "250.00") // 50.00

	// Monday: the batch is made and sent; the first transfer's answer is
	// lost, so the batch stays "sending".
	e.clk.Set(date("2026-06-01T00:00:00Z"))
	if err := e.sch.Tick(context.Background()); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	if bs := e.batches("acme"); len(bs) != 1 || bs[0].Status != store.BatchSending || bs[0].Period != "2026-W23" {
		t.Fatalf("after the first send: %+v", bs)
	}
	// A crash: restart. The send resumes and every transfer is funded once.
	e.restart()
	e.clk.Add(time.Minute)
	e.tick()
	if b := e.batches("acme")[0]; b.Status != store.BatchSent {
		t.Fatalf("after resume: %s (%s)", b.Status, b.Error)
	}
	wise.mu.Lock()
	if len(wise.transfers) != 2 || len(wise.funded) != 2 ||
		wise.paidTo["wise-"+ann.Email] != "20.00" || wise.paidTo["wise-"+bob.Email] != "50.00" {
		t.Errorf("transfers %d, funded %v, paid %v", len(wise.transfers), wise.funded, wise.paidTo)
	}
	for id, n := range wise.funded {
		if n != 1 {
			t.Errorf("transfer %d funded %d times", id, n)
		}
	}
	calls := wise.statusCalls
	wise.mu.Unlock()

	// Wise sends the money; ticks before the 15-minute refresh read nothing,
	// the refresh records the batch paid.
	wise.settle()
	e.clk.Add(5 * time.Minute)
	e.tick()
	wise.mu.Lock()
	if wise.statusCalls != calls {
		t.Errorf("status read %d times within the refresh interval", wise.statusCalls-calls)
	}
	wise.mu.Unlock()
	if b := e.batches("acme")[0]; b.Status != store.BatchSent {
		t.Fatalf("refreshed before 15 minutes: %s", b.Status)
	}
	e.clk.Add(11 * time.Minute)
	e.tick()
	if b := e.batches("acme")[0]; b.Status != store.BatchPaid {
		t.Fatalf("after the refresh: %s (%s)", b.Status, b.Error)
	}
	// The next week's tick sends nothing more.
	e.clk.Set(date("2026-06-08T00:00:00Z"))
	e.tick()
	wise.mu.Lock()
	defer wise.mu.Unlock()
	if len(wise.transfers) != 2 {
		t.Errorf("%d transfers after the next week's tick, want 2", len(wise.transfers))
	}
}

package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
)

type env struct {
	t     *testing.T
	dir   string
	clk   *testclock.Clock
	st    *store.Store
	admin store.Actor
	pay   *payouts.Service
	sch   *Scheduler
	n     int
}

func newEnv(t *testing.T, start time.Time) *env {
	e := &env{t: t, dir: t.TempDir(), clk: testclock.New(start)}
	e.open()
	u, err := e.st.CreateUser("Admin", "admin@merchant.test", "SHA256:admin", "ssh-ed25519 AAAAadmin")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = store.Actor{UserID: u.ID, Admin: true}
	t.Cleanup(func() {
		vs, err := e.st.Check()
		if err != nil {
			t.Error(err)
		}
		for _, v := range vs {
			t.Errorf("invariant: %s", v.What)
		}
		e.st.Close()
	})
	return e
}

// open (re)opens the store and makes a new scheduler: a server restart.
func (e *env) open() {
	st, err := store.Open(e.dir, store.Options{Now: e.clk.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.pay = payouts.NewService(st, outbound.New(outbound.Options{AllowPrivate: true, Timeout: 5 * time.Second}), nil)
	e.sch = New(Config{Store: st, Payouts: e.pay})
}

func (e *env) restart() {
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

func (e *env) set(slug, k, v string) {
	e.t.Helper()
	if _, err := e.st.SetProgram(e.admin, slug, k, v); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) program(slug, schedule string) {
	e.t.Helper()
	hold := 0
	if _, _, err := e.st.CreateProgram(e.admin, store.ProgramInput{Slug: slug, Name: "Program " + slug,
		URL: "https://" + slug + ".test", HoldDays: &hold, MinPayout: "10.00"}, false); err != nil {
		e.t.Fatal(err)
	}
	e.set(slug, "payout-schedule", schedule)
}

// partner makes an approved partner paid through PayPal.
func (e *env) partner(slug string) *store.Partner {
	e.t.Helper()
	e.n++
	u, err := e.st.CreateUser(fmt.Sprintf("Partner %d", e.n), fmt.Sprintf("p%d@partners.test", e.n),
		fmt.Sprintf("SHA256:p%d", e.n), "ssh-ed25519 AAAA")
	if err != nil {
		e.t.Fatal(err)
	}
	a := store.Actor{UserID: u.ID}
	p, err := e.st.Join(a, slug, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if p, err = e.st.SetPartnerStatus(e.admin, slug, p.ID, store.PartnerApproved); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.st.SetProfile(a, "paypal", u.Email, ""); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// convert records a sale through p's code, after a click on it (a ref
// attributes only with a click within the cookie lifetime).
func (e *env) convert(slug string, p *store.Partner, amount string) {
	e.t.Helper()
	e.n++
	if _, err := e.st.RecordClick(context.Background(), store.ClickInput{Program: slug, PartnerID: p.ID, Code: p.Code,
		IP: netip.MustParseAddr("192.0.2.1")}); err != nil {
		e.t.Fatal(err)
	}
	if _, _, err := e.st.RecordConversion(slug, store.ConversionInput{OrderID: fmt.Sprintf("o%d", e.n),
		CustomerID: fmt.Sprintf("c%d", e.n), Amount: amount, Currency: "USD", Kind: store.KindSale, Ref: p.Code}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) tick() {
	e.t.Helper()
	if err := e.sch.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick at %s: %v", e.clk.Now(), err)
	}
}

func (e *env) batches(slug string) []store.PayoutBatch {
	e.t.Helper()
	bs, err := e.st.ListPayoutBatches(e.admin, slug)
	if err != nil {
		e.t.Fatal(err)
	}
	return bs
}

// walk ticks every step from the clock's time until end, with a
// conversion for every partner once a day; it returns the periods of the
// batches made, oldest first, and checks each was made at its period start.
func (e *env) walk(slug string, p *store.Partner, step time.Duration, end time.Time, late map[string]bool) []string {
	e.t.Helper()
	lastDay := ""
	for ; !e.clk.Now().After(end); e.clk.Add(step) {
		if d := e.clk.Now().Format("2006-01-02"); d != lastDay {
			lastDay = d
			e.convert(slug, p, "100.00")
		}
		e.tick()
	}
	bs := e.batches(slug)
	var periods []string
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		prog, _ := e.st.Program(slug)
		period, start, _ := store.PayoutPeriod(prog.Schedule(), b.CreatedAt)
		if period != b.Period || (!b.CreatedAt.Equal(start) && !late[period]) {
			e.t.Errorf("batch %d of period %s made at %s (period %s starts %s)", b.ID, b.Period, b.CreatedAt, period, start)
		}
		periods = append(periods, b.Period)
	}
	return periods
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMonthlyAcrossMonthsOfEveryLengthAndYearEnd(t *testing.T) {
	e := newEnv(t, date("2026-01-20T00:00:00Z"))
	e.program("acme", store.ScheduleMonthly)
	p := e.partner("acme")
	got := e.walk("acme", p, 6*time.Hour, date("2027-03-02T00:00:00Z"), nil)
	want := "2026-02 2026-03 2026-04 2026-05 2026-06 2026-07 2026-08 2026-09 2026-10 2026-11 2026-12 2027-01 2027-02 2027-03"
	if strings.Join(got, " ") != want {
		t.Fatalf("monthly periods\n got %v\nwant %s", got, want)
	}
	// February 2026 (28 days) paid the 28 daily conversions of February
	// only; March (31) and April (30) theirs.
	bs := e.batches("acme")
	byPeriod := map[string]string{}
	for _, b := range bs {
		byPeriod[b.Period] = b.Total.StringFixed(2)
	}
	for period, total := range map[string]string{"2026-03": "560.00", "2026-04": "620.00", "2026-05": "600.00", "2027-01": "620.00"} {
		if byPeriod[period] != total {
			t.Errorf("batch of %s pays %s, want %s (20%% of the previous month's days × 100.00)", period, byPeriod[period], total)
		}
	}
}

func TestWeeklyAcrossYearEndWithRestartsAndRepeatedTicks(t *testing.T) {
	e := newEnv(t, date("2026-12-02T00:00:00Z")) // a Wednesday
	e.program("acme", store.ScheduleWeekly)
	p := e.partner("acme")
	e.tick()
	if bs := e.batches("acme"); len(bs) != 0 {
		t.Fatalf("a batch for the week the schedule was turned on in: %+v", bs)
	}
	got := e.walk("acme", p, 4*time.Hour, date("2026-12-27T20:00:00Z"), nil)
	// Down over the year's last Monday: restarted late in the period, the
	// batch is made then, once, however often the scheduler ticks.
	e.clk.Set(date("2026-12-30T13:00:00Z"))
	e.restart()
	e.tick()
	e.tick()
	e.restart()
	e.tick()
	got2 := e.walk("acme", p, time.Hour, date("2027-01-12T00:00:00Z"), map[string]bool{"2026-W53": true})
	want := "2026-W50 2026-W51 2026-W52 2026-W53 2027-W01 2027-W02"
	if strings.Join(got2, " ") != want || strings.Join(got, " ") != "2026-W50 2026-W51 2026-W52" {
		t.Fatalf("weekly periods %v then %v, want %s", got, got2, want)
	}
	if b := e.batches("acme")[2]; b.Period != "2026-W53" || !b.CreatedAt.Equal(date("2026-12-30T13:00:00Z")) {
		t.Fatalf("late batch %s made %s", b.Period, b.CreatedAt)
	}
	// A second server's scheduler on the same store, ticking the same
	// moment, makes nothing more.
	e.clk.Set(date("2027-01-18T00:00:00Z"))
	other := New(Config{Store: e.st})
	var wg sync.WaitGroup
	for _, s := range []*Scheduler{e.sch, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Tick(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	bs := e.batches("acme")
	if len(bs) != 7 || bs[0].Period != "2027-W03" {
		t.Fatalf("%d batches, newest %s", len(bs), bs[0].Period)
	}
}

func TestPeriodWithNobodyAtMinimumMakesNoBatch(t *testing.T) {
	e := newEnv(t, date("2026-06-30T12:00:00Z"))
	e.program("acme", store.ScheduleMonthly)
	p := e.partner("acme")
	e.convert("acme", p, "10.00") // 2.00 of commission, under the 10.00 minimum
	e.clk.Set(date("2026-07-01T00:00:00Z"))
	e.tick()
	if bs := e.batches("acme"); len(bs) != 0 {
		t.Fatalf("batch below the minimum: %+v", bs)
	}
	if r, ok, err := e.st.PeriodRun("acme", "2026-07"); err != nil || !ok || r.Batch != 0 {
		t.Fatalf("period run %+v %v %v", r, ok, err)
	}
	// Reaching the minimum later in the month does not make a batch for a
	// period that already ran.
	e.convert("acme", p, "100.00")
	e.clk.Add(time.Hour)
	e.tick()
	if bs := e.batches("acme"); len(bs) != 0 {
		t.Fatalf("second try for the period: %+v", bs)
	}
}

func TestHoldMaturityApprovesUnflaggedOnly(t *testing.T) {
	e := newEnv(t, date("2026-06-10T12:00:00Z"))
	e.program("acme", store.ScheduleOff)
	e.set("acme", "hold-days", "3")
	p := e.partner("acme")
	e.convert("acme", p, "100.00")
	// Self-referral: flagged, never approved by the hold alone.
	e.n++
	if _, _, err := e.st.RecordConversion("acme", store.ConversionInput{OrderID: "self", CustomerID: "self",
		Amount: "50.00", Currency: "USD", Kind: store.KindSale, Ref: p.Code, CustomerEmail: p.Email}); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(3*24*time.Hour + time.Minute)
	e.tick()
	cs, err := e.st.ListCommissions(e.admin, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range cs {
		got[c.Status]++
	}
	if got[store.CommissionApproved] != 1 || got[store.CommissionPending] != 1 {
		t.Fatalf("statuses %v", got)
	}
}

// fakePayPal is a small PayPal Payouts API: one payout per sender_batch_id,
// items PENDING until released; it can fail once after accepting.
type fakePayPal struct {
	srv *httptest.Server

	mu          sync.Mutex
	failOnce    bool
	status      string // item status reported
	creates     int
	bySender    map[string]string
	batches     map[string]payouts.PayPalPayoutRequest
	payments    map[string]int
	statusCalls int
}

func newFakePayPal(t *testing.T) *fakePayPal {
	f := &fakePayPal{status: payouts.PayPalPending, bySender: map[string]string{},
		batches: map[string]payouts.PayPalPayoutRequest{}, payments: map[string]int{}}
	writeJSON := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		if id, sec, ok := r.BasicAuth(); !ok || id != "pp-id" || sec != "pp-secret" {
			writeJSON(w, 401, map[string]string{"error": "invalid_client"})
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": "tok", "token_type": "Bearer", "expires_in": 32400})
	})
	mux.HandleFunc("POST /v1/payments/payouts", func(w http.ResponseWriter, r *http.Request) {
		var req payouts.PayPalPayoutRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, 400, map[string]any{"name": "MALFORMED_REQUEST", "message": err.Error()})
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.creates++
		sender := req.SenderBatchHeader.SenderBatchID
		if id, ok := f.bySender[sender]; ok {
			writeJSON(w, 400, map[string]any{"name": "USER_BUSINESS_ERROR", "message": "User business error.",
				"details": []map[string]string{{"field": "SENDER_BATCH_ID", "issue": "Batch with given sender_batch_id already exists"}},
				"links":   []map[string]string{{"href": f.srv.URL + "/v1/payments/payouts/" + id, "rel": "self", "method": "GET"}}})
			return
		}
		id := fmt.Sprintf("PB%04d", len(f.batches)+1)
		f.bySender[sender], f.batches[id] = id, req
		for _, it := range req.Items {
			f.payments[it.Receiver]++
		}
		if f.failOnce {
			f.failOnce = false
			writeJSON(w, 500, map[string]any{"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred."})
			return
		}
		writeJSON(w, 201, map[string]any{"batch_header": map[string]any{"payout_batch_id": id, "batch_status": "PENDING",
			"sender_batch_header": req.SenderBatchHeader}})
	})
	mux.HandleFunc("GET /v1/payments/payouts/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.statusCalls++
		id := r.PathValue("id")
		req, ok := f.batches[id]
		if !ok {
			writeJSON(w, 404, map[string]any{"name": "INVALID_RESOURCE_ID", "message": "not found"})
			return
		}
		var items []payouts.PayPalItemDetails
		for i, it := range req.Items {
			items = append(items, payouts.PayPalItemDetails{PayoutItemID: fmt.Sprintf("%s-I%d", id, i+1),
				TransactionStatus: f.status, PayoutBatchID: id, PayoutItem: it})
		}
		bs := "PROCESSING"
		if f.status == payouts.PayPalSuccess {
			bs = "SUCCESS"
		}
		writeJSON(w, 200, map[string]any{"batch_header": map[string]any{"payout_batch_id": id, "batch_status": bs,
			"sender_batch_header": req.SenderBatchHeader}, "items": items, "total_items": len(items), "total_pages": 1})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func TestAutoSendFailsOnceThenPaysEachPartnerOnceAndRefreshSettles(t *testing.T) {
	pp := newFakePayPal(t)
	pp.failOnce = true
	e := newEnv(t, date("2026-05-27T12:00:00Z"))
	e.program("acme", store.ScheduleWeekly)
	for k, v := range map[string]string{"payout-auto-send": "on", "paypal-client-id": "pp-id",
		"paypal-secret": "pp-secret", "paypal-base-url": pp.srv.URL} {
		e.set("acme", k, v)
	}
	ann, bob := e.partner("acme"), e.partner("acme")
	e.convert("acme", ann, "100.00")
	e.convert("acme", bob, "200.00")

	// Monday: the batch is made and sent; PayPal accepts it but the answer
	// is an error, so the batch stays "sending".
	e.clk.Set(date("2026-06-01T00:00:00Z"))
	if err := e.sch.Tick(context.Background()); err == nil {
		t.Fatal("the lost answer was not reported")
	}
	bs := e.batches("acme")
	if len(bs) != 1 || bs[0].Status != store.BatchSending || bs[0].Period != "2026-W23" {
		t.Fatalf("after the first send: %+v", bs)
	}
	// A crash: restart. The send resumes with the same sender_batch_id;
	// PayPal answers "duplicate" with the link to the payout it made, and
	// the items are in flight.
	e.restart()
	e.clk.Add(time.Minute)
	e.tick()
	bs = e.batches("acme")
	if len(bs) != 1 || bs[0].Status != store.BatchSent || bs[0].RemoteID != "PB0001" {
		t.Fatalf("after resume: %+v", bs[0])
	}
	// Ticks within 15 minutes neither send nor refresh.
	pp.mu.Lock()
	calls := pp.statusCalls
	pp.mu.Unlock()
	e.clk.Add(time.Minute)
	e.tick()
	pp.mu.Lock()
	if pp.creates != 2 || pp.statusCalls != calls {
		t.Fatalf("creates %d, status calls %d → %d within the refresh interval", pp.creates, calls, pp.statusCalls)
	}
	pp.mu.Unlock()
	// PayPal settles; the refresh 15 minutes later records it.
	pp.mu.Lock()
	pp.status = payouts.PayPalSuccess
	pp.mu.Unlock()
	e.clk.Add(4 * time.Minute)
	e.tick()
	if b := e.batches("acme")[0]; b.Status != store.BatchSent {
		t.Fatalf("refreshed before 15 minutes: %s", b.Status)
	}
	e.clk.Add(10 * time.Minute)
	e.tick()
	b := e.batches("acme")[0]
	if b.Status != store.BatchPaid {
		t.Fatalf("after refresh: %s (%s)", b.Status, b.Error)
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if len(pp.batches) != 1 || pp.payments[ann.Email] != 1 || pp.payments[bob.Email] != 1 {
		t.Fatalf("PayPal payouts %d, payments %v", len(pp.batches), pp.payments)
	}
	// Settled batches are not refreshed any more.
	calls = pp.statusCalls
	pp.mu.Unlock()
	e.clk.Add(time.Hour)
	e.tick()
	pp.mu.Lock()
	if pp.statusCalls != calls {
		t.Fatalf("a paid batch was refreshed again")
	}
}

func TestAutoSendWithoutCredentialsLeavesTheBatch(t *testing.T) {
	e := newEnv(t, date("2026-05-27T12:00:00Z"))
	e.program("acme", store.ScheduleWeekly)
	e.set("acme", "payout-auto-send", "on")
	e.convert("acme", e.partner("acme"), "100.00")
	e.clk.Set(date("2026-06-01T00:00:00Z"))
	e.tick()
	if bs := e.batches("acme"); len(bs) != 1 || bs[0].Status != store.BatchCreated {
		t.Fatalf("batches %+v", bs)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	e := newEnv(t, date("2026-05-27T12:00:00Z"))
	s := New(Config{Store: e.st, Tick: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

package payouts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/store"
)

// env is a store with program "acme" (USD, 20%, no hold), partners with
// approved commissions, and fake PayPal and Wise servers.
type env struct {
	t     *testing.T
	st    *store.Store
	admin store.Actor
	svc   *Service
	pp    *fakePayPal
	wise  *fakeWise
	logs  *syncBuffer
	now   time.Time
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// partnerSpec is a partner to create: payout method, and sales of 500.00
// each (a commission of 100.00 per sale).
type partnerSpec struct {
	name, email, method, currency string
	sales                         int
}

func newEnv(t *testing.T, partners ...partnerSpec) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), logs: &syncBuffer{}}
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return e.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	u, err := st.CreateUser("Admin", "admin@acme.test", "SHA256:admin", "ssh-ed25519 AAAAadmin")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = store.Actor{UserID: u.ID, Admin: true}
	zero := 0
	if _, _, err := st.CreateProgram(e.admin, store.ProgramInput{Slug: "acme", Name: "Acme", URL: "https://acme.test",
		Currency: "USD", Commission: "20%", AutoApprove: true, HoldDays: &zero}, false); err != nil {
		t.Fatal(err)
	}
	e.pp, e.wise = newFakePayPal(t), newFakeWise(t)
	for k, v := range map[string]string{"paypal-client-id": e.pp.clientID, "paypal-secret": e.pp.secret,
		"paypal-base-url": e.pp.srv.URL, "wise-token": e.wise.token, "wise-profile": e.wise.profile,
		"wise-base-url": e.wise.srv.URL} {
		if _, err := st.SetProgram(e.admin, "acme", k, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range partners {
		pu, err := st.CreateUser(p.name, p.email, fmt.Sprintf("SHA256:p%d", i), fmt.Sprintf("ssh-ed25519 AAAAp%d", i))
		if err != nil {
			t.Fatal(err)
		}
		pa := store.Actor{UserID: pu.ID}
		partner, err := st.Join(pa, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		if p.method != "" {
			if _, err := st.SetProfile(pa, p.method, p.email, p.currency); err != nil {
				t.Fatal(err)
			}
		}
		// A ref attributes only after a click on its code (within the
		// cookie lifetime).
		if _, err := st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: partner.ID,
			Code: partner.Code, IP: netip.MustParseAddr("192.0.2.1")}); err != nil {
			t.Fatal(err)
		}
		for s := 0; s < p.sales; s++ {
			if _, _, err := st.RecordConversion("acme", store.ConversionInput{OrderID: fmt.Sprintf("o-%d-%d", i, s),
				CustomerID: fmt.Sprintf("c-%d-%d", i, s), Amount: "500.00", Currency: "USD", Kind: "sale",
				Ref: partner.Code}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.now = e.now.Add(time.Hour) // past the (zero-day) hold
	e.svc = NewService(st, loopbackGuard(0), log.New(e.logs))
	return e
}

func (e *env) batch() *store.PayoutBatch {
	e.t.Helper()
	b, skipped, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil {
		e.t.Fatalf("create payout batch: %v (skipped %v)", err, skipped)
	}
	return b
}

// statuses is "email:status" of every item, in item order.
func statuses(b *store.PayoutBatch) string {
	var out []string
	for _, it := range b.Items {
		out = append(out, it.Email+":"+it.Status)
	}
	return strings.Join(out, " ")
}

// commissionStatuses counts the program's commissions by status.
func (e *env) commissionStatuses() map[string]int {
	e.t.Helper()
	cs, err := e.st.ListCommissions(e.admin, "acme", "", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range cs {
		out[c.Status]++
	}
	return out
}

// checkLedger asserts the store's invariants and that no secret leaked.
func (e *env) checkLedger(b *store.PayoutBatch) {
	e.t.Helper()
	v, err := e.st.Check()
	if err != nil || len(v) > 0 {
		e.t.Errorf("ledger check: %v %v", v, err)
	}
	for _, secret := range []string{e.pp.secret, e.wise.token, "A21AA-token"} {
		if strings.Contains(e.logs.String(), secret) {
			e.t.Errorf("logs leak %q", secret)
		}
		if b != nil && strings.Contains(b.Error, secret) {
			e.t.Errorf("batch error leaks %q", secret)
		}
	}
}

type progressLog struct {
	mu    sync.Mutex
	lines []string
	last  [2]int
}

func (p *progressLog) fn(done, total int, it store.PayoutItem, msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, fmt.Sprintf("%d/%d %s %s", done, total, it.Email, msg))
	p.last = [2]int{done, total}
}

func TestSendPayPal(t *testing.T) {
	e := newEnv(t,
		partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1},
		partnerSpec{"Bob Stone", "bob@x.test", "paypal", "", 2},
		partnerSpec{"Cy Young", "cy@x.test", "paypal", "", 1},
	)
	e.pp.initial = func(it PayPalPayoutItem) (string, string) {
		if it.Receiver == "cy@x.test" {
			return PayPalUnclaimed, "RECEIVER_UNREGISTERED"
		}
		return PayPalSuccess, ""
	}
	b := e.batch()
	var p progressLog
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, p.fn)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchSent || got.RemoteID != "PB0001" || got.Provider != "paypal" {
		t.Errorf("batch = %s remote %q provider %q", got.Status, got.RemoteID, got.Provider)
	}
	if s := statuses(got); s != "ann@x.test:paid bob@x.test:paid cy@x.test:sent" {
		t.Errorf("items = %s", s)
	}
	if got.Items[1].Amount.String() != "200" || got.Items[2].RemoteID != "PB0001-I3" ||
		!strings.Contains(got.Items[2].Error, "unclaimed") {
		t.Errorf("items = %+v", got.Items)
	}
	if p.last != [2]int{3, 3} {
		t.Errorf("progress ended at %v: %v", p.last, p.lines)
	}
	_, _, pay := e.pp.counts()
	if pay["ann@x.test"] != 1 || pay["bob@x.test"] != 1 || pay["cy@x.test"] != 1 {
		t.Errorf("payments = %v", pay)
	}
	if c := e.commissionStatuses(); c[store.CommissionPaid] != 3 || c[store.CommissionInPayout] != 1 {
		t.Errorf("commissions = %v", c)
	}

	// PayPal returns the unclaimed payout after 30 days: the item fails and
	// its commission is approved again, to be paid in a later batch.
	e.pp.setStatus("cy@x.test", PayPalReturned, "RECEIVER_UNREGISTERED")
	got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchPartial || statuses(got) != "ann@x.test:paid bob@x.test:paid cy@x.test:failed" {
		t.Errorf("after refresh: %s: %s", got.Status, statuses(got))
	}
	if !strings.Contains(got.Items[2].Error, "PayPal RETURNED: RECEIVER_UNREGISTERED") {
		t.Errorf("failure reason = %q", got.Items[2].Error)
	}
	if c := e.commissionStatuses(); c[store.CommissionPaid] != 3 || c[store.CommissionApproved] != 1 {
		t.Errorf("commissions after failure = %v", c)
	}
	// A finished batch is never sent again.
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("resend of a finished batch: %v", err)
	}
	if creates, _, _ := e.pp.counts(); creates != 1 {
		t.Errorf("PayPal saw %d create calls", creates)
	}
	e.checkLedger(got)
}

// A crash after PayPal accepted the batch (the answer never arrives, or a
// 500 comes after PayPal stored it) must never lead to a second payment.
func TestSendPayPalAnswerLost(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault canned
		links bool
	}{
		{"dropped connection", canned{method: "POST", path: "/v1/payments/payouts", after: true, drop: true}, true},
		{"500 after storing", canned{method: "POST", path: "/v1/payments/payouts", after: true, status: 500,
			body: `{"name":"INTERNAL_SERVER_ERROR","message":"An internal server error occurred."}`}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1}, partnerSpec{"Bob Stone", "bob@x.test", "paypal", "", 1})
			e.pp.dupLinks = tt.links
			e.pp.add(tt.fault)
			b := e.batch()
			got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
			if err == nil {
				t.Fatal("send with a lost answer succeeded")
			}
			if got.Status != store.BatchSending || got.RemoteID != "" || !strings.Contains(got.Error, "safe to retry") {
				t.Errorf("after lost answer: %s %q %q", got.Status, got.RemoteID, got.Error)
			}
			if s := statuses(got); s != "ann@x.test:pending bob@x.test:pending" {
				t.Errorf("items = %s", s)
			}
			// Neither exportable (it may be paid) nor lost: send again.
			if _, _, err := e.svc.Export(e.admin, b.ID, FormatPayPalCSV); !errors.Is(err, store.ErrConflict) {
				t.Errorf("export of a batch being sent: %v", err)
			}
			got, err = e.svc.Send(context.Background(), e.admin, b.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != store.BatchPaid || got.RemoteID != "PB0001" || got.Error != "" {
				t.Errorf("after resend: %s %q %q", got.Status, got.RemoteID, got.Error)
			}
			creates, accepted, pay := e.pp.counts()
			if creates != 2 || accepted != 1 || pay["ann@x.test"] != 1 || pay["bob@x.test"] != 1 {
				t.Errorf("creates %d accepted %d payments %v", creates, accepted, pay)
			}
			e.checkLedger(got)
		})
	}
}

// Without a link to the original payout, a duplicate answer leaves the
// batch sent and awaiting reconciliation; it is never sent again.
func TestSendPayPalReconcile(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	e.pp.dupLinks = false
	e.pp.add(canned{method: "POST", path: "/v1/payments/payouts", after: true, drop: true})
	b := e.batch()
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); err == nil {
		t.Fatal("lost answer not reported")
	}
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchSent || got.RemoteID != "" || !strings.Contains(got.Error, "reconcile") ||
		statuses(got) != "ann@x.test:sent" {
		t.Errorf("awaiting reconciliation: %s %q %q %s", got.Status, got.RemoteID, got.Error, statuses(got))
	}
	// Sending again asks PayPal nothing more.
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	if creates, accepted, _ := e.pp.counts(); creates != 2 || accepted != 1 {
		t.Errorf("creates %d accepted %d", creates, accepted)
	}
	// A payout of another batch is refused; the right one is recorded and followed.
	other := PayPalPayoutRequest{SenderBatchHeader: PayPalSenderBatchHeader{SenderBatchID: "someone-else"},
		Items: []PayPalPayoutItem{{RecipientType: "EMAIL", Amount: PayPalAmount{Value: "1.00", Currency: "USD"},
			Receiver: "z@x.test", SenderItemID: "z"}}}
	c := ppClient(t, e.pp, nil)
	if _, err := c.CreatePayout(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReconcilePayPal(context.Background(), e.admin, b.ID, "PB0002", nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("reconcile with another batch's payout: %v", err)
	}
	got, err = e.svc.ReconcilePayPal(context.Background(), e.admin, b.ID, "PB0001", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchPaid || got.RemoteID != "PB0001" || statuses(got) != "ann@x.test:paid" {
		t.Errorf("after reconcile: %s %q %s", got.Status, got.RemoteID, statuses(got))
	}
	e.checkLedger(got)
}

// Errors are recorded on the batch, nothing is marked paid or failed, and
// the send can be retried.
func TestSendPayPalErrors(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	b := e.batch()
	faults := []canned{
		{path: "/v1/oauth2/token", status: 401, body: `{"error":"invalid_client","error_description":"Client Authentication failed"}`},
		{method: "POST", path: "/v1/payments/payouts", status: 429, header: map[string]string{"Retry-After": "20"}},
		{method: "POST", path: "/v1/payments/payouts", status: 503, body: "<html>down</html>"},
		{method: "POST", path: "/v1/payments/payouts", status: 422, body: `{"name":"INSUFFICIENT_FUNDS","message":"Sender does not have sufficient funds.","debug_id":"d1"}`},
	}
	wants := []string{"invalid_client", "retry after 20s", "HTTP 503 service unavailable", "INSUFFICIENT_FUNDS"}
	for i, f := range faults {
		e.pp.add(f)
		got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
		if err == nil || !strings.Contains(err.Error(), wants[i]) {
			t.Errorf("fault %d: err = %v", i, err)
		}
		if got == nil || got.Status != store.BatchSending || !strings.Contains(got.Error, wants[i]) ||
			statuses(got) != "ann@x.test:pending" {
			t.Errorf("fault %d: batch = %+v", i, got)
		}
	}
	// The status read failing after a good send is a notice, not a failure.
	e.pp.add(canned{method: "GET", path: "/v1/payments/payouts/", status: 500})
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchSent || statuses(got) != "ann@x.test:sent" || !strings.Contains(got.Error, "refresh later") {
		t.Errorf("after send with failed status read: %s %s %q", got.Status, statuses(got), got.Error)
	}
	// A refresh that fails records why and keeps the items in flight.
	e.pp.add(canned{method: "GET", path: "/v1/payments/payouts/", status: 504})
	got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err == nil || got.Status != store.BatchSent || !strings.Contains(got.Error, "HTTP 504") {
		t.Errorf("failed refresh: %v, %s %q", err, got.Status, got.Error)
	}
	got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err != nil || got.Status != store.BatchPaid || got.Error != "" {
		t.Errorf("refresh: %v, %s %q", err, got.Status, got.Error)
	}
	if _, accepted, pay := e.pp.counts(); accepted != 1 || pay["ann@x.test"] != 1 {
		t.Errorf("accepted %d, payments %v", accepted, pay)
	}
	e.checkLedger(got)
}

func TestSendPayPalDenied(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	b := e.batch()
	e.pp.initial = func(PayPalPayoutItem) (string, string) { return PayPalPending, "" }
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	e.pp.mu.Lock()
	e.pp.batches["PB0001"].status = PayPalDenied
	e.pp.batches["PB0001"].items = nil
	e.pp.mu.Unlock()
	got, err := e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchFailed || got.Items[0].Error != "PayPal denied the payout batch" {
		t.Errorf("denied batch: %s %q", got.Status, got.Items[0].Error)
	}
	if c := e.commissionStatuses(); c[store.CommissionApproved] != 1 {
		t.Errorf("commissions = %v", c)
	}
	e.checkLedger(got)
}

func TestSendWise(t *testing.T) {
	e := newEnv(t,
		partnerSpec{"Bob Stone", "bob@y.test", "wise", "EUR", 1},
		partnerSpec{"Di Moor", "di@y.test", "wise", "", 2},
	)
	b := e.batch()
	var p progressLog
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, p.fn)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchSent || got.Provider != "wise" || statuses(got) != "bob@y.test:sent di@y.test:sent" {
		t.Errorf("after send: %s %q %s", got.Status, got.Provider, statuses(got))
	}
	n, funded := e.wise.counts()
	if n != 2 || len(funded) != 2 {
		t.Errorf("%d transfers, funded %v", n, funded)
	}
	e.wise.mu.Lock()
	for _, tr := range e.wise.transfers {
		want := map[string]string{"EUR": "100.00", "USD": "200.00"}[tr.TargetCurrency]
		if tr.SourceCurrency != "USD" || tr.SourceValue.String() != want || tr.Details.Reference != DefaultReference(got) {
			t.Errorf("transfer %+v", tr)
		}
	}
	e.wise.mu.Unlock()
	if p.last != [2]int{2, 2} {
		t.Errorf("progress: %v", p.lines)
	}
	e.wise.setStatus(WiseOutgoingPaymentSent)
	got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchPaid || statuses(got) != "bob@y.test:paid di@y.test:paid" {
		t.Errorf("after refresh: %s %s", got.Status, statuses(got))
	}
	if c := e.commissionStatuses(); c[store.CommissionPaid] != 3 {
		t.Errorf("commissions = %v", c)
	}
	e.checkLedger(got)
}

// EU/UK personal tokens cannot fund transfers: they are left for the
// merchant to fund in Wise, and followed from there.
func TestSendWiseFundingRefused(t *testing.T) {
	for _, mode := range []string{"forbid", "reject"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, partnerSpec{"Bob Stone", "bob@y.test", "wise", "EUR", 1})
			e.wise.fund = mode
			b := e.batch()
			got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			it := got.Items[0]
			want := "fund transfer " + it.RemoteID + " in Wise"
			if got.Status != store.BatchSent || it.Status != store.ItemSent || !strings.HasPrefix(it.Error, want) ||
				!strings.Contains(got.Error, "fund transfer "+it.RemoteID+" in Wise, then refresh") {
				t.Errorf("after send: %s %q; item %s %q", got.Status, got.Error, it.Status, it.Error)
			}
			// Still unfunded: a refresh keeps saying so.
			got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
			if err != nil || !strings.HasPrefix(got.Items[0].Error, want) ||
				!strings.Contains(got.Error, "fund transfer "+it.RemoteID+" in Wise") {
				t.Errorf("refresh while unfunded: %v %q %q", err, got.Items[0].Error, got.Error)
			}
			e.wise.setStatus("processing") // the merchant funded it in Wise
			got, _ = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
			if got.Items[0].Error != "" || got.Items[0].Status != store.ItemSent {
				t.Errorf("after funding by hand: %+v", got.Items[0])
			}
			e.wise.setStatus(WiseOutgoingPaymentSent)
			got, err = e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
			if err != nil || got.Status != store.BatchPaid {
				t.Errorf("after payment: %v %s", err, got.Status)
			}
			if n, _ := e.wise.counts(); n != 1 {
				t.Errorf("%d transfers", n)
			}
			e.checkLedger(got)
		})
	}
}

// Wise stores the transfer but the answer is lost: the retry finds the same
// transfer by its customerTransactionId and funds it once.
func TestSendWiseAnswerLost(t *testing.T) {
	e := newEnv(t, partnerSpec{"Bob Stone", "bob@y.test", "wise", "EUR", 1}, partnerSpec{"Di Moor", "di@y.test", "wise", "", 1})
	e.wise.add(canned{method: "POST", path: "/v1/transfers", after: true, status: 500,
		body: `{"errors":[{"code":"internal","message":"Something went wrong"}]}`})
	b := e.batch()
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err == nil || got.Status != store.BatchSending || !strings.Contains(got.Error, "HTTP 500") ||
		statuses(got) != "bob@y.test:pending di@y.test:pending" {
		t.Fatalf("after lost answer: %v; %s %q %s", err, got.Status, got.Error, statuses(got))
	}
	// Funding answer lost too: the retry sees the transfer is funded.
	e.wise.add(canned{method: "POST", path: "/v3/profiles/4242/transfers/", after: true, drop: true})
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); err == nil {
		t.Fatal("lost funding answer not reported")
	}
	got, err = e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchSent || got.Error != "" || statuses(got) != "bob@y.test:sent di@y.test:sent" {
		t.Errorf("after resend: %s %q %s", got.Status, got.Error, statuses(got))
	}
	n, funded := e.wise.counts()
	if n != 2 {
		t.Errorf("%d transfers, want 2", n)
	}
	for id, times := range funded {
		if times != 1 {
			t.Errorf("transfer %d funded %d times", id, times)
		}
	}
	if len(funded) != 2 {
		t.Errorf("funded = %v", funded)
	}
	e.checkLedger(got)
}

// One item Wise refuses does not stop the others; it stays pending with why.
func TestSendWiseItemRefused(t *testing.T) {
	e := newEnv(t, partnerSpec{"Madonna", "m@y.test", "wise", "", 1}, partnerSpec{"Di Moor", "di@y.test", "wise", "", 1})
	b := e.batch()
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err == nil || !strings.Contains(err.Error(), "first and last name") {
		t.Fatalf("err = %v", err)
	}
	if got.Status != store.BatchSending || statuses(got) != "m@y.test:pending di@y.test:sent" ||
		!strings.Contains(got.Error, "item 1 (partner") {
		t.Errorf("batch: %s %q %s", got.Status, got.Error, statuses(got))
	}
	e.checkLedger(got)
}

func TestSendWiseFailed(t *testing.T) {
	e := newEnv(t, partnerSpec{"Bob Stone", "bob@y.test", "wise", "EUR", 1})
	b := e.batch()
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	e.wise.setStatus(WiseBouncedBack)
	got, err := e.svc.Refresh(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.BatchFailed || got.Items[0].Error != "Wise transfer bounced_back" {
		t.Errorf("bounced: %s %q", got.Status, got.Items[0].Error)
	}
	if c := e.commissionStatuses(); c[store.CommissionApproved] != 1 {
		t.Errorf("commissions = %v", c)
	}
	e.checkLedger(got)
}

func TestSendMixedBatch(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1}, partnerSpec{"Bob Stone", "bob@y.test", "wise", "EUR", 1})
	b := e.batch()
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Provider != "paypal+wise" || got.Status != store.BatchSent || statuses(got) != "ann@x.test:paid bob@y.test:sent" {
		t.Errorf("mixed: %q %s %s", got.Provider, got.Status, statuses(got))
	}
	e.checkLedger(got)
}

func TestSendRefusals(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	b := e.batch()
	// Missing credentials: nothing is sent and the batch stays created.
	if _, err := e.st.SetProgram(e.admin, "acme", "paypal-secret", ""); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.Send(context.Background(), e.admin, b.ID, nil)
	if err == nil || !strings.Contains(err.Error(), "paypal-secret") || got.Status != store.BatchCreated {
		t.Errorf("no credentials: %v, %s", err, got.Status)
	}
	// Someone else's batch.
	u, _ := e.st.CreateUser("Eve", "eve@x.test", "SHA256:eve", "ssh-ed25519 AAAAeve")
	if _, err := e.svc.Send(context.Background(), store.Actor{UserID: u.ID}, b.ID, nil); err == nil {
		t.Error("a stranger sent the batch")
	}
	// Exported batches are paid by hand, never sent.
	files, got, err := e.svc.Export(e.admin, b.ID, FormatPayPalCSV)
	if err != nil || len(files) != 1 || got.Status != store.BatchExported || got.Provider != "csv" {
		t.Fatalf("export: %v %v %+v", err, files, got)
	}
	if _, err := e.svc.Send(context.Background(), e.admin, b.ID, nil); !errors.Is(err, store.ErrConflict) {
		t.Errorf("send of an exported batch: %v", err)
	}
	if _, _, err := e.svc.Export(e.admin, b.ID, FormatWiseCSV); !errors.Is(err, ErrNothingToExport) {
		t.Errorf("wise export of a PayPal batch: %v", err)
	}
	if creates, _, _ := e.pp.counts(); creates != 0 {
		t.Errorf("PayPal saw %d creates", creates)
	}
}

func TestSendBusy(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	b := e.batch()
	var inner error
	_, err := e.svc.Send(context.Background(), e.admin, b.ID, func(int, int, store.PayoutItem, string) {
		_, inner = e.svc.Send(context.Background(), e.admin, b.ID, nil)
	})
	if err != nil || !errors.Is(inner, ErrBusy) {
		t.Errorf("send = %v, concurrent send = %v", err, inner)
	}
	if _, accepted, _ := e.pp.counts(); accepted != 1 {
		t.Errorf("accepted %d", accepted)
	}
}

func TestSendCancelled(t *testing.T) {
	e := newEnv(t, partnerSpec{"Ann Lee", "ann@x.test", "paypal", "", 1})
	e.svc = NewService(e.st, loopbackGuard(time.Minute), log.New(e.logs))
	e.pp.add(canned{method: "POST", path: "/v1/payments/payouts", status: 201, delay: 5 * time.Second})
	b := e.batch()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got, err := e.svc.Send(ctx, e.admin, b.ID, nil)
	if !errors.Is(err, context.DeadlineExceeded) || got.Status != store.BatchSending || statuses(got) != "ann@x.test:pending" {
		t.Errorf("cancelled send: %v %s %s", err, got.Status, statuses(got))
	}
}

// Everything that can be checked locally is checked before the batch
// changes state, so a batch that cannot be sent can still be exported.
func TestNewRunChecksFirst(t *testing.T) {
	svc := NewService(nil, nil, nil)
	prog := &store.Program{Slug: "acme", Name: "Acme", Secrets: store.ProgramSecrets{PayPalClientID: "id",
		PayPalSecret: "s", WiseToken: "t", WiseProfile: "1"}}
	var many []store.PayoutItem
	for i := uint64(1); i <= PayPalMaxItems+1; i++ {
		many = append(many, item(i, MethodPayPal, "P", fmt.Sprintf("p%d@x.test", i), "50.00", "USD", ""))
	}
	for name, b := range map[string]*store.PayoutBatch{
		"bad email":      testBatch(1, "USD", item(1, MethodWise, "A", "nope", "50.00", "USD", "")),
		"too precise":    testBatch(1, "USD", item(1, MethodPayPal, "A", "a@x.test", "50.001", "USD", "")),
		"unknown method": testBatch(1, "USD", item(1, "cheque", "A", "a@x.test", "50.00", "USD", "")),
		"too many":       testBatch(1, "USD", many...),
	} {
		if _, err := svc.newRun(store.Actor{}, b, prog, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	noWise := *prog
	noWise.Secrets.WiseToken = ""
	b := testBatch(1, "USD", item(1, MethodWise, "A", "a@x.test", "50.00", "USD", ""))
	if _, err := svc.newRun(store.Actor{}, b, &noWise, nil); err == nil || !strings.Contains(err.Error(), "wise-token") {
		t.Errorf("no Wise token: %v", err)
	}
	if _, err := svc.newRun(store.Actor{}, b, prog, nil); err != nil {
		t.Errorf("good batch: %v", err)
	}
}

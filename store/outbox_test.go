package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// outboxTypes lists the due messages as kind:type, in outbox order.
func (e *env) outboxTypes() []string {
	e.t.Helper()
	ms, err := e.st.DueMessages(e.clk.Now().Add(time.Hour), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind+":"+m.Event.Type)
	}
	return out
}

// drain delivers every due message successfully.
func (e *env) drain() {
	e.t.Helper()
	ms, err := e.st.DueMessages(e.clk.Now().Add(time.Hour), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, m := range ms {
		if err := e.st.RecordAttempt(m.ID, DeliveryAttempt{At: e.clk.Now(), OK: true, StatusCode: 200}, time.Time{}, false); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (e *env) reopenWithMail() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	st, err := Open(e.dir, Options{Now: e.clk.Now, Mail: true})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
}

func TestOutboxEventsWithTheirChanges(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(1), MinPayout: "10.00"})
	// No endpoint yet: nothing queues.
	e.partner("acme")
	if got := e.outboxTypes(); len(got) != 0 {
		t.Fatalf("queued without a webhook: %v", got)
	}
	w, err := e.st.AddWebhook(e.admin, "acme", "https://hooks.acme.test/in")
	if err != nil || len(w.Secret) < 30 {
		t.Fatalf("add webhook %+v %v", w, err)
	}
	p, pa := e.partner("acme") // pending, then approved by the merchant
	if _, err := e.st.SetProfile(pa, "paypal", "pay@partners.test", ""); err != nil {
		t.Fatal(err)
	}
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	want := []string{"webhook:partner.joined", "webhook:partner.approved", "webhook:conversion.created", "webhook:commission.created"}
	if got := e.outboxTypes(); !slices.Equal(got, want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
	// A repeat of the order and a conflicting one add nothing.
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	if _, _, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "99.00",
		Currency: "USD", Kind: KindSale}); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflict: %v", err)
	}
	if got := e.outboxTypes(); len(got) != 4 {
		t.Fatalf("outbox grew on a repeat or a failed write: %v", got)
	}
	e.drain()

	// The hold ends: approval; a refund: reversal; a batch: created, paid.
	e.clk.Add(25 * time.Hour)
	if n, err := e.st.PromoteMatured(); err != nil || n != 1 {
		t.Fatalf("promote %d %v", n, err)
	}
	e.refund("acme", "r1", "o1", "10.00")
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil {
		t.Fatalf("batch %v %v", b, err)
	}
	if _, err := e.st.MarkBatchPaid(e.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	want = []string{"webhook:commission.approved", "webhook:commission.reversed", "webhook:payout.created", "webhook:payout.paid"}
	ms, _ := e.st.DueMessages(e.clk.Now(), 100)
	if got := e.outboxTypes(); !slices.Equal(got, want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
	var rev CommissionEvent
	if err := json.Unmarshal(ms[1].Event.Data, &rev); err != nil || rev.ReversedNow != "2.00" || rev.Amount != "20.00" || rev.RefundID != "r1" {
		t.Fatalf("reversal data %s %v", ms[1].Event.Data, err)
	}
	var paid PayoutEvent
	if err := json.Unmarshal(ms[3].Event.Data, &paid); err != nil || paid.Status != BatchPaid || paid.Total != "18.00" ||
		len(paid.Items) != 1 || paid.Items[0].Status != ItemPaid {
		t.Fatalf("payout.paid data %s %v", ms[3].Event.Data, err)
	}
	// Removing the endpoint stops new events.
	if err := e.st.RemoveWebhook(e.admin, "acme", w.ID); err != nil {
		t.Fatal(err)
	}
	e.drain()
	e.partner("acme")
	if got := e.outboxTypes(); len(got) != 0 {
		t.Fatalf("queued after remove: %v", got)
	}
}

func TestWebhookAddValidatesAndHidesSecret(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	for _, bad := range []string{"ftp://x.test/", "https://", "notaurl", "https://u:p@x.test/", "https://x.test/\r\nA: b", "javascript:alert(1)"} {
		if _, err := e.st.AddWebhook(e.admin, "acme", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddWebhook(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	_, pa := e.partner("acme")
	if _, err := e.st.AddWebhook(pa, "acme", "https://x.test/"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner added a webhook: %v", err)
	}
	if _, err := e.st.AddWebhook(e.admin, "acme", "http://x.test/hook"); err != nil {
		t.Fatal(err)
	}
	ws, err := e.st.ListWebhooks(e.admin, "acme")
	if err != nil || len(ws) != 1 || ws[0].Secret != "" {
		t.Fatalf("list %+v %v", ws, err)
	}
	if err := e.st.RemoveWebhook(e.admin, "acme", ws[0].ID+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove unknown: %v", err)
	}
}

func TestDeliveryLogAndRetries(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	if _, err := e.st.AddWebhook(e.admin, "acme", "https://hooks.acme.test/in"); err != nil {
		t.Fatal(err)
	}
	e.partner("acme")
	ms, _ := e.st.DueMessages(e.clk.Now(), 10)
	if len(ms) != 2 {
		t.Fatalf("due %d", len(ms))
	}
	m := ms[0]
	next := e.clk.Now().Add(time.Minute)
	if err := e.st.RecordAttempt(m.ID, DeliveryAttempt{At: e.clk.Now(), StatusCode: 500}, next, false); err != nil {
		t.Fatal(err)
	}
	// Not due again before its time.
	if due, _ := e.st.DueMessages(e.clk.Now(), 10); len(due) != 1 || due[0].ID == m.ID {
		t.Fatalf("retried early: %+v", due)
	}
	e.clk.Add(time.Minute)
	due, _ := e.st.DueMessages(e.clk.Now(), 10)
	if len(due) != 2 || due[1].ID != m.ID || due[1].Attempts != 1 || due[1].Event.ID != m.Event.ID {
		t.Fatalf("after backoff: %+v", due)
	}
	if err := e.st.RecordAttempt(m.ID, DeliveryAttempt{At: e.clk.Now(), StatusCode: 200, OK: true}, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	// A late duplicate report changes nothing.
	if err := e.st.RecordAttempt(m.ID, DeliveryAttempt{At: e.clk.Now(), StatusCode: 200, OK: true}, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	all, err := e.st.ListDeliveries(e.admin, "acme", false, 0, 0)
	if err != nil || len(all) != 2 || !all[0].OK || all[0].Attempt != 2 || all[1].StatusCode != 500 || all[1].EventType != EventPartnerJoined {
		t.Fatalf("log %+v %v", all, err)
	}
	failed, _ := e.st.ListDeliveries(e.admin, "acme", true, 0, 0)
	if len(failed) != 1 || failed[0].OK {
		t.Fatalf("failed %+v", failed)
	}
	e.clk.Add(DeliveryLogRetention + time.Hour)
	if n, err := e.st.PruneDeliveryLog(e.clk.Now()); err != nil || n != 2 {
		t.Fatalf("prune %d %v", n, err)
	}
}

func TestMailQueuedOnlyWithMailOn(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	e.partner("acme") // mail off: nothing
	if got := e.outboxTypes(); len(got) != 0 {
		t.Fatalf("mail queued without smtp: %v", got)
	}
	e.reopenWithMail()
	p, pa := e.partner("acme") // applies (admin mailed), then approved (partner mailed)
	want := []string{"email:partner.applied", "email:partner.approved"}
	ms, _ := e.st.DueMessages(e.clk.Now(), 10)
	if got := e.outboxTypes(); !slices.Equal(got, want) || ms[0].UserID != e.admin.UserID || ms[1].UserID != pa.UserID {
		t.Fatalf("outbox %v %+v", got, ms)
	}
	e.drain()
	if _, err := e.st.SetProfile(pa, "notifications", "off", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetProfile(pa, "notifications", "maybe", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad value: %v", err)
	}
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", p.ID, PartnerRejected); err != nil {
		t.Fatal(err)
	}
	if got := e.outboxTypes(); len(got) != 0 {
		t.Fatalf("mailed a user with notifications off: %v", got)
	}
	if _, err := e.st.SetProfile(pa, "notifications", "on", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", p.ID, PartnerApproved); err != nil {
		t.Fatal(err)
	}
	if got := e.outboxTypes(); !slices.Equal(got, []string{"email:partner.approved"}) {
		t.Fatalf("outbox %v", got)
	}
}

func TestPayoutPeriods(t *testing.T) {
	d := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, c := range []struct {
		sched, at, period, start string
	}{
		{ScheduleWeekly, "2026-11-30T00:00:00Z", "2026-W49", "2026-11-30T00:00:00Z"}, // a Monday
		{ScheduleWeekly, "2026-11-29T23:59:59Z", "2026-W48", "2026-11-23T00:00:00Z"}, // the Sunday before
		{ScheduleWeekly, "2027-01-01T10:00:00Z", "2026-W53", "2026-12-28T00:00:00Z"}, // year end: ISO week of the Monday
		{ScheduleWeekly, "2027-01-04T00:00:01Z", "2027-W01", "2027-01-04T00:00:00Z"},
		{ScheduleMonthly, "2026-02-28T23:59:59Z", "2026-02", "2026-02-01T00:00:00Z"},
		{ScheduleMonthly, "2026-03-01T00:00:00Z", "2026-03", "2026-03-01T00:00:00Z"},
		{ScheduleMonthly, "2026-12-31T23:00:00+05:00", "2026-12", "2026-12-01T00:00:00Z"}, // 18:00 UTC
	} {
		p, start, ok := PayoutPeriod(c.sched, d(c.at))
		if !ok || p != c.period || !start.Equal(d(c.start)) {
			t.Errorf("PayoutPeriod(%s, %s) = %s %s, want %s %s", c.sched, c.at, p, start, c.period, c.start)
		}
	}
	if _, _, ok := PayoutPeriod(ScheduleOff, d("2026-11-30T00:00:00Z")); ok {
		t.Error("off has a period")
	}
}

func TestScheduledBatchOncePerPeriod(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "10.00"})
	for _, bad := range [][2]string{{"payout-schedule", "daily"}, {"payout-auto-send", "yes please"}} {
		if _, err := e.st.SetProgram(e.admin, "acme", bad[0], bad[1]); !errors.Is(err, ErrInvalid) {
			t.Fatalf("set %s %s: %v", bad[0], bad[1], err)
		}
	}
	prog, err := e.st.SetProgram(e.admin, "acme", "payout-schedule", "weekly")
	if err != nil || prog.Schedule() != ScheduleWeekly || !prog.PayoutScheduleSince.Equal(e.clk.Now()) {
		t.Fatalf("set schedule %+v %v", prog, err)
	}
	// Turned on on a Tuesday: this week is not the schedule's.
	if _, ok := prog.DuePeriod(e.clk.Now()); ok {
		t.Fatal("the current week is due although the schedule started after it")
	}
	p, pa := e.partner("acme")
	if _, err := e.st.SetProfile(pa, "paypal", "pay@partners.test", ""); err != nil {
		t.Fatal(err)
	}
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	e.clk.Add(6 * 24 * time.Hour) // next Monday 12:00
	prog, _ = e.st.Program("acme")
	period, ok := prog.DuePeriod(e.clk.Now())
	if !ok || period != "2026-W12" {
		t.Fatalf("due %q %v", period, ok)
	}
	b, _, run, fresh, err := e.st.CreateScheduledBatch("acme", period)
	if err != nil || b == nil || !fresh || run.Batch != b.ID || b.Period != period {
		t.Fatalf("first %+v %+v %v %v", b, run, fresh, err)
	}
	e.restart()
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "100.00", Ref: p.Code})
	b2, _, run2, fresh, err := e.st.CreateScheduledBatch("acme", period)
	if err != nil || b2 != nil || fresh || run2.Batch != b.ID {
		t.Fatalf("second %+v %+v %v %v", b2, run2, fresh, err)
	}
	// A period in which nobody reaches the minimum: no batch, still done.
	e.st.SetProgram(e.admin, "acme", "min-payout", "1000")
	b3, skipped, run3, fresh, err := e.st.CreateScheduledBatch("acme", "2026-W13")
	if err != nil || b3 != nil || !fresh || run3.Batch != 0 || len(skipped) != 1 {
		t.Fatalf("empty period %+v %+v %v %v", b3, run3, fresh, err)
	}
	if r, ok, err := e.st.PeriodRun("acme", "2026-W13"); err != nil || !ok || r.Batch != 0 {
		t.Fatalf("period run %+v %v %v", r, ok, err)
	}
}

func TestCheckFindsAnUnindexedOutboxMessage(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	if _, err := e.st.AddWebhook(e.admin, "acme", "https://hooks.acme.test/in"); err != nil {
		t.Fatal(err)
	}
	e.partner("acme")
	ms, _ := e.st.DueMessages(e.clk.Now(), 10)
	k := dueKey(ms[0].NextAt, ms[0].ID)
	if err := e.st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bOutboxDue).Delete(k) }); err != nil {
		t.Fatal(err)
	}
	vs, err := e.st.Check()
	if err != nil || len(vs) != 1 || !strings.Contains(vs[0].What, "due index 0 times") {
		t.Fatalf("check: %v %v", vs, err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bOutboxDue).Put(k, nil) }); err != nil {
		t.Fatal(err)
	}
}

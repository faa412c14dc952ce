package payouts

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/affogato-sh/affogato/store"
)

// run is one Send, Refresh or Reconcile call on one batch.
type run struct {
	s        *Service
	a        store.Actor
	b        *store.PayoutBatch // latest copy, replaced after every store write
	prog     *store.Program
	pp       *PayPalClient // nil when no PayPal item is unfinished
	wise     *WiseClient   // nil when no Wise item is unfinished
	progress Progress
	total    int
	done     int
	problems []string // items left unsent, and why
	notices  []string // what the merchant has to do
}

// newRun checks the batch's unfinished items and makes the clients their
// payout methods need, before anything is sent or recorded.
func (s *Service) newRun(a store.Actor, b *store.PayoutBatch, prog *store.Program, progress Progress) (*run, error) {
	r := &run{s: s, a: a, b: b, prog: prog, progress: progress}
	var needPayPal, needWise bool
	payPalPending := 0
	for _, it := range b.Items {
		if finalItem(it.Status) {
			continue
		}
		r.total++
		switch it.Method {
		case MethodPayPal:
			needPayPal = true
			if it.Status == store.ItemPending {
				payPalPending++
			}
		case MethodWise:
			needWise = true
		default:
			return nil, fmt.Errorf("item %d (partner %d) has an unknown payout method %q", it.ID, it.PartnerID, it.Method)
		}
		if _, err := formatAmount(it, itemCurrency(b, it)); err != nil {
			return nil, err
		}
		if err := checkEmail(it); err != nil {
			return nil, err
		}
	}
	if payPalPending > PayPalMaxItems && b.RemoteID == "" {
		return nil, fmt.Errorf("%d PayPal items are more than one PayPal payout takes (%d); export the batch as CSV instead",
			payPalPending, PayPalMaxItems)
	}
	var err error
	if needPayPal {
		if r.pp, err = s.payPalClient(prog.Secrets); err != nil {
			return nil, err
		}
	}
	if needWise {
		sec := prog.Secrets
		if r.wise, err = NewWiseClient(sec.WiseBaseURL, sec.WiseToken, sec.WiseProfile, s.hc); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// items is a snapshot of the batch's unfinished items of one method.
func (r *run) items(method string) []store.PayoutItem {
	var out []store.PayoutItem
	for _, it := range r.b.Items {
		if it.Method == method && !finalItem(it.Status) {
			out = append(out, it)
		}
	}
	return out
}

// item is the latest copy of one item.
func (r *run) item(id uint64) store.PayoutItem {
	for _, it := range r.b.Items {
		if it.ID == id {
			return it
		}
	}
	return store.PayoutItem{ID: id}
}

// setItem records an item's status, provider id and message, unless they
// are what the store holds already.
func (r *run) setItem(it store.PayoutItem, status, remoteID, msg string) error {
	cur := r.item(it.ID)
	if cur.Status == status && cur.RemoteID == remoteID && cur.Error == msg {
		return nil
	}
	nb, err := r.s.st.SetItemStatus(r.a, r.b.ID, it.ID, status, remoteID, msg)
	if err != nil {
		return fmt.Errorf("record item %d as %s: %w", it.ID, status, err)
	}
	r.b = nb
	return nil
}

// report tells the caller one more item was handled.
func (r *run) report(it store.PayoutItem, msg string) {
	r.done++
	if r.progress != nil {
		r.progress(r.done, r.total, it, msg)
	}
}

// problem notes an item that could not be sent this time.
func (r *run) problem(it store.PayoutItem, err error) {
	r.problems = append(r.problems, fmt.Sprintf("item %d (partner %d) not sent: %v", it.ID, it.PartnerID, err))
	r.report(it, "not sent: "+err.Error())
}

// finalItem says whether an item's outcome is known for good.
func finalItem(status string) bool {
	return status == store.ItemPaid || status == store.ItemFailed
}

// systemic says whether an error stops the whole run (no answer, overload,
// bad credentials, the store failing) rather than concerning one item.
func systemic(err error) bool {
	pe, ok := isProviderError(err)
	if !ok {
		return true
	}
	return pe.Retryable() || pe.Status == http.StatusUnauthorized || pe.Status == http.StatusForbidden
}

// outcomeWord describes an item status for progress messages.
func outcomeWord(status, msg string) string {
	w := status
	switch status {
	case store.ItemSent:
		w = "sent, in flight"
	case store.ItemPending:
		w = "not sent yet"
	}
	if msg != "" {
		w += ": " + msg
	}
	return w
}

// errAs is errors.As for a target type.
func errAs[T error](err error) (T, bool) {
	var t T
	ok := errors.As(err, &t)
	return t, ok
}

package payouts

import (
	"context"
	"fmt"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// sendPayPal sends the batch's pending PayPal items as one PayPal payout
// batch under the batch's sender_batch_id, records PayPal's payout batch id
// at once, and then the items' first statuses. A batch PayPal already
// accepted is never sent again.
func (r *run) sendPayPal(ctx context.Context) error {
	if r.b.RemoteID == "" {
		var pending []store.PayoutItem
		for _, it := range r.items(MethodPayPal) {
			if it.Status == store.ItemPending {
				pending = append(pending, it)
			}
		}
		if len(pending) > 0 {
			done, err := r.createPayPal(ctx, pending)
			if err != nil || done {
				return err
			}
		}
	}
	if r.b.RemoteID == "" {
		r.unknownPayPalID()
		return nil
	}
	pb, err := r.pp.ShowPayout(ctx, r.b.RemoteID)
	if err != nil {
		// Sent; the statuses can be read later.
		r.notices = append(r.notices, "item statuses not read yet ("+err.Error()+"); refresh later")
		pb = &PayPalPayoutBatch{}
	}
	return r.applyPayPal(pb)
}

// createPayPal asks PayPal to pay the items and records the payout batch id
// PayPal gives. done means nothing more can be done now (PayPal has the batch
// but did not say under which id).
func (r *run) createPayPal(ctx context.Context, pending []store.PayoutItem) (done bool, err error) {
	req := PayPalPayoutRequest{
		SenderBatchHeader: PayPalSenderBatchHeader{
			SenderBatchID: SenderBatchID(r.b),
			EmailSubject:  truncateRunes("You have a payout from "+cleanText(r.prog.Name), 255),
			RecipientType: "EMAIL",
		},
	}
	note := truncateRunes(cleanText(DefaultNote(r.b)), PayPalNoteMax)
	for _, it := range pending {
		cur := itemCurrency(r.b, it)
		amount, err := formatAmount(it, cur)
		if err != nil {
			return false, err
		}
		if err := checkEmail(it); err != nil {
			return false, err
		}
		req.Items = append(req.Items, PayPalPayoutItem{
			RecipientType: "EMAIL",
			Amount:        PayPalAmount{Value: amount, Currency: cur},
			Receiver:      it.Email,
			SenderItemID:  SenderItemID(r.b.ID, it.ID),
			Note:          note,
		})
	}
	var remote string
	hdr, err := r.pp.CreatePayout(ctx, req)
	if err != nil {
		de, ok := errAs[*DuplicateBatchError](err)
		if !ok {
			return false, err
		}
		if de.PayoutBatchID == "" {
			return true, r.payPalAwaitingReconcile(pending, de)
		}
		r.s.log.Info("PayPal had the payout batch already", "batch", r.b.ID,
			"sender_batch_id", req.SenderBatchHeader.SenderBatchID, "payout_batch_id", de.PayoutBatchID)
		remote = de.PayoutBatchID
	} else {
		remote = hdr.PayoutBatchID
	}
	// Before anything else can fail: the id is what later calls follow.
	nb, err := r.s.st.SetBatchStatus(r.a, r.b.ID, store.BatchSending, remote, "")
	if err != nil {
		r.s.log.Error("PayPal accepted a payout batch that could not be recorded", "batch", r.b.ID,
			"payout_batch_id", remote, "err", err)
		return false, fmt.Errorf("PayPal accepted the batch as payout %s but recording that failed: %w", remote, err)
	}
	r.b = nb
	r.s.log.Info("PayPal accepted payout batch", "batch", r.b.ID, "payout_batch_id", remote)
	return false, nil
}

// payPalAwaitingReconcile handles PayPal's duplicate answer without the
// original's id: the earlier send went through but its answer was lost. The
// items are in flight and are never sent again; the merchant gives the
// payout batch id from PayPal (ReconcilePayPal) so statuses can be followed.
func (r *run) payPalAwaitingReconcile(pending []store.PayoutItem, de *DuplicateBatchError) error {
	r.s.log.Warn("PayPal has the payout batch from an earlier send; its id is unknown", "batch", r.b.ID,
		"sender_batch_id", de.SenderBatchID)
	for _, it := range pending {
		if err := r.setItem(it, store.ItemSent, "", "sent to PayPal earlier; awaiting reconciliation"); err != nil {
			return err
		}
		r.report(it, outcomeWord(store.ItemSent, "sent to PayPal earlier"))
	}
	r.unknownPayPalID()
	return nil
}

// unknownPayPalID notes that PayPal items cannot be followed without the
// PayPal payout batch id.
func (r *run) unknownPayPalID() {
	if len(r.items(MethodPayPal)) == 0 {
		return
	}
	r.notices = append(r.notices, fmt.Sprintf(
		"PayPal has batch %s from an earlier send whose answer was lost; find that payout in PayPal and reconcile this batch with its payout batch id",
		SenderBatchID(r.b)))
}

// refreshPayPal reads the PayPal payout batch (unless pb is given) and
// records what it says of each item.
func (r *run) refreshPayPal(ctx context.Context, pb *PayPalPayoutBatch) error {
	if r.b.RemoteID == "" && pb == nil {
		r.unknownPayPalID()
		return nil
	}
	if pb == nil {
		var err error
		if pb, err = r.pp.ShowPayout(ctx, r.b.RemoteID); err != nil {
			return err
		}
	}
	if got, want := pb.BatchHeader.SenderBatchHeader.SenderBatchID, SenderBatchID(r.b); got != "" && got != want {
		return fmt.Errorf("PayPal payout %s is batch %q, not %q", r.b.RemoteID, got, want)
	}
	return r.applyPayPal(pb)
}

// applyPayPal records each unfinished PayPal item's status from PayPal's
// report. An item PayPal does not list yet is in flight (the batch was
// accepted); with a DENIED batch it failed.
func (r *run) applyPayPal(pb *PayPalPayoutBatch) error {
	byID := make(map[string]PayPalItemDetails, len(pb.Items))
	for _, d := range pb.Items {
		byID[d.PayoutItem.SenderItemID] = d
	}
	denied := strings.EqualFold(pb.BatchHeader.BatchStatus, PayPalDenied)
	items := r.items(MethodPayPal)
	var updates []store.ItemUpdate
	words := make([]string, len(items))
	for i, it := range items {
		status, remote, msg := store.ItemSent, it.RemoteID, it.Error
		if d, ok := byID[SenderItemID(r.b.ID, it.ID)]; ok {
			status = PayPalItemOutcome(d.TransactionStatus)
			remote = d.PayoutItemID
			msg = payPalItemMessage(d, status)
		} else if denied {
			status, msg = store.ItemFailed, "PayPal denied the payout batch"
		} else if it.Status == store.ItemPending {
			msg = ""
		}
		if it.Status != status || it.RemoteID != remote || it.Error != msg {
			updates = append(updates, store.ItemUpdate{ItemID: it.ID, Status: status, RemoteID: remote, Err: msg})
		}
		words[i] = outcomeWord(status, msg)
	}
	// One transaction for the whole report: a 5,000-item batch is one fsync.
	if len(updates) > 0 {
		nb, err := r.s.st.SetItemStatuses(r.a, r.b.ID, updates)
		if err != nil {
			return fmt.Errorf("record PayPal item statuses: %w", err)
		}
		r.b = nb
	}
	for i, it := range items {
		r.report(it, words[i])
	}
	return nil
}

// payPalItemMessage says why an item is not simply paid.
func payPalItemMessage(d PayPalItemDetails, status string) string {
	ts := strings.ToUpper(d.TransactionStatus)
	switch status {
	case store.ItemPaid:
		return ""
	case store.ItemFailed:
		msg := "PayPal " + ts
		if d.Errors != nil && (d.Errors.Name != "" || d.Errors.Message != "") {
			msg += ": " + strings.TrimSpace(d.Errors.Name+" "+d.Errors.Message)
		}
		return truncateRunes(cleanText(msg), 300)
	}
	switch ts {
	case PayPalUnclaimed:
		return "unclaimed: no PayPal account has this email yet; PayPal returns the money after 30 days unless claimed"
	case PayPalOnHold:
		return "on hold at PayPal"
	}
	return ""
}

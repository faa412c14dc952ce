package payouts

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// wiseSend is the state of sending one batch's Wise items.
type wiseSend struct {
	recipients map[string]int64 // currency|email|name → recipient id
	unfunded   []string         // transfer ids left for the merchant to fund
	why        string           // why Wise would not fund them
}

// sendWise pays each unfinished Wise item: a quote, an email recipient and a
// transfer under the item's customerTransactionId (so a retry finds the same
// transfer), recorded at once, then funded from the Wise balance. Transfers
// Wise will not let us fund are left for the merchant to fund in Wise.
func (r *run) sendWise(ctx context.Context) error {
	ws := &wiseSend{recipients: map[string]int64{}}
	defer r.wiseNotice(ws)
	for _, it := range r.items(MethodWise) {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		if it.Status == store.ItemSent && it.RemoteID != "" {
			err = r.resumeWise(ctx, ws, it)
		} else {
			err = r.sendWiseItem(ctx, ws, it)
		}
		if err != nil {
			if systemic(err) {
				return err
			}
			r.problem(it, err)
		}
	}
	return nil
}

// sendWiseItem creates (or, on a retry, finds) the item's transfer.
func (r *run) sendWiseItem(ctx context.Context, ws *wiseSend, it store.PayoutItem) error {
	src, tgt := itemCurrency(r.b, it), targetCurrency(r.b, it)
	if _, err := formatAmount(it, src); err != nil {
		return err
	}
	if err := checkEmail(it); err != nil {
		return err
	}
	name := recipientName(it)
	quote, err := r.wise.CreateQuote(ctx, src, tgt, it.Amount)
	if err != nil {
		return err
	}
	key := tgt + "|" + strings.ToLower(it.Email) + "|" + name
	recipient, ok := ws.recipients[key]
	if !ok {
		rc, err := r.wise.CreateEmailRecipient(ctx, tgt, name, it.Email)
		if err != nil {
			return err
		}
		recipient = rc.ID
		ws.recipients[key] = recipient
	}
	tr, err := r.wise.CreateTransfer(ctx, WiseTransferRequest{
		TargetAccount:         recipient,
		QuoteUUID:             quote.ID,
		CustomerTransactionID: WiseTransactionID(r.b, it.ID),
		Details:               WiseTransferDetails{Reference: DefaultReference(r.b)},
	})
	if err != nil {
		return err
	}
	remote := strconv.FormatInt(tr.ID, 10)
	// Before anything else can fail: the transfer id is what later calls follow.
	if err := r.setItem(it, store.ItemSent, remote, ""); err != nil {
		r.s.log.Error("Wise transfer created but not recorded", "batch", r.b.ID, "item", it.ID, "transfer", tr.ID, "err", err)
		return fmt.Errorf("transfer %d was created in Wise but recording it failed: %w", tr.ID, err)
	}
	return r.fundWise(ctx, ws, r.item(it.ID), tr)
}

// resumeWise picks up an item whose transfer exists: funds it if it still
// waits for money, records its outcome if it has one.
func (r *run) resumeWise(ctx context.Context, ws *wiseSend, it store.PayoutItem) error {
	id, err := strconv.ParseInt(it.RemoteID, 10, 64)
	if err != nil {
		return fmt.Errorf("item %d: Wise transfer id %q is not a number", it.ID, it.RemoteID)
	}
	tr, err := r.wise.Transfer(ctx, id)
	if err != nil {
		return err
	}
	return r.fundWise(ctx, ws, it, tr)
}

// fundWise funds a transfer waiting for money, or records the outcome of
// one that is past that.
func (r *run) fundWise(ctx context.Context, ws *wiseSend, it store.PayoutItem, tr *WiseTransfer) error {
	remote := strconv.FormatInt(tr.ID, 10)
	if !strings.EqualFold(tr.Status, WiseIncomingPaymentWaiting) {
		return r.recordWise(it, tr)
	}
	fundMsg := fmt.Sprintf("fund transfer %d in Wise", tr.ID)
	msg := ""
	f, err := r.wise.FundTransfer(ctx, tr.ID)
	if pe, ok := isProviderError(err); ok && !pe.Retryable() {
		switch pe.Status {
		case http.StatusForbidden:
			msg = fundMsg
			ws.why = "Wise does not let this API token fund transfers (EU and UK personal tokens cannot)"
		case http.StatusConflict, http.StatusUnprocessableEntity:
			// Funded already (by an earlier attempt or by hand), or no longer fundable.
			now, err := r.wise.Transfer(ctx, tr.ID)
			if err != nil {
				return err
			}
			if !strings.EqualFold(now.Status, WiseIncomingPaymentWaiting) {
				return r.recordWise(it, now)
			}
			msg = fundMsg
			ws.why = "Wise refused to fund them: " + pe.Error()
		default:
			msg = fundMsg
			ws.why = "Wise refused to fund them: " + pe.Error()
		}
		err = nil
	}
	if err != nil {
		return err
	}
	if f != nil && !strings.EqualFold(f.Status, WiseFundingCompleted) {
		msg = fundMsg
		code := f.ErrorCode
		if code == "" {
			code = f.Status
		}
		ws.why = "Wise did not fund them from the balance (" + code + ")"
	}
	if msg != "" {
		ws.unfunded = append(ws.unfunded, remote)
	}
	if err := r.setItem(it, store.ItemSent, remote, msg); err != nil {
		return err
	}
	r.report(it, outcomeWord(store.ItemSent, msg))
	return nil
}

// recordWise records a transfer's status on its item.
func (r *run) recordWise(it store.PayoutItem, tr *WiseTransfer) error {
	remote := strconv.FormatInt(tr.ID, 10)
	status := WiseItemOutcome(tr.Status)
	msg := ""
	switch {
	case status == store.ItemFailed:
		msg = "Wise transfer " + tr.Status
	case status == store.ItemSent && strings.EqualFold(tr.Status, WiseIncomingPaymentWaiting):
		msg = it.Error // still waiting for the merchant to fund it
	}
	if err := r.setItem(it, status, remote, msg); err != nil {
		return err
	}
	r.report(it, outcomeWord(status, msg))
	return nil
}

// refreshWise reads each Wise transfer in flight and records its status.
func (r *run) refreshWise(ctx context.Context) error {
	ws := &wiseSend{why: "they wait for money"}
	defer r.wiseNotice(ws)
	for _, it := range r.items(MethodWise) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if it.Status != store.ItemSent || it.RemoteID == "" {
			continue
		}
		id, err := strconv.ParseInt(it.RemoteID, 10, 64)
		if err != nil {
			r.problem(it, fmt.Errorf("transfer id %q is not a Wise transfer id", it.RemoteID))
			continue
		}
		tr, err := r.wise.Transfer(ctx, id)
		if err != nil {
			if systemic(err) {
				return err
			}
			r.problems = append(r.problems, fmt.Sprintf("item %d (partner %d): %v", it.ID, it.PartnerID, err))
			r.report(it, err.Error())
			continue
		}
		if err := r.recordWise(it, tr); err != nil {
			return err
		}
		if now := r.item(it.ID); now.Status == store.ItemSent && strings.HasPrefix(now.Error, "fund transfer") {
			ws.unfunded = append(ws.unfunded, now.RemoteID)
		}
	}
	return nil
}

// wiseNotice tells the merchant which transfers to fund by hand.
func (r *run) wiseNotice(ws *wiseSend) {
	if len(ws.unfunded) == 0 {
		return
	}
	n := "transfer " + ws.unfunded[0]
	if len(ws.unfunded) > 1 {
		n = "transfers " + strings.Join(ws.unfunded, ", ")
	}
	r.notices = append(r.notices, fmt.Sprintf("fund %s in Wise, then refresh: %s", n, ws.why))
}

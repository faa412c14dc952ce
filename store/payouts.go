package store

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Skipped names a partner left out of a batch and why.
type Skipped struct {
	PartnerID uint64
	Name      string
	Balance   decimal.Decimal
	Reason    string
}

// PartnerPayout is one payout as its partner sees it.
type PartnerPayout struct {
	BatchID uint64
	Program string
	Item    PayoutItem
	Date    time.Time
}

// dueTx gathers a partner's approved commissions and open clawbacks.
func dueTx(tx *bolt.Tx, partnerID uint64) ([]*Commission, []*Clawback, decimal.Decimal, error) {
	var comms []*Commission
	var claws []*Clawback
	net := decimal.Zero
	var err error
	scanPrefix(tx.Bucket(bPartnerComm), u64(partnerID), false, func(k, _ []byte) bool {
		var c *Commission
		if c, err = commissionTx(tx, btou(k[8:])); err != nil {
			return false
		}
		if c.Status == CommissionApproved && c.Net().Sign() > 0 {
			comms = append(comms, c)
			net = net.Add(c.Net())
		}
		return true
	})
	if err != nil {
		return nil, nil, net, err
	}
	scanPrefix(tx.Bucket(bPartnerClaw), u64(partnerID), false, func(k, _ []byte) bool {
		var cb Clawback
		if err = get(tx.Bucket(bClawbacks), k[8:], &cb); err != nil {
			return false
		}
		if cb.Status != ClawbackOpen {
			return true
		}
		// A refund of commission still in a payout waits for that payout:
		// paid, the clawback is netted next time; failed, it dissolves.
		var c *Commission
		if c, err = commissionTx(tx, cb.CommissionID); err != nil {
			return false
		}
		if c.Status == CommissionInPayout {
			return true
		}
		claws = append(claws, &cb)
		net = net.Sub(cb.Amount)
		return true
	})
	return comms, claws, net, err
}

// CreatePayoutBatch creates a batch with one item for every partner whose
// approved, unpaid balance net of clawbacks reaches the program's minimum
// payout and who has a payout method; the included commissions become
// in_payout (and the clawbacks netted) in the same transaction. Partners
// left out are returned with the reason. With nobody to pay, no batch is
// created and the batch is nil.
func (s *Store) CreatePayoutBatch(a Actor, slug string) (*PayoutBatch, []Skipped, error) {
	batch, skipped, _, _, err := s.createPayoutBatch(a, slug, "")
	return batch, skipped, err
}

// createPayoutBatch creates a batch; with a period (scheduled batches) only
// once per period, recorded in the same transaction (see
// CreateScheduledBatch).
func (s *Store) createPayoutBatch(a Actor, slug, period string) (*PayoutBatch, []Skipped, *PeriodRun, bool, error) {
	var batch *PayoutBatch
	var skipped []Skipped
	var run *PeriodRun
	fresh := false
	err := s.update(func(tx *bolt.Tx) error {
		batch, skipped, run, fresh = nil, nil, nil, false
		prog, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if period != "" {
			if run, err = periodTx(tx, slug, period); err != nil || run != nil {
				return err
			}
			run, fresh = &PeriodRun{Program: slug, Period: period, At: now}, true
			if err := putPeriodTx(tx, run); err != nil {
				return err
			}
		}
		if _, err := s.promoteTx(tx, slug, now); err != nil {
			return err
		}
		b := &PayoutBatch{Program: slug, Currency: prog.Currency, Status: BatchCreated, Total: decimal.Zero,
			Period: period, CreatedAt: now, UpdatedAt: now}
		err = eachPartnerTx(tx, slug, func(p *Partner) error {
			comms, claws, net, err := dueTx(tx, p.ID)
			if err != nil || (len(comms) == 0 && len(claws) == 0) {
				return err
			}
			skip := func(reason string) error {
				skipped = append(skipped, Skipped{PartnerID: p.ID, Name: p.Name, Balance: net, Reason: reason})
				return nil
			}
			var u User
			if err := get(tx.Bucket(bUsers), u64(p.UserID), &u); err != nil {
				return err
			}
			switch {
			case net.Sign() <= 0:
				return skip("balance is not positive (clawbacks exceed earnings)")
			case p.Status == PartnerSuspended:
				return skip("partner is suspended")
			case net.LessThan(prog.MinPayout):
				return skip(fmt.Sprintf("below the minimum payout %s", FormatMoney(prog.MinPayout, prog.Currency)))
			case u.Payout == nil:
				return skip("no payout method on the partner's profile")
			}
			item := PayoutItem{ID: uint64(len(b.Items) + 1), PartnerID: p.ID, Name: p.Name, Email: u.Payout.Email,
				Method: u.Payout.Kind, Currency: prog.Currency, Target: u.Payout.Currency, Amount: net,
				Status: ItemPending, UpdatedAt: now}
			for _, c := range comms {
				item.Commissions = append(item.Commissions, c.ID)
			}
			for _, cb := range claws {
				item.Clawbacks = append(item.Clawbacks, cb.ID)
			}
			b.Items = append(b.Items, item)
			b.Total = b.Total.Add(net)
			return nil
		})
		if err != nil || len(b.Items) == 0 {
			return err
		}
		if b.ID, err = nextID(tx, bBatches); err != nil {
			return err
		}
		for _, it := range b.Items {
			if err := reserveTx(tx, b.ID, &it, now); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bProgBatches).Put(key(slug, b.ID), nil); err != nil {
			return err
		}
		batch = b
		if run != nil {
			run.Batch = b.ID
			if err := putPeriodTx(tx, run); err != nil {
				return err
			}
		}
		if err := emitPayoutCreatedTx(tx, b, now); err != nil {
			return err
		}
		return putBatchTx(tx, b)
	})
	if err != nil {
		return nil, nil, nil, false, fmt.Errorf("create payout for %s: %w", slug, err)
	}
	return batch, skipped, run, fresh, nil
}

// reserveTx moves an item's commissions to in_payout and its clawbacks into
// the batch.
func reserveTx(tx *bolt.Tx, batchID uint64, it *PayoutItem, now time.Time) error {
	if err := tx.Bucket(bPartnerBatch).Put(key(it.PartnerID, batchID), nil); err != nil {
		return err
	}
	for _, id := range it.Commissions {
		c, err := commissionTx(tx, id)
		if err != nil {
			return err
		}
		if c.Status != CommissionApproved || c.BatchID != 0 {
			return fmt.Errorf("commission %d is %s: %w", id, c.Status, ErrConflict)
		}
		c.Locked, c.BatchID = c.Net(), batchID
		if err := setStatusTx(tx, c, CommissionInPayout, now); err != nil {
			return err
		}
	}
	for _, id := range it.Clawbacks {
		if err := moveClawbackTx(tx, id, ClawbackInPayout, batchID); err != nil {
			return err
		}
	}
	return nil
}

// moveClawbackTx changes a clawback's status, keeping the balances.
func moveClawbackTx(tx *bolt.Tx, id uint64, status string, batchID uint64) error {
	var cb Clawback
	if err := get(tx.Bucket(bClawbacks), u64(id), &cb); err != nil {
		return fmt.Errorf("clawback %d: %w", id, err)
	}
	sign := func(st string, b *Balance, amt decimal.Decimal) {
		switch st {
		case ClawbackOpen:
			b.Clawback = b.Clawback.Add(amt)
		case ClawbackInPayout:
			b.InPayout = b.InPayout.Sub(amt)
		case ClawbackSettled:
			b.Paid = b.Paid.Sub(amt)
		}
	}
	old := cb.Status
	if err := adjustBalanceTx(tx, cb.Program, cb.PartnerID, dayKey(cb.CreatedAt), func(b *Balance) {
		sign(old, b, cb.Amount.Neg())
		sign(status, b, cb.Amount)
	}); err != nil {
		return err
	}
	cb.Status, cb.BatchID = status, batchID
	return put(tx.Bucket(bClawbacks), u64(id), &cb)
}

func batchTx(tx *bolt.Tx, a Actor, id uint64) (*PayoutBatch, error) {
	var b PayoutBatch
	if err := get(tx.Bucket(bBatches), u64(id), &b); err != nil {
		return nil, fmt.Errorf("payout batch %d: %w", id, err)
	}
	if _, err := adminProgramTx(tx, a, b.Program); err != nil {
		return nil, err
	}
	return &b, nil
}

// PayoutBatch reads one batch (admins of its program).
func (s *Store) PayoutBatch(a Actor, id uint64) (*PayoutBatch, error) {
	var b *PayoutBatch
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		b, err = batchTx(tx, a, id)
		return err
	})
	return b, err
}

// ListPayoutBatches lists a program's batches newest first (its admins).
func (s *Store) ListPayoutBatches(a Actor, slug string) ([]PayoutBatch, error) {
	return walkPages(0, func(after uint64, n int) ([]PayoutBatch, uint64, error) {
		return s.PayoutBatchesPage(a, slug, Page{After: after, Limit: n}) // paging.go
	})
}

// PartnerPayouts lists the actor's own payout items, newest first, in one
// program or (slug "") in all of theirs. An item comes without the ids of
// the commissions and clawbacks it pays (partnerbatches.go).
func (s *Store) PartnerPayouts(a Actor, slug string) ([]PartnerPayout, error) {
	var out []PartnerPayout
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.eachOwnMembershipTx(tx, a, slug, func(p *Partner) error { // listpages.go
			// Only the batches that hold an item of this partner.
			var err error
			scanPrefix(tx.Bucket(bPartnerBatch), u64(p.ID), true, func(k, v []byte) bool {
				out, err = s.partnerPayoutRowTx(tx, k, v, out) // batchitems.go
				return err == nil
			})
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("payout history: %w", err)
	}
	return out, nil
}

// SetBatchStatus records a batch-level state (exported, sending, sent) with
// the provider's id (kept when remoteID is "") and an error message (""
// clears it).
func (s *Store) SetBatchStatus(a Actor, id uint64, status, remoteID, errMsg string) (*PayoutBatch, error) {
	switch status {
	case BatchExported, BatchSending, BatchSent:
	default:
		return nil, invalid("status", fmt.Sprintf("%q cannot be set directly", status))
	}
	return s.updateBatch(a, id, "set status", func(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
		if b.Status == BatchPaid || b.Status == BatchFailed || b.Status == BatchPartial {
			return fmt.Errorf("batch %d is %s: %w", id, b.Status, ErrConflict)
		}
		b.Status = status
		if remoteID != "" {
			b.RemoteID = remoteID
		}
		if status == BatchExported {
			b.Provider = "csv"
		}
		b.Error = errMsg
		return nil
	})
}

// SetBatchProvider records which provider a batch is sent through.
func (s *Store) SetBatchProvider(a Actor, id uint64, provider string) (*PayoutBatch, error) {
	return s.updateBatch(a, id, "set provider", func(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
		b.Provider = provider
		return nil
	})
}

// MarkBatchPaid marks every unsettled item of the batch paid (the merchant
// paid an exported batch by hand).
func (s *Store) MarkBatchPaid(a Actor, id uint64) (*PayoutBatch, error) {
	return s.updateBatch(a, id, "mark paid", func(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
		if b.Status == BatchPaid {
			return nil
		}
		if b.Status == BatchFailed || b.Status == BatchPartial {
			return fmt.Errorf("batch %d is %s: %w", id, b.Status, ErrConflict)
		}
		for i := range b.Items {
			if b.Items[i].Status == ItemPending || b.Items[i].Status == ItemSent {
				if err := settleItemTx(tx, b, &b.Items[i], ItemPaid, "", "", now); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SetItemStatus records one item's outcome: sent (in flight), paid (its
// commissions paid, its clawbacks settled) or failed (its commissions back
// to approved and its clawbacks open again, with the reason).
func (s *Store) SetItemStatus(a Actor, batchID, itemID uint64, status, remoteID, errMsg string) (*PayoutBatch, error) {
	switch status {
	case ItemSent, ItemPaid, ItemFailed:
	default:
		return nil, invalid("status", fmt.Sprintf("%q is not an item outcome", status))
	}
	return s.updateBatch(a, batchID, "set item status", func(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
		for i := range b.Items {
			if b.Items[i].ID == itemID {
				return settleItemTx(tx, b, &b.Items[i], status, remoteID, errMsg, now)
			}
		}
		return fmt.Errorf("item %d of batch %d: %w", itemID, batchID, ErrNotFound)
	})
}

// ItemUpdate is one item outcome for SetItemStatuses.
type ItemUpdate struct {
	ItemID   uint64
	Status   string // ItemSent, ItemPaid or ItemFailed
	RemoteID string
	Err      string
}

// SetItemStatuses records many item outcomes of one batch in one durable
// transaction (a provider's status report for a large batch). Items already
// settled with the same outcome are left alone.
func (s *Store) SetItemStatuses(a Actor, batchID uint64, updates []ItemUpdate) (*PayoutBatch, error) {
	for _, u := range updates {
		switch u.Status {
		case ItemSent, ItemPaid, ItemFailed:
		default:
			return nil, invalid("status", fmt.Sprintf("%q is not an item outcome", u.Status))
		}
	}
	return s.updateBatch(a, batchID, "set item statuses", func(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
		for _, u := range updates {
			found := false
			for i := range b.Items {
				if b.Items[i].ID == u.ItemID {
					found = true
					if err := settleItemTx(tx, b, &b.Items[i], u.Status, u.RemoteID, u.Err, now); err != nil {
						return err
					}
				}
			}
			if !found {
				return fmt.Errorf("item %d of batch %d: %w", u.ItemID, batchID, ErrNotFound)
			}
		}
		return nil
	})
}

func (s *Store) updateBatch(a Actor, id uint64, what string, fn func(*bolt.Tx, *PayoutBatch, time.Time) error) (*PayoutBatch, error) {
	var b *PayoutBatch
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if b, err = batchTx(tx, a, id); err != nil {
			return err
		}
		now := s.now().UTC()
		before := *b
		before.Items = slices.Clone(b.Items)
		if err := fn(tx, b, now); err != nil {
			return err
		}
		b.UpdatedAt = now
		finishBatch(b, now)
		if err := emitBatchChangeTx(tx, &before, b, now); err != nil {
			return err
		}
		return putBatchTx(tx, b)
	})
	if err != nil {
		return nil, fmt.Errorf("%s of batch %d: %w", what, id, err)
	}
	return b, nil
}

// finishBatch derives the batch status once every item is settled.
func finishBatch(b *PayoutBatch, now time.Time) {
	paid, failed := 0, 0
	for _, it := range b.Items {
		switch it.Status {
		case ItemPaid:
			paid++
		case ItemFailed:
			failed++
		}
	}
	if paid+failed < len(b.Items) {
		return
	}
	b.Error = "" // settled: what is left to say is on the failed items
	switch {
	case failed == 0:
		b.Status = BatchPaid
		if b.PaidAt.IsZero() {
			b.PaidAt = now
		}
	case paid == 0:
		b.Status = BatchFailed
	default:
		b.Status = BatchPartial
		if b.PaidAt.IsZero() {
			b.PaidAt = now
		}
	}
}

// settleItemTx applies an item outcome to the ledger. Paid and failed are
// final: a settled item does not change again.
func settleItemTx(tx *bolt.Tx, b *PayoutBatch, it *PayoutItem, status, remoteID, errMsg string, now time.Time) error {
	if remoteID != "" {
		it.RemoteID = remoteID
	}
	it.Error = errMsg
	it.UpdatedAt = now
	if it.Status == ItemPaid || it.Status == ItemFailed {
		if it.Status == status {
			return nil
		}
		return fmt.Errorf("item %d is already %s: %w", it.ID, it.Status, ErrConflict)
	}
	it.Status = status
	switch status {
	case ItemPaid:
		for _, id := range it.Commissions {
			c, err := commissionTx(tx, id)
			if err != nil {
				return err
			}
			if err := setStatusTx(tx, c, CommissionPaid, now); err != nil {
				return err
			}
		}
		for _, id := range it.Clawbacks {
			if err := moveClawbackTx(tx, id, ClawbackSettled, b.ID); err != nil {
				return err
			}
		}
	case ItemFailed:
		for _, id := range it.Commissions {
			if err := releaseTx(tx, id, errMsg, now); err != nil {
				return err
			}
		}
		for _, id := range it.Clawbacks {
			if err := moveClawbackTx(tx, id, ClawbackOpen, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// releaseTx returns an in_payout commission to approved. A refund that came
// while it was in the payout made a clawback; back in the balance, the
// reversal reduces the commission itself, so that clawback is dropped.
func releaseTx(tx *bolt.Tx, id uint64, reason string, now time.Time) error {
	c, err := commissionTx(tx, id)
	if err != nil {
		return err
	}
	var drop []Clawback
	scanPrefix(tx.Bucket(bPartnerClaw), u64(c.PartnerID), false, func(k, _ []byte) bool {
		var cb Clawback
		if get(tx.Bucket(bClawbacks), k[8:], &cb) == nil && cb.CommissionID == id && cb.Status == ClawbackOpen {
			drop = append(drop, cb)
		}
		return true
	})
	for _, cb := range drop {
		if err := adjustBalanceTx(tx, cb.Program, cb.PartnerID, dayKey(cb.CreatedAt), func(b *Balance) {
			b.Clawback = b.Clawback.Sub(cb.Amount)
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bClawbacks).Delete(u64(cb.ID)); err != nil {
			return err
		}
		if err := tx.Bucket(bPartnerClaw).Delete(key(cb.PartnerID, cb.ID)); err != nil {
			return err
		}
	}
	before := c.Locked
	c.Locked, c.BatchID, c.Reason, c.UpdatedAt = decimal.Zero, 0, reason, now
	c.Status = CommissionApproved
	if c.Net().Sign() == 0 {
		c.Status = CommissionReversed
	}
	if err := adjustBalanceTx(tx, c.Program, c.PartnerID, c.day(), func(b *Balance) {
		b.InPayout = b.InPayout.Sub(before)
		b.add(c.Status, c.Net())
	}); err != nil {
		return err
	}
	return putCommissionTx(tx, c)
}

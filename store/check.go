package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Violation is one broken ledger invariant.
type Violation struct {
	What string
}

func (v Violation) String() string { return v.What }

// Check verifies every ledger invariant and returns each violation:
// per partner and per program, pending + approved + in_payout + paid −
// clawback equals the sum of commissions net of reversals, and every stored
// balance equals the one recomputed from the records; no commission is in
// two payout batches; no commission exceeds its rule; every order id maps
// to one conversion; refunds never exceed their sale; the daily counters
// add up to the records; every stored click decodes and names its program
// and partner.
func (s *Store) Check() ([]Violation, error) {
	var out []Violation
	bad := func(format string, args ...any) { out = append(out, Violation{What: fmt.Sprintf(format, args...)}) }
	// Count the clicks whose counters wait for a flush first.
	if err := s.writer.flushClicks(context.Background()); err != nil {
		return nil, fmt.Errorf("check: flush click counters: %w", err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		computed := map[string]*Balance{}
		net := map[string]decimal.Decimal{}
		bal := func(k string) *Balance {
			if computed[k] == nil {
				computed[k] = &Balance{}
			}
			return computed[k]
		}
		inBatch := map[uint64]uint64{}
		if err := tx.Bucket(bBatches).ForEach(func(_, v []byte) error {
			var b PayoutBatch
			if err := getBytes(v, &b); err != nil {
				return err
			}
			for _, it := range b.Items {
				if it.Status == ItemFailed {
					continue
				}
				for _, id := range it.Commissions {
					if other, ok := inBatch[id]; ok {
						bad("commission %d is in batches %d and %d", id, other, b.ID)
					}
					inBatch[id] = b.ID
				}
			}
			return nil
		}); err != nil {
			return err
		}
		err := tx.Bucket(bCommissions).ForEach(func(_, v []byte) error {
			var c Commission
			if err := getBytes(v, &c); err != nil {
				return err
			}
			pk, gk := string(u64(c.PartnerID)), string(balanceKeyProgram(c.Program))
			for _, k := range []string{pk, gk} {
				bal(k).add(c.Status, c.contribution())
				if c.Status != CommissionRejected {
					net[k] = net[k].Add(c.Net())
				}
			}
			if c.Reversed.Sign() < 0 || c.Reversed.GreaterThan(c.Amount) || c.Amount.Sign() < 0 {
				bad("commission %d: reversed %s outside 0..%s", c.ID, c.Reversed, c.Amount)
			}
			if c.Locked.GreaterThan(c.Amount) {
				bad("commission %d: locked %s exceeds amount %s", c.ID, c.Locked, c.Amount)
			}
			if (c.Status == CommissionInPayout || c.Status == CommissionPaid) != (inBatch[c.ID] != 0) {
				bad("commission %d is %s but its batch is %d", c.ID, c.Status, inBatch[c.ID])
			}
			if c.Status == CommissionInPayout && inBatch[c.ID] != c.BatchID {
				bad("commission %d says batch %d, batch %d holds it", c.ID, c.BatchID, inBatch[c.ID])
			}
			conv, err := conversionTx(tx, c.ConversionID)
			if err != nil {
				bad("commission %d: %v", c.ID, err)
				return nil
			}
			if c.MovedTo == 0 && (conv.CommissionID != c.ID || conv.PartnerID != c.PartnerID) {
				bad("commission %d and conversion %d disagree", c.ID, conv.ID)
			}
			if rate, ok := ruleRate(c.Rule); ok {
				if want := rateAmount(rate, conv.Amount, c.Currency); !want.Equal(c.Amount) {
					bad("commission %d is %s, its rule %q gives %s", c.ID, c.Amount, c.Rule, want)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.Bucket(bClawbacks).ForEach(func(_, v []byte) error {
			var cb Clawback
			if err := getBytes(v, &cb); err != nil {
				return err
			}
			for _, k := range []string{string(u64(cb.PartnerID)), string(balanceKeyProgram(cb.Program))} {
				b := bal(k)
				switch cb.Status {
				case ClawbackOpen:
					b.Clawback = b.Clawback.Add(cb.Amount)
				case ClawbackInPayout:
					b.InPayout = b.InPayout.Sub(cb.Amount)
				case ClawbackSettled:
					b.Paid = b.Paid.Sub(cb.Amount)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		// The day counters' status sums add up to the balances.
		days := map[string]*Balance{}
		if err := tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
			var c Counters
			if err := getBytes(v, &c); err != nil {
				return err
			}
			var bk string
			switch k[0] {
			case 'P':
				slug, _, _ := bytes.Cut(k[1:], []byte{0})
				bk = string(balanceKeyProgram(string(slug)))
			case partnerDayPrefix:
				bk = string(k[9:])
			default:
				return nil
			}
			if days[bk] == nil {
				days[bk] = &Balance{}
			}
			sum := Counters{Status: *days[bk]}
			sum.Add(Counters{Status: c.Status})
			*days[bk] = sum.Status
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bBalances).ForEach(func(k, v []byte) error {
			var stored Balance
			if err := getBytes(v, &stored); err != nil {
				return err
			}
			d := days[string(k)]
			if d == nil {
				d = &Balance{}
			}
			if !d.Pending.Equal(stored.Pending) || !d.Approved.Equal(stored.Approved) || !d.InPayout.Equal(stored.InPayout) ||
				!d.Paid.Equal(stored.Paid) || !d.Clawback.Equal(stored.Clawback) {
				bad("balance %s: stored %+v, the day counters add up to %+v", balanceName(k), stored, *d)
			}
			return nil
		}); err != nil {
			return err
		}
		if err := tx.Bucket(bBalances).ForEach(func(k, v []byte) error {
			var stored Balance
			if err := getBytes(v, &stored); err != nil {
				return err
			}
			c := bal(string(k))
			if !stored.Pending.Add(stored.Approved).Equal(c.Pending.Add(c.Approved)) || !stored.InPayout.Equal(c.InPayout) ||
				!stored.Paid.Equal(c.Paid) || !stored.Clawback.Equal(c.Clawback) {
				bad("balance %s: stored %+v, records give %+v", balanceName(k), stored, *c)
			}
			if !stored.Total().Equal(net[string(k)]) {
				bad("balance %s: pending+approved+in_payout+paid-clawback = %s, commissions net of reversals = %s",
					balanceName(k), stored.Total(), net[string(k)])
			}
			delete(computed, string(k))
			return nil
		}); err != nil {
			return err
		}
		for k, c := range computed {
			if c.Total().Sign() != 0 || c.InPayout.Sign() != 0 {
				bad("balance %s: no stored balance, records give %+v", balanceName([]byte(k)), *c)
			}
		}
		if err := s.checkJournalTx(tx, bad); err != nil { // journalstore.go
			return err
		}
		if err := checkClicksTx(tx, bad); err != nil {
			return err
		}
		if err := checkLinkCountersTx(tx, bad); err != nil {
			return err
		}
		if err := checkLinkTotalsTx(tx, bad); err != nil { // linktotals.go
			return err
		}
		if err := checkPartnerRevenueTx(tx, bad); err != nil {
			return err
		}
		if err := checkBatchHeadsTx(tx, bad); err != nil {
			return err
		}
		if err := checkPartnerBatchRowsTx(tx, bad); err != nil { // partnerbatches.go
			return err
		}
		if err := checkFlaggedIndexTx(tx, bad); err != nil {
			return err
		}
		if err := checkOwedIndexTx(tx, bad); err != nil {
			return err
		}
		if err := checkMaturingTx(tx, bad); err != nil { // maturing.go
			return err
		}
		if err := checkOutboxTx(tx, bad); err != nil {
			return err
		}
		return checkOrdersTx(tx, bad)
	})
	if err == nil {
		// In a snapshot of its own that the view holds (topview_check.go).
		err = s.checkTopView(bad)
	}
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return out, nil
}

func checkOrdersTx(tx *bolt.Tx, bad func(string, ...any)) error {
	convs, referred := map[string]int64{}, map[string]int64{}
	err := tx.Bucket(bConversions).ForEach(func(_, v []byte) error {
		var c Conversion
		if err := getBytes(v, &c); err != nil {
			return err
		}
		convs[c.Program]++
		if c.Attributed {
			referred[c.Program]++
		}
		id := tx.Bucket(bOrders).Get(key(c.Program, c.OrderID))
		if btou(id) != c.ID {
			bad("order %s of %s maps to conversion %d, not %d", c.OrderID, c.Program, btou(id), c.ID)
		}
		if c.Refunded.GreaterThan(c.Amount) || c.Refunded.Sign() < 0 {
			bad("conversion %d: refunded %s outside 0..%s", c.ID, c.Refunded, c.Amount)
		}
		return nil
	})
	if err != nil {
		return err
	}
	orders := map[string]int64{}
	if err := tx.Bucket(bOrders).ForEach(func(k, v []byte) error {
		slug, _, _ := bytes.Cut(k, []byte{0})
		orders[string(slug)]++
		return nil
	}); err != nil {
		return err
	}
	counted, countedReferred := map[string]int64{}, map[string]int64{}
	if err := tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
		if k[0] != 'P' {
			return nil
		}
		slug, _, _ := bytes.Cut(k[1:], []byte{0})
		var c Counters
		if err := getBytes(v, &c); err != nil {
			return err
		}
		counted[string(slug)] += c.Conversions
		countedReferred[string(slug)] += c.Referred
		return nil
	}); err != nil {
		return err
	}
	for slug, n := range convs {
		if orders[slug] != n {
			bad("program %s: %d conversions but %d order ids", slug, n, orders[slug])
		}
		if counted[slug] != n {
			bad("program %s: %d conversions but the daily counters say %d", slug, n, counted[slug])
		}
		if countedReferred[slug] != referred[slug] {
			bad("program %s: %d referred conversions but the daily counters say %d", slug, referred[slug], countedReferred[slug])
		}
	}
	return nil
}

func balanceName(k []byte) string {
	if len(k) > 0 && k[0] == 'P' && len(k) != 8 {
		return "of program " + string(k[1:])
	}
	return fmt.Sprintf("of partner %d", btou(k))
}

// ruleRate reads back the percentage rate a commission's rule names
// ("percentage 20%", "tiered 25%", "renewal 10%").
func ruleRate(rule string) (Rate, bool) {
	f := strings.Fields(rule)
	if len(f) != 2 || !strings.HasSuffix(f[1], "%") {
		return Rate{}, false
	}
	r, err := ParseRate(f[1], "USD")
	return r, err == nil
}

package store

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Stats is a program's (merchant) or a partner's (own) activity over the
// last Days days, and commission balances of all time.
type Stats struct {
	Program      string
	Currency     string
	PartnerID    uint64 // 0 for program-wide
	Days         int
	Clicks       int64
	UniqueClicks int64
	Conversions  int64           // every reported order (merchant) or the partner's own
	Revenue      decimal.Decimal // of Conversions, net of refunds
	// ReferredConversions and ReferredRevenue are the orders attributed to
	// a partner (for a partner: all of theirs); conversion rate and EPC
	// count only these.
	ReferredConversions int64
	ReferredRevenue     decimal.Decimal
	Commission          decimal.Decimal
	Balance             Balance
	Daily               []DayCounters // oldest first, one per day
	// Subs breaks the window down by campaign sub-id: per link for a
	// partner's own links, across partners for the program's admins.
	// Highest revenue first.
	Subs []SubStats
}

// DayCounters is one day of Counters.
type DayCounters struct {
	Day time.Time
	Counters
}

// ConversionRate is referred conversions per click (0 without clicks), 4
// places. Orders nobody referred are left out: they did not come from a
// click.
func (st *Stats) ConversionRate() decimal.Decimal {
	if st.Clicks == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(st.ReferredConversions).DivRound(decimal.NewFromInt(st.Clicks), 4)
}

// EPC is earnings (commission, which only referred conversions earn) per
// click, in the program currency.
func (st *Stats) EPC() decimal.Decimal {
	if st.Clicks == 0 {
		return decimal.Zero
	}
	places, _ := CurrencyDecimals(st.Currency)
	return st.Commission.DivRound(decimal.NewFromInt(st.Clicks), places+2)
}

// Stats returns program-wide stats for the program's admins and own stats
// for a partner, over the last days days (1..3660; 0 means 30).
func (s *Store) Stats(a Actor, slug string, days int) (*Stats, error) {
	s.seeClicks() // journalstore.go
	return s.stats(a, slug, days, true)
}

// stats is Stats; withSubs false leaves out the campaign breakdown (Subs),
// which the dashboards do not show and which costs what the period's link
// days hold. It reads what is stored without waiting for the click
// applier (the screens' StatsSince; Stats waits first).
func (s *Store) stats(a Actor, slug string, days int, withSubs bool) (*Stats, error) {
	if days == 0 {
		days = 30
	}
	if days < 1 || days > 3660 {
		return nil, invalid("days", fmt.Sprintf("%d must be from 1 to 3660", days))
	}
	now := s.now().UTC()
	st := &Stats{Program: slug, Days: days}
	err := s.db.View(func(tx *bolt.Tx) error {
		prog, partnerID, err := viewerTx(tx, a, slug)
		if err != nil {
			return err
		}
		st.Currency, st.PartnerID = prog.Currency, partnerID
		if err := fillStatsTx(tx, st, now); err != nil || !withSubs {
			return err
		}
		return fillSubsTx(tx, st)
	})
	if err != nil {
		return nil, fmt.Errorf("stats of %s: %w", slug, err)
	}
	return st, nil
}

// PartnerStats returns one partner's stats for the program's admins.
func (s *Store) PartnerStats(a Actor, slug string, partnerID uint64, days int) (*Stats, error) {
	s.seeClicks() // journalstore.go
	return s.partnerStats(a, slug, partnerID, days)
}

// partnerStats is PartnerStats without waiting for the click applier.
func (s *Store) partnerStats(a Actor, slug string, partnerID uint64, days int) (*Stats, error) {
	if days <= 0 {
		days = 30
	}
	now := s.now().UTC()
	st := &Stats{Program: slug, Days: days, PartnerID: partnerID}
	err := s.db.View(func(tx *bolt.Tx) error {
		prog, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil || p.Program != slug {
			return fmt.Errorf("partner %d: %w", partnerID, ErrNotFound)
		}
		st.Currency = prog.Currency
		if err := fillStatsTx(tx, st, now); err != nil {
			return err
		}
		return fillSubsTx(tx, st)
	})
	if err != nil {
		return nil, fmt.Errorf("stats of partner %d: %w", partnerID, err)
	}
	return st, nil
}

func fillStatsTx(tx *bolt.Tx, st *Stats, now time.Time) error {
	// Commissions whose hold ended count as approved on their day too, and
	// in the balance (read from the maturing index: maturing.go).
	matured := map[string]decimal.Decimal{}
	maturedTotal, anyMatured, err := maturedTx(tx, st.Program, st.PartnerID, now, matured)
	if err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := st.Days - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		k := programDayKey(st.Program, dayKey(day))
		if st.PartnerID != 0 {
			k = partnerDayKey(st.PartnerID, dayKey(day))
		}
		c, err := readCountersTx(tx, k)
		if err != nil {
			return err
		}
		if m, ok := matured[dayKey(day)]; ok {
			c.Status.Pending = c.Status.Pending.Sub(m)
			c.Status.Approved = c.Status.Approved.Add(m)
		}
		st.Daily = append(st.Daily, DayCounters{Day: day, Counters: c})
		st.Clicks += c.Clicks
		st.UniqueClicks += c.UniqueClicks
		st.Conversions += c.Conversions
		st.Revenue = st.Revenue.Add(c.Revenue)
		st.Commission = st.Commission.Add(c.Commission)
		if st.PartnerID != 0 { // a partner's conversions are all referred
			c.Referred, c.ReferredRevenue = c.Conversions, c.Revenue
			st.Daily[len(st.Daily)-1].Counters = c
		}
		st.ReferredConversions += c.Referred
		st.ReferredRevenue = st.ReferredRevenue.Add(c.ReferredRevenue)
	}
	b, err := storedBalanceTx(tx, st.Program, st.PartnerID)
	if err != nil {
		return err
	}
	if anyMatured {
		b.Pending = b.Pending.Sub(maturedTotal)
		b.Approved = b.Approved.Add(maturedTotal)
	}
	st.Balance = b
	return nil
}

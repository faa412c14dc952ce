package store

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Per-link and per-campaign counters live in the daily bucket beside the
// program and partner counters, written in the same group commit as the
// click, conversion or refund they count:
//
//	K YYYYMMDD code 0 sub          every click, conversion and refund that came
//	                               through a link, by day and campaign sub-id ("" = none);
//	                               its FirstClickAt/LastClickAt bound the day's click times
//	S slug 0 YYYYMMDD 0 sub        the same for campaign sub-ids only (sub ≠ ""), by
//	                               program across its partners, so the merchant's
//	                               breakdown reads O(days × campaigns), never every link
//
// Link records are keyed day first (counters.go says why; builds before
// keyed them "L" code 0 YYYYMMDD 0 sub, moved on open by dayfirst_migrate.go).
// Codes are [A-Za-z0-9_-] and subs carry no control characters, so the
// zero bytes separate the parts unambiguously.

func linkDayKey(code, day, sub string) string {
	return string(linkDayPrefix) + day + code + "\x00" + sub
}

func programSubKey(slug, day, sub string) string {
	return "S" + slug + "\x00" + day + "\x00" + sub
}

// addLinkDelta counts d for a referral code's link (and its campaign, when
// sub is set) on day.
func addLinkDelta(deltas map[string]*Counters, slug, code, sub, day string, d Counters) {
	if code == "" {
		return
	}
	addDelta(deltas, linkDayKey(code, day, sub), d)
	if sub != "" {
		d.FirstClickAt, d.LastClickAt = time.Time{}, time.Time{}
		addDelta(deltas, programSubKey(slug, day, sub), d)
	}
}

// SubStats is one campaign (a sub-id) over a stats window: on one of a
// partner's links (PartnerID and Code set), or across the program's
// partners (both zero).
type SubStats struct {
	PartnerID   uint64
	Code        string
	Sub         string
	Clicks      int64
	Conversions int64
	Revenue     decimal.Decimal
	Commission  decimal.Decimal
}

// fillSubsTx adds the campaign breakdown to st: by link and sub-id for a
// partner's own links, by sub-id across every partner for the program's
// admins.
func fillSubsTx(tx *bolt.Tx, st *Stats) error {
	if len(st.Daily) == 0 {
		return nil
	}
	from, to := dayKey(st.Daily[0].Day), dayKey(st.Daily[len(st.Daily)-1].Day)
	rows := map[[2]string]*SubStats{}
	add := func(code, sub string, v []byte) error {
		n, err := decodeTotals(v)
		if err != nil {
			return err
		}
		r := rows[[2]string{code, sub}]
		if r == nil {
			r = &SubStats{PartnerID: st.PartnerID, Code: code, Sub: sub}
			rows[[2]string{code, sub}] = r
		}
		r.Clicks += n.Clicks
		r.Conversions += n.Conversions
		r.Revenue = r.Revenue.Add(n.Revenue)
		r.Commission = r.Commission.Add(n.Commission)
		return nil
	}
	// scan reads the keys prefix+day+0+rest for day in [from, to].
	scan := func(prefix []byte, fn func(rest, v []byte) error) error {
		c := tx.Bucket(bDaily).Cursor()
		for k, v := c.Seek(append(bytes.Clone(prefix), from...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			day, rest, ok := bytes.Cut(k[len(prefix):], []byte{0})
			if string(day) > to {
				break
			}
			if !ok {
				continue
			}
			if err := fn(rest, v); err != nil {
				return err
			}
		}
		return nil
	}
	if st.PartnerID != 0 {
		var codes []string
		scanPrefix(tx.Bucket(bPartnerLinks), u64(st.PartnerID), false, func(k, _ []byte) bool {
			codes = append(codes, string(k[8:len(k)-1]))
			return true
		})
		for _, code := range codes {
			if err := linkDaysTx(tx, code, from, to, func(_ string, sub, v []byte) (bool, error) {
				if len(sub) == 0 {
					return true, nil
				}
				return true, add(code, string(sub), v)
			}); err != nil {
				return err
			}
		}
	} else if err := scan([]byte("S"+st.Program+"\x00"), func(sub, v []byte) error {
		return add("", string(sub), v)
	}); err != nil {
		return err
	}
	st.Subs = make([]SubStats, 0, len(rows))
	for _, r := range rows {
		st.Subs = append(st.Subs, *r)
	}
	slices.SortFunc(st.Subs, func(a, b SubStats) int {
		if c := b.Revenue.Cmp(a.Revenue); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Clicks, a.Clicks); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Sub, b.Sub))
	})
	return nil
}

// linkTotalsTx sums a referral code's counters of all time: its clicks,
// and the conversions (revenue, commission, net of refunds) that came
// through it by click id or by ref. It reads the link's total and its day
// records since (linkAllTimeTx, linktotals.go).
func linkTotalsTx(tx *bolt.Tx, code string) (Counters, error) {
	var sum Counters
	err := linkAllTimeTx(tx, code, func(v []byte) error {
		n, err := decodeTotals(v) // totalsfast.go
		if err != nil {
			return err
		}
		sum.Add(Counters{Clicks: n.Clicks, Conversions: n.Conversions, Revenue: n.Revenue, Commission: n.Commission})
		return nil
	})
	if err != nil {
		return Counters{}, fmt.Errorf("link %s counters: %w", code, err)
	}
	return sum, nil
}

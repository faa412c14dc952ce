package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Reads for the dashboard screens. Each reads one page: the filters are
// applied inside the scan, which stops once the page is full, so a screen
// costs what it shows, not the program's history. Permission checks are
// the same as the commands'.

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// FilterFlagged is a commission "status" filter: pending commissions with
// fraud flags, which wait for the merchant.
const FilterFlagged = "flagged"

// PageQuery selects one page of a list, newest first.
type PageQuery struct {
	Status    string // only this status ("" = all)
	PartnerID uint64 // only this partner's rows (0 = all)
	Search    string // case-insensitive text: partner name/email/code, or order/customer id
	// Cursor is Next of the previous page: the id of its last row; the page
	// starts after it (0 = from the newest).
	Cursor uint64
	Limit  int // rows at most (0 = DefaultPageSize)
	// MaxScan bounds the rows a filtered read examines (0 = no bound): a
	// page cut short by it has fewer rows and Next set, so a screen stays
	// quick on a filter that matches little and pages on from there.
	MaxScan int
}

func (q *PageQuery) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultPageSize
	case q.Limit > MaxPageSize:
		return MaxPageSize
	}
	return q.Limit
}

// PartnerRow is a partner with all-time activity and balance.
type PartnerRow struct {
	Partner
	Totals  Counters // clicks, conversions, revenue, commission of all time
	Balance Balance  // as stored (matured commissions may still show as pending)
}

// PartnerPage is one page of a program's partners, newest first.
type PartnerPage struct {
	Rows []PartnerRow
	Next uint64 // cursor of the next page; 0 when this is the last
}

// PartnerPage reads one page of a program's partners (merchant).
func (s *Store) PartnerPage(ctx context.Context, a Actor, slug string, q PageQuery) (*PartnerPage, error) {
	s.seeClicksFor(ctx) // journalstore.go
	if q.Status != "" && !validPartnerStatus(q.Status) {
		return nil, invalid("status", fmt.Sprintf("%q must be pending, approved, rejected or suspended", q.Status))
	}
	search := strings.ToLower(strings.TrimSpace(q.Search))
	limit := q.limit()
	page := &PartnerPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		return pageScan(ctx, tx.Bucket(bProgPartners), key(slug), q, &page.Next, func(id uint64) (bool, error) {
			var p Partner
			if err := get(tx.Bucket(bPartners), u64(id), &p); err != nil {
				return false, err
			}
			if q.Status != "" && p.Status != q.Status {
				return true, nil
			}
			if search != "" && !matches(search, p.Name, p.Email, p.Code) {
				return true, nil
			}
			if len(page.Rows) == limit {
				page.Next = page.Rows[limit-1].ID
				return false, nil
			}
			row := PartnerRow{Partner: p}
			var err error
			if row.Totals, err = partnerTotalsTx(tx, p.ID, ""); err != nil {
				return false, err
			}
			if err := get(tx.Bucket(bBalances), u64(p.ID), &row.Balance); err != nil && err != ErrNotFound {
				return false, err
			}
			page.Rows = append(page.Rows, row)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("partners of %s: %w", slug, err)
	}
	return page, nil
}

// PartnerCount counts a program's partners (merchant). It counts index
// keys only, without reading the records.
func (s *Store) PartnerCount(ctx context.Context, a Actor, slug string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		scanPrefix(tx.Bucket(bProgPartners), key(slug), false, func(_, _ []byte) bool {
			n++
			return n%4096 != 0 || ctx.Err() == nil
		})
		return ctx.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("count partners of %s: %w", slug, err)
	}
	return n, nil
}

// pageScan reads one page of index b under prefix from q.Cursor, newest
// first, calling visit for each id until it answers false (page full, or
// an error). It stops early when ctx ends (checked every 256 ids) and
// after q.MaxScan ids, then setting *next to the last id looked at so the
// page can go on from there.
func pageScan(ctx context.Context, b *bolt.Bucket, prefix []byte, q PageQuery, next *uint64, visit func(id uint64) (bool, error)) error {
	var err error
	n, last := 0, uint64(0)
	scanFrom(b, prefix, q.Cursor, func(id uint64) bool {
		if n++; n%256 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			return false
		}
		if q.MaxScan > 0 && n > q.MaxScan {
			*next = last
			return false
		}
		last = id
		var more bool
		more, err = visit(id)
		return more && err == nil
	})
	return err
}

// scanFrom walks the ids under prefix (keys prefix|id) newest first,
// starting below cursor (0 = from the newest).
func scanFrom(b *bolt.Bucket, prefix []byte, cursor uint64, fn func(id uint64) bool) {
	c := b.Cursor()
	var k []byte
	if cursor == 0 {
		end := append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		if k, _ = c.Seek(end); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	} else {
		k, _ = c.Seek(append(bytes.Clone(prefix), u64(cursor)...))
		if k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if len(k) != len(prefix)+8 {
			continue
		}
		if !fn(btou(k[len(prefix):])) {
			return
		}
	}
}

// matches reports whether any of fields contains needle (lower case).
func matches(needle string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), needle) {
			return true
		}
	}
	return false
}

// partnerTotalsTx sums a partner's day counters (activity and money, not
// the status sums) from day since (YYYYMMDD, "" = all time): one point
// read per day (dayfirst.go).
func partnerTotalsTx(tx *bolt.Tx, partnerID uint64, since string) (Counters, error) {
	var sum Counters
	err := partnerDaysTx(tx, partnerID, since, func(_ string, v []byte) error {
		return addTotals(&sum, v)
	})
	return sum, err
}

// addTotals adds a day counters record's activity and money (not its
// status sums) to sum.
func addTotals(sum *Counters, v []byte) error {
	d, err := decodeTotals(v)
	if err != nil {
		return err
	}
	sum.Clicks += d.Clicks
	sum.UniqueClicks += d.UniqueClicks
	sum.Conversions += d.Conversions
	sum.Revenue = sum.Revenue.Add(d.Revenue)
	sum.Commission = sum.Commission.Add(d.Commission)
	return nil
}

// dayTotals is the part of a day's Counters the screens sum: decoding
// only these skips the per-status decimals (most of the decoding time).
type dayTotals struct {
	Clicks       int64           `json:"clicks"`
	UniqueClicks int64           `json:"unique_clicks"`
	Conversions  int64           `json:"conversions"`
	Revenue      decimal.Decimal `json:"revenue"`
	Commission   decimal.Decimal `json:"commission"`
}

// ConversionRow is a conversion with its commission and partner's name.
type ConversionRow struct {
	ConversionResult
	PartnerName string
}

// ConversionPage is one page of a program's conversions, newest first.
type ConversionPage struct {
	Rows []ConversionRow
	Next uint64
}

// ConversionPage reads one page of a program's conversions (merchant: all;
// partner: their own).
func (s *Store) ConversionPage(ctx context.Context, a Actor, slug string, q PageQuery) (*ConversionPage, error) {
	search := strings.ToLower(strings.TrimSpace(q.Search))
	limit := q.limit()
	now := s.now().UTC()
	page := &ConversionPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		_, viewer, err := viewerTx(tx, a, slug)
		if err != nil {
			return err
		}
		partner := q.PartnerID
		if viewer != 0 {
			partner = viewer
		}
		names := map[uint64]string{}
		return pageScan(ctx, tx.Bucket(bProgConv), key(slug), q, &page.Next, func(id uint64) (bool, error) {
			r, err := conversionResultTx(tx, id, now)
			if err != nil {
				return false, err
			}
			cv := r.Conversion
			if partner != 0 && cv.PartnerID != partner {
				return true, nil
			}
			if q.Status != "" && (r.Commission == nil || r.Commission.Status != q.Status) {
				return true, nil
			}
			if search != "" && !matches(search, cv.OrderID, cv.CustomerID) {
				return true, nil
			}
			if len(page.Rows) == limit {
				page.Next = page.Rows[limit-1].Conversion.ID
				return false, nil
			}
			page.Rows = append(page.Rows, ConversionRow{ConversionResult: *r, PartnerName: partnerNameTx(tx, names, cv.PartnerID)})
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("conversions of %s: %w", slug, err)
	}
	return page, nil
}

func partnerNameTx(tx *bolt.Tx, cache map[uint64]string, id uint64) string {
	if id == 0 {
		return ""
	}
	if n, ok := cache[id]; ok {
		return n
	}
	var p Partner
	if get(tx.Bucket(bPartners), u64(id), &p) == nil {
		cache[id] = p.Name
		if p.Name == "" {
			cache[id] = p.Email
		}
	}
	return cache[id]
}

// CommissionRow is a commission with its partner's name.
type CommissionRow struct {
	Commission
	PartnerName string
}

// CommissionPage is one page of commissions, newest first.
type CommissionPage struct {
	Rows []CommissionRow
	Next uint64
}

// CommissionPage reads one page of a program's commissions (merchant: all;
// partner: their own), filtered by status (as of now: a pending commission
// whose hold ended counts as approved) or FilterFlagged.
func (s *Store) CommissionPage(ctx context.Context, a Actor, slug string, q PageQuery) (*CommissionPage, error) {
	switch q.Status {
	case "", FilterFlagged, CommissionPending, CommissionApproved, CommissionInPayout, CommissionPaid, CommissionRejected, CommissionReversed:
	default:
		return nil, invalid("status", fmt.Sprintf("%q is not a commission status", q.Status))
	}
	limit := q.limit()
	now := s.now().UTC()
	page := &CommissionPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		_, viewer, err := viewerTx(tx, a, slug)
		if err != nil {
			return err
		}
		partner := q.PartnerID
		if viewer != 0 {
			partner = viewer
		}
		prefix, bucket := key(slug), bProgComm
		switch {
		case partner != 0:
			prefix, bucket = u64(partner), bPartnerComm
		case q.Status == FilterFlagged:
			bucket = bFlaggedComm // the flagged ones only (flaggedindex.go)
		}
		names := map[uint64]string{}
		return pageScan(ctx, tx.Bucket(bucket), prefix, q, &page.Next, func(id uint64) (bool, error) {
			c, err := commissionTx(tx, id)
			if err != nil {
				return false, err
			}
			if c.Program != slug {
				return true, nil
			}
			c.effective(now)
			switch q.Status {
			case "":
			case FilterFlagged:
				if c.Status != CommissionPending || len(c.Flags) == 0 {
					return true, nil
				}
			default:
				if c.Status != q.Status {
					return true, nil
				}
			}
			if len(page.Rows) == limit {
				page.Next = page.Rows[limit-1].ID
				return false, nil
			}
			page.Rows = append(page.Rows, CommissionRow{Commission: *c, PartnerName: partnerNameTx(tx, names, c.PartnerID)})
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("commissions of %s: %w", slug, err)
	}
	return page, nil
}

// TopPartner is one partner's activity over a period.
type TopPartner struct {
	PartnerID uint64
	Name      string
	Counters
}

// ProgramView is a program's settings as a screen shows them: the secrets
// and the API key hash are left out; SecretsSet says which are set.
type ProgramView struct {
	Program
	SecretsSet map[string]bool // setting name (stripe-secret, …) → set
}

// ProgramView reads a program's settings without its secrets (merchant).
func (s *Store) ProgramView(ctx context.Context, a Actor, slug string) (*ProgramView, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := s.AdminProgram(a, slug)
	if err != nil {
		return nil, err
	}
	sec := p.Secrets
	v := &ProgramView{Program: *p, SecretsSet: map[string]bool{
		"stripe-secret":    sec.StripeSecret != "",
		"paypal-client-id": sec.PayPalClientID != "",
		"paypal-secret":    sec.PayPalSecret != "",
		"paypal-base-url":  sec.PayPalBaseURL != "",
		"wise-token":       sec.WiseToken != "",
		"wise-profile":     sec.WiseProfile != "",
		"wise-base-url":    sec.WiseBaseURL != "",
	}}
	v.Secrets = ProgramSecrets{}
	v.APIKeyHash = nil
	return v, nil
}

// OwedRow is what a partner is owed now and whether a batch would pay it.
type OwedRow struct {
	PartnerID uint64
	Name      string
	Email     string
	Owed      decimal.Decimal // approved (hold over) net of open clawbacks
	Method    string          // paypal | wise | ""
	Reason    string          // why a batch would leave them out; "" = paid
}

// OwedPage is one page of the partners with a non-zero approved balance.
type OwedPage struct {
	Rows []OwedRow
	Next uint64
}

// OwedPage reads who is owed what (merchant), newest partners first.
func (s *Store) OwedPage(ctx context.Context, a Actor, slug string, q PageQuery) (*OwedPage, error) {
	limit := q.limit()
	now := s.now().UTC()
	page := &OwedPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		prog, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		matured := map[uint64]decimal.Decimal{}
		if err := eachMaturedNetTx(tx, slug, now, func(m maturedNet) { // maturing.go
			matured[m.partnerID] = matured[m.partnerID].Add(m.net)
		}); err != nil {
			return err
		}
		n := 0
		// Only partners who may be owed (owedindex.go), newest first.
		scanFrom(tx.Bucket(bOwedPartners), key(slug), q.Cursor, func(id uint64) bool {
			if n++; n%256 == 0 && ctx.Err() != nil {
				err = ctx.Err()
				return false
			}
			var b Balance
			if err = get(tx.Bucket(bBalances), u64(id), &b); err == ErrNotFound {
				err = nil
				return true
			} else if err != nil {
				return false
			}
			owed := b.Approved.Add(matured[id]).Sub(b.Clawback)
			if owed.IsZero() {
				return true
			}
			if len(page.Rows) == limit {
				page.Next = page.Rows[limit-1].PartnerID
				return false
			}
			var p Partner
			if err = get(tx.Bucket(bPartners), u64(id), &p); err != nil {
				return false
			}
			var u User
			if err = get(tx.Bucket(bUsers), u64(p.UserID), &u); err != nil {
				return false
			}
			row := OwedRow{PartnerID: id, Name: p.Name, Email: p.Email, Owed: owed}
			if u.Payout != nil {
				row.Method = u.Payout.Kind
			}
			switch {
			case owed.Sign() < 0:
				row.Reason = "clawbacks exceed earnings"
			case p.Status == PartnerSuspended:
				row.Reason = "partner is suspended"
			case owed.LessThan(prog.MinPayout):
				row.Reason = "below the minimum " + FormatMoney(prog.MinPayout, prog.Currency)
			case u.Payout == nil:
				row.Reason = "no payout method"
			}
			page.Rows = append(page.Rows, row)
			return true
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("owed in %s: %w", slug, err)
	}
	return page, nil
}

// PartnerLinksOf lists one partner's links with their all-time counts
// (merchant).
func (s *Store) PartnerLinksOf(ctx context.Context, a Actor, slug string, partnerID uint64) ([]LinkStat, error) {
	s.seeClicksFor(ctx) // journalstore.go
	var out []LinkStat
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil || p.Program != slug {
			return fmt.Errorf("partner %d: %w", partnerID, ErrNotFound)
		}
		var err error
		scanPrefix(tx.Bucket(bPartnerLinks), u64(partnerID), false, func(k, _ []byte) bool {
			if err = ctx.Err(); err != nil {
				return false
			}
			var ls LinkStat
			code := k[8 : len(k)-1]
			if err = get(tx.Bucket(bLinks), code, &ls.Link); err != nil {
				return false
			}
			var cnt Counters
			if cnt, err = linkTotalsTx(tx, string(code)); err != nil {
				return false
			}
			ls.Clicks, ls.Conversions = cnt.Clicks, cnt.Conversions
			out = append(out, ls)
			return true
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("links of partner %d: %w", partnerID, err)
	}
	return out, nil
}

// CheckSetting validates value for program setting k (a ProgramSettingKeys
// key) against p without storing anything: forms check as the user types.
// The store checks again when the setting is saved.
func CheckSetting(p Program, k, value string) error {
	p.Domains = append([]string(nil), p.Domains...)
	p.Admins = append([]uint64(nil), p.Admins...)
	return applySetting(&p, k, value)
}

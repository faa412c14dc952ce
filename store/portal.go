package store

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Reads for the partner portal: each one finds the actor's own membership
// of the program first and then reads only rows keyed by that partner, a
// page at a time.

// maxPortalPage bounds one page of a portal read.
const maxPortalPage = 1000

// LinkStat is one of a partner's referral links with its all-time counts.
type LinkStat struct {
	Link
	Clicks      int64 `json:"clicks"`
	Conversions int64 `json:"conversions"`
}

// LinkPage is a page of a partner's links in code order.
type LinkPage struct {
	Partner *Partner
	Links   []LinkStat
	Next    string // code to pass as after for the next page; "" at the end
}

// PartnerLinks pages through the actor's own links in one program (codes
// after after, at most limit, 1,000 when 0), each with its clicks and
// conversions.
func (s *Store) PartnerLinks(a Actor, slug, after string, limit int) (*LinkPage, error) {
	s.seeClicks() // journalstore.go
	return s.partnerLinks(a, slug, after, limit)
}

// partnerLinks is PartnerLinks without waiting for the click applier.
func (s *Store) partnerLinks(a Actor, slug, after string, limit int) (*LinkPage, error) {
	if limit <= 0 || limit > maxPortalPage {
		limit = maxPortalPage
	}
	out := &LinkPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := membershipTx(tx, a, slug)
		if err != nil {
			return err
		}
		out.Partner = p
		prefix := u64(p.ID)
		c := tx.Bucket(bPartnerLinks).Cursor()
		seek := prefix
		if after != "" {
			seek = append(key(p.ID, after), 0)
		}
		for k, _ := c.Seek(seek); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(out.Links) == limit {
				out.Next = out.Links[len(out.Links)-1].Code
				break
			}
			code := k[8 : len(k)-1]
			var ls LinkStat
			if err := get(tx.Bucket(bLinks), code, &ls.Link); err != nil {
				return fmt.Errorf("link %s: %w", code, err)
			}
			if ls.Clicks, ls.Conversions, err = linkCountsTx(tx, string(code)); err != nil {
				return err
			}
			out.Links = append(out.Links, ls)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("links in %s: %w", slug, err)
	}
	return out, nil
}

// Earning is one of a partner's commissions as the portal shows it. Fraud
// flags are never named to a partner: UnderReview says a merchant decides.
type Earning struct {
	ID          uint64          `json:"id"`
	Date        time.Time       `json:"date"` // of the payment
	OrderAmount decimal.Decimal `json:"order_amount"`
	Amount      decimal.Decimal `json:"amount"`   // as created
	Reversed    decimal.Decimal `json:"reversed"` // by refunds
	Currency    string          `json:"currency"`
	Status      string          `json:"status"`
	UnderReview bool            `json:"under_review,omitempty"`
	// ApprovesOn is when a pending commission becomes approved by itself
	// (zero when it will not: approved already, or under review).
	ApprovesOn time.Time `json:"approves_on,omitzero"`
	Reason     string    `json:"reason,omitempty"` // reversal or rejection
}

// EarningsPage is a page of a partner's commissions, newest first.
type EarningsPage struct {
	Earnings []Earning
	Next     uint64 // id to pass as before for the next page; 0 at the end
}

// PartnerEarnings pages through the actor's own commissions in one program,
// newest first: those with ids below before (0 = from the newest), at most
// limit (1,000 when 0).
func (s *Store) PartnerEarnings(a Actor, slug string, before uint64, limit int) (*EarningsPage, error) {
	if limit <= 0 || limit > maxPortalPage {
		limit = maxPortalPage
	}
	now := s.now().UTC()
	out := &EarningsPage{}
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := membershipTx(tx, a, slug)
		if err != nil {
			return err
		}
		prefix := u64(p.ID)
		c := tx.Bucket(bPartnerComm).Cursor()
		var k []byte
		if before == 0 {
			if k, _ = c.Seek(u64(p.ID + 1)); k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
		} else {
			if k, _ = c.Seek(key(p.ID, before)); k == nil {
				k, _ = c.Last()
			} else {
				k, _ = c.Prev()
			}
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
			if len(out.Earnings) == limit {
				out.Next = out.Earnings[len(out.Earnings)-1].ID
				break
			}
			cm, err := commissionTx(tx, btou(k[8:]))
			if err != nil {
				return err
			}
			cm.effective(now)
			e := Earning{ID: cm.ID, Amount: cm.Amount, Reversed: cm.Reversed, Currency: cm.Currency,
				Status: cm.Status, UnderReview: len(cm.Flags) > 0 && cm.Status == CommissionPending, Reason: cm.Reason}
			if cm.Status == CommissionPending && len(cm.Flags) == 0 {
				e.ApprovesOn = cm.HoldUntil
			}
			if conv, err := conversionTx(tx, cm.ConversionID); err == nil {
				e.OrderAmount, e.Date = conv.Amount, conv.OccurredAt
			} else {
				e.Date = cm.CreatedAt
			}
			out.Earnings = append(out.Earnings, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("earnings in %s: %w", slug, err)
	}
	return out, nil
}

// ValidDisplayName checks a person's name as typed (signup and profile
// forms): one line, 1 to 100 characters once control characters are gone.
func ValidDisplayName(name string) error { return validName(cleanLine(name)) }

// JoinWithProfile is Join for a known user who filled in the signup form:
// their name and email are set and the membership created in one
// transaction, so a refused join (bad invitation, already a partner)
// changes nothing.
func (s *Store) JoinWithProfile(a Actor, slug, token, name, email string) (*Partner, error) {
	name, email = cleanLine(name), strings.TrimSpace(email)
	if err := validName(name); err != nil {
		return nil, err
	}
	if err := ValidEmail(email); err != nil {
		return nil, err
	}
	var p *Partner
	err := s.update(func(tx *bolt.Tx) error {
		var u User
		if err := get(tx.Bucket(bUsers), u64(a.UserID), &u); err != nil {
			return fmt.Errorf("user %d: %w", a.UserID, err)
		}
		if u.Name != name || u.Email != email {
			u.Name, u.Email = name, email
			if err := put(tx.Bucket(bUsers), u64(u.ID), &u); err != nil {
				return err
			}
			if err := s.eachMembershipTx(tx, u.ID, func(m *Partner) error {
				m.Name, m.Email = u.Name, u.Email
				return put(tx.Bucket(bPartners), u64(m.ID), m)
			}); err != nil {
				return err
			}
		}
		var err error
		p, err = s.joinTx(tx, a.UserID, slug, token)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("join %s: %w", slug, err)
	}
	return p, nil
}

// OwnStats are the actor's own figures as a partner of the program over
// the last days days (1..3660; 0 means 30), also when the actor runs the
// program too (Stats would give a merchant the whole program's). They
// leave out the campaign breakdown (Subs): the portal does not show it,
// and it costs every campaign's records of the days shown (Stats gives a
// partner theirs, for `stats`).
func (s *Store) OwnStats(a Actor, slug string, days int) (*Stats, error) {
	s.seeClicks() // journalstore.go
	return s.ownStats(a, slug, days)
}

// ownStats is OwnStats without waiting for the click applier.
func (s *Store) ownStats(a Actor, slug string, days int) (*Stats, error) {
	if days == 0 {
		days = 30
	}
	if days < 1 || days > 3660 {
		return nil, invalid("days", fmt.Sprintf("%d must be from 1 to 3660", days))
	}
	now := s.now().UTC()
	st := &Stats{Program: slug, Days: days}
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := membershipTx(tx, a, slug)
		if err != nil {
			return err
		}
		var prog Program
		if err := get(tx.Bucket(bPrograms), []byte(slug), &prog); err != nil {
			return err
		}
		st.Currency, st.PartnerID = prog.Currency, p.ID
		return fillStatsTx(tx, st, now)
	})
	if err != nil {
		return nil, fmt.Errorf("stats in %s: %w", slug, err)
	}
	return st, nil
}

// linkCountsTx is a link's clicks and conversions of all time: the sums
// linkTotalsTx gives, reading the counts alone (decodeCounts) from its
// total and its day records since (linkAllTimeTx, linktotals.go).
func linkCountsTx(tx *bolt.Tx, code string) (clicks, conversions int64, err error) {
	err = linkAllTimeTx(tx, code, func(v []byte) error {
		c, n, err := decodeCounts(v)
		clicks, conversions = clicks+c, conversions+n
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("link %s counters: %w", code, err)
	}
	return clicks, conversions, nil
}

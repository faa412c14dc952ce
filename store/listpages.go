package store

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The lists whose cursor is a name (links by code, coupons by code,
// programs by slug, keys by fingerprint) and the team list read one page
// from the store, as the big lists do (paging.go): a page is at most
// NamePage.Limit rows whose name sorts after NamePage.After, and Next is
// the name to continue after ("" on the last page).

// NamePage asks for one page of a list ordered by name.
type NamePage struct {
	After string
	Limit int
}

func (p NamePage) limit() int { return Page{Limit: p.Limit}.limit() }

// seekAfter positions c on the first key of prefix whose name part (the
// key after prefix, up to a closing 0 or its end) sorts after after.
func seekAfter(c *bolt.Cursor, prefix []byte, after string) ([]byte, []byte) {
	if after == "" {
		return c.Seek(prefix)
	}
	return c.Seek(append(append(bytes.Clone(prefix), after...), 0, 0))
}

// CouponsPage is one page of ListCoupons, by code (merchant).
func (s *Store) CouponsPage(a Actor, slug string, pg NamePage) ([]Coupon, string, error) {
	col := pager[string, Coupon]{limit: pg.limit()}
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		prefix := key(slug)
		c := tx.Bucket(bCoupons).Cursor()
		for k, v := seekAfter(c, prefix, pg.After); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var cp Coupon
			if err := getBytes(v, &cp); err != nil {
				return err
			}
			if !col.add(cp.Code, cp) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("coupons of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}

// ProgramsPage is one page of ListPrograms (listed false) or
// ListedPrograms (listed true), by slug.
func (s *Store) ProgramsPage(a Actor, listed bool, pg NamePage) ([]Program, string, error) {
	col := pager[string, Program]{limit: pg.limit()}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bPrograms).Cursor()
		for k, v := seekAfter(c, nil, pg.After); k != nil; k, v = c.Next() {
			var p Program
			if err := getBytes(v, &p); err != nil {
				return err
			}
			keep := p.Listed
			if !listed {
				keep = a.Admin || slices.Contains(p.Admins, a.UserID)
			}
			if keep && !col.add(p.Slug, p) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list programs: %w", err)
	}
	return col.rows, col.next, nil
}

// KeysPage is one page of ListKeys, by fingerprint.
func (s *Store) KeysPage(a Actor, pg NamePage) ([]Key, string, error) {
	col := pager[string, Key]{limit: pg.limit()}
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := u64(a.UserID)
		c := tx.Bucket(bUserKeys).Cursor()
		for k, _ := seekAfter(c, prefix, pg.After); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			var key Key
			if err := get(tx.Bucket(bKeys), k[8:len(k)-1], &key); err != nil {
				return err
			}
			if !col.add(key.Fingerprint, key) {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list keys: %w", err)
	}
	return col.rows, col.next, nil
}

// LinkStatsPage is one page of ListLinkStats, by code: the actor's links
// in one program, or in every program when slug is "" (each program's
// links are read from the cursor on, at most one page of each). Only the
// page's links read their counters.
func (s *Store) LinkStatsPage(a Actor, slug string, pg NamePage) ([]LinkStat, string, error) {
	s.seeClicks() // journalstore.go: the counts of every acknowledged click
	limit := pg.limit()
	var links []Link
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.eachOwnMembershipTx(tx, a, slug, func(p *Partner) error {
			prefix := u64(p.ID)
			c := tx.Bucket(bPartnerLinks).Cursor()
			n := 0
			for k, _ := seekAfter(c, prefix, pg.After); k != nil && bytes.HasPrefix(k, prefix) && n <= limit; k, _ = c.Next() {
				var l Link
				if err := get(tx.Bucket(bLinks), k[8:len(k)-1], &l); err != nil {
					return fmt.Errorf("link %s: %w", k[8:len(k)-1], err)
				}
				links = append(links, l)
				n++
			}
			return nil
		})
	})
	if err != nil {
		return nil, "", fmt.Errorf("list links: %w", err)
	}
	slices.SortFunc(links, func(x, y Link) int { return cmp.Compare(x.Code, y.Code) })
	next := ""
	if len(links) > limit {
		links, next = links[:limit], links[limit-1].Code
	}
	out := make([]LinkStat, len(links))
	err = s.db.View(func(tx *bolt.Tx) error {
		for i, l := range links {
			n, err := linkTotalsTx(tx, l.Code)
			if err != nil {
				return err
			}
			out[i] = LinkStat{Link: l, Clicks: n.Clicks, Conversions: n.Conversions}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list links: %w", err)
	}
	return out, next, nil
}

// eachOwnMembershipTx calls fn with the actor's partner record in program
// slug (an error when they are not a partner there), or with each of
// their partner records when slug is "".
func (s *Store) eachOwnMembershipTx(tx *bolt.Tx, a Actor, slug string, fn func(*Partner) error) error {
	if slug == "" {
		return s.eachMembershipTx(tx, a.UserID, fn)
	}
	p, err := membershipTx(tx, a, slug)
	if err != nil {
		return err
	}
	return fn(p)
}

// TeamRow is one row of a program's team list: an admin (User set), or a
// seat waiting for its key to connect (Seat set).
type TeamRow struct {
	User *User
	Seat *TeamSeat
}

// TeamPage is one page of a program's team: its admins in the order they
// were added, then the seats waiting for their key. The cursor counts rows
// (pg.After rows are skipped); Next is 0 on the last page.
func (s *Store) TeamPage(a Actor, slug string, pg Page) ([]TeamRow, uint64, error) {
	col := pager[uint64, TeamRow]{limit: pg.limit()} // the cursor is the row's number
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		row := uint64(0)
		// take keeps the next row unless it is before the cursor; it says
		// whether to go on.
		take := func(r func() (TeamRow, error)) (bool, error) {
			row++
			if row <= pg.After {
				return true, nil
			}
			tr, err := r()
			if err != nil {
				return false, err
			}
			return col.add(row, tr), nil
		}
		for _, id := range p.Admins {
			more, err := take(func() (TeamRow, error) {
				var u User
				if err := get(tx.Bucket(bUsers), u64(id), &u); err != nil {
					return TeamRow{}, fmt.Errorf("user %d: %w", id, err)
				}
				return TeamRow{User: &u}, nil
			})
			if err != nil || !more {
				return err
			}
		}
		suffix := key(slug)
		return tx.Bucket(bTeamSeats).ForEach(func(k, v []byte) error {
			if !bytes.HasSuffix(k, append([]byte{0}, suffix...)) || col.next != 0 {
				return nil
			}
			_, err := take(func() (TeamRow, error) {
				var seat TeamSeat
				if err := getBytes(v, &seat); err != nil {
					return TeamRow{}, err
				}
				return TeamRow{Seat: &seat}, nil
			})
			return err
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("team of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}

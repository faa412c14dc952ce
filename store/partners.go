package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Join makes the actor a partner of the program: pending, or approved when
// the program auto-approves or a valid one-use invitation token is given.
// ErrConflict if the actor is already a partner there.
func (s *Store) Join(a Actor, slug, token string) (*Partner, error) {
	var p *Partner
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		p, err = s.joinTx(tx, a.UserID, slug, token)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("join %s: %w", slug, err)
	}
	return p, nil
}

// SignUp creates a user for a new key and joins the program, in one
// transaction: a refused join (unknown program, bad invitation) leaves no
// account behind.
func (s *Store) SignUp(name, email, fingerprint, publicKey, slug, token string) (*User, *Partner, error) {
	name, email = cleanLine(name), strings.TrimSpace(email)
	if err := validName(name); err != nil {
		return nil, nil, err
	}
	if err := validEmail(email); err != nil {
		return nil, nil, err
	}
	var u *User
	var p *Partner
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if u, err = s.createUserTx(tx, name, email, fingerprint, publicKey); err != nil {
			return err
		}
		p, err = s.joinTx(tx, u.ID, slug, token)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("sign up to %s: %w", slug, err)
	}
	return u, p, nil
}

func (s *Store) joinTx(tx *bolt.Tx, userID uint64, slug, token string) (*Partner, error) {
	var prog Program
	if err := get(tx.Bucket(bPrograms), []byte(slug), &prog); err != nil {
		return nil, fmt.Errorf("program %q: %w", slug, err)
	}
	var u User
	if err := get(tx.Bucket(bUsers), u64(userID), &u); err != nil {
		return nil, fmt.Errorf("user %d: %w", userID, err)
	}
	if tx.Bucket(bUserPartners).Get(key(userID, slug)) != nil {
		return nil, fmt.Errorf("you already joined %s: %w", slug, ErrConflict)
	}
	status := PartnerPending
	if prog.AutoApprove {
		status = PartnerApproved
	}
	if token != "" {
		if err := useInviteTx(tx, slug, token, userID); err != nil {
			return nil, err
		}
		status = PartnerApproved
	}
	id, err := nextID(tx, bPartners)
	if err != nil {
		return nil, err
	}
	code, err := freeCodeTx(tx)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	p := &Partner{ID: id, Program: slug, UserID: u.ID, Name: u.Name, Email: u.Email,
		Status: status, Code: code, CreatedAt: now}
	if err := put(tx.Bucket(bPartners), u64(id), p); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bProgPartners).Put(key(slug, id), nil); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bUserPartners).Put(key(u.ID, slug), u64(id)); err != nil {
		return nil, err
	}
	if err := putLinkTx(tx, &Link{Code: code, Program: slug, PartnerID: id, CreatedAt: now}); err != nil {
		return nil, err
	}
	return p, emitPartnerJoinedTx(tx, p, now)
}

// freeCodeTx picks an unused random default link code.
func freeCodeTx(tx *bolt.Tx) (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	for range 20 {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return "", fmt.Errorf("make link code: %w", err)
		}
		for i := range b {
			b[i] = alphabet[int(b[i])%len(alphabet)]
		}
		if tx.Bucket(bLinks).Get(b) == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("make link code: no free code found")
}

func putLinkTx(tx *bolt.Tx, l *Link) error {
	if err := put(tx.Bucket(bLinks), []byte(l.Code), l); err != nil {
		return err
	}
	return tx.Bucket(bPartnerLinks).Put(key(l.PartnerID, l.Code), nil)
}

func (s *Store) eachMembershipTx(tx *bolt.Tx, userID uint64, fn func(*Partner) error) error {
	var err error
	scanPrefix(tx.Bucket(bUserPartners), u64(userID), false, func(_, v []byte) bool {
		var p Partner
		if err = get(tx.Bucket(bPartners), v, &p); err != nil {
			return false
		}
		err = fn(&p)
		return err == nil
	})
	return err
}

// Memberships lists the actor's own partner records across programs.
func (s *Store) Memberships(a Actor) ([]Partner, error) {
	var out []Partner
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.eachMembershipTx(tx, a.UserID, func(p *Partner) error {
			out = append(out, *p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	return out, nil
}

// Membership returns the actor's partner record in one program.
func (s *Store) Membership(a Actor, slug string) (*Partner, error) {
	var p *Partner
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		p, err = membershipTx(tx, a, slug)
		return err
	})
	return p, err
}

func membershipTx(tx *bolt.Tx, a Actor, slug string) (*Partner, error) {
	id := tx.Bucket(bUserPartners).Get(key(a.UserID, slug))
	if id == nil {
		if tx.Bucket(bPrograms).Get([]byte(slug)) == nil {
			return nil, fmt.Errorf("program %q: %w", slug, ErrNotFound)
		}
		return nil, fmt.Errorf("you are not a partner of %s: %w", slug, ErrForbidden)
	}
	var p Partner
	if err := get(tx.Bucket(bPartners), id, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListPartners lists a program's partners (merchant), optionally only those
// with one status, oldest first.
func (s *Store) ListPartners(a Actor, slug, status string) ([]Partner, error) {
	return walkPages(0, func(after uint64, n int) ([]Partner, uint64, error) {
		return s.PartnersPage(a, slug, status, Page{After: after, Limit: n}) // paging.go
	})
}

func eachPartnerTx(tx *bolt.Tx, slug string, fn func(*Partner) error) error {
	var err error
	scanPrefix(tx.Bucket(bProgPartners), key(slug), false, func(k, _ []byte) bool {
		var p Partner
		if err = get(tx.Bucket(bPartners), k[len(k)-8:], &p); err != nil {
			return false
		}
		err = fn(&p)
		return err == nil
	})
	return err
}

func validPartnerStatus(s string) bool {
	switch s {
	case PartnerPending, PartnerApproved, PartnerRejected, PartnerSuspended:
		return true
	}
	return false
}

// FindPartner finds a program's partner by id or email (merchant).
func (s *Store) FindPartner(a Actor, slug, ref string) (*Partner, error) {
	var p *Partner
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var err error
		p, err = findPartnerTx(tx, slug, ref)
		return err
	})
	return p, err
}

func findPartnerTx(tx *bolt.Tx, slug, ref string) (*Partner, error) {
	ref = strings.TrimSpace(ref)
	if id, err := strconv.ParseUint(ref, 10, 64); err == nil {
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(id), &p); err == nil && p.Program == slug {
			return &p, nil
		}
		return nil, fmt.Errorf("partner %s in %s: %w", ref, slug, ErrNotFound)
	}
	var found *Partner
	err := eachPartnerTx(tx, slug, func(p *Partner) error {
		if found == nil && strings.EqualFold(p.Email, ref) {
			found = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fmt.Errorf("partner %q in %s: %w", ref, slug, ErrNotFound)
	}
	return found, nil
}

// SetPartnerStatus approves, rejects or suspends a partner (merchant).
func (s *Store) SetPartnerStatus(a Actor, slug string, partnerID uint64, status string) (*Partner, error) {
	if !validPartnerStatus(status) {
		return nil, invalid("status", fmt.Sprintf("%q must be pending, approved, rejected or suspended", status))
	}
	return s.updatePartner(a, slug, partnerID, "set status", func(_ *Program, p *Partner) error {
		p.Status = status
		return nil
	})
}

// SetPartnerPlan sets (or with "" clears) a partner's own commission plan.
func (s *Store) SetPartnerPlan(a Actor, slug string, partnerID uint64, plan string) (*Partner, error) {
	return s.updatePartner(a, slug, partnerID, "set commission", func(prog *Program, p *Partner) error {
		if strings.TrimSpace(plan) == "" || plan == "default" {
			p.Plan = nil
			return nil
		}
		pl, err := ParsePlan(plan, prog.Currency)
		if err != nil {
			return err
		}
		p.Plan = &pl
		return nil
	})
}

// updatePartner changes one partner of a program the actor administers, in
// one write transaction (fn gets the program read in that transaction).
func (s *Store) updatePartner(a Actor, slug string, partnerID uint64, what string, fn func(*Program, *Partner) error) (*Partner, error) {
	var p Partner
	err := s.update(func(tx *bolt.Tx) error {
		prog, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil || p.Program != slug {
			return fmt.Errorf("partner %d in %s: %w", partnerID, slug, ErrNotFound)
		}
		old := p.Status
		if err := fn(prog, &p); err != nil {
			return err
		}
		if err := put(tx.Bucket(bPartners), u64(p.ID), &p); err != nil {
			return err
		}
		return emitPartnerStatusTx(tx, &p, old, s.now().UTC())
	})
	if err != nil {
		return nil, fmt.Errorf("%s of partner %d: %w", what, partnerID, err)
	}
	return &p, nil
}

// CreateInvite makes a one-use join token for the program (merchant).
func (s *Store) CreateInvite(a Actor, slug string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make invite: %w", err)
	}
	token := "inv_" + hex.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		return put(tx.Bucket(bInvites), h[:], &Invite{Program: slug, CreatedBy: a.UserID, CreatedAt: s.now().UTC()})
	})
	if err != nil {
		return "", fmt.Errorf("create invite for %s: %w", slug, err)
	}
	return token, nil
}

func useInviteTx(tx *bolt.Tx, slug, token string, userID uint64) error {
	h := sha256.Sum256([]byte(token))
	var inv Invite
	if err := get(tx.Bucket(bInvites), h[:], &inv); err != nil || inv.Program != slug || inv.UsedBy != 0 {
		return invalid("token", "the invitation is not valid for this program or was already used")
	}
	inv.UsedBy = userID
	return put(tx.Bucket(bInvites), h[:], &inv)
}

// AddCoupon binds a coupon code to a partner of the program (merchant).
// Codes compare case-insensitively.
func (s *Store) AddCoupon(a Actor, slug, code string, partnerID uint64) (*Coupon, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !codeRe.MatchString(code) {
		return nil, invalid("code", fmt.Sprintf("%q must be 3 to 40 of A-Z, 0-9, _ and -", code))
	}
	c := &Coupon{Program: slug, Code: code, PartnerID: partnerID}
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil || p.Program != slug {
			return fmt.Errorf("partner %d in %s: %w", partnerID, slug, ErrNotFound)
		}
		if tx.Bucket(bCoupons).Get(key(slug, code)) != nil {
			return fmt.Errorf("coupon %s exists: %w", code, ErrConflict)
		}
		c.CreatedAt = s.now().UTC()
		return put(tx.Bucket(bCoupons), key(slug, code), c)
	})
	if err != nil {
		return nil, fmt.Errorf("add coupon %s: %w", code, err)
	}
	return c, nil
}

// RemoveCoupon removes a coupon (merchant).
func (s *Store) RemoveCoupon(a Actor, slug, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		if tx.Bucket(bCoupons).Get(key(slug, code)) == nil {
			return ErrNotFound
		}
		return tx.Bucket(bCoupons).Delete(key(slug, code))
	})
	if err != nil {
		return fmt.Errorf("remove coupon %s: %w", code, err)
	}
	return nil
}

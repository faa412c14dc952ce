package store

import (
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// viewerTx decides what the actor may read of a program: everything for
// its admins (partnerID 0), their own records for a partner.
func viewerTx(tx *bolt.Tx, a Actor, slug string) (*Program, uint64, error) {
	var p Program
	if err := get(tx.Bucket(bPrograms), []byte(slug), &p); err != nil {
		return nil, 0, fmt.Errorf("program %q: %w", slug, err)
	}
	if a.Admin || slices.Contains(p.Admins, a.UserID) {
		return &p, 0, nil
	}
	m, err := membershipTx(tx, a, slug)
	if err != nil {
		return nil, 0, err
	}
	return &p, m.ID, nil
}

// ListConversions lists the program's conversions newest first (a partner:
// their own only); limit <= 0 means all.
func (s *Store) ListConversions(a Actor, slug string, limit int) ([]ConversionResult, error) {
	return walkPages(limit, func(after uint64, n int) ([]ConversionResult, uint64, error) {
		return s.ConversionsPage(a, slug, Page{After: after, Limit: n}) // paging.go
	})
}

// ListCommissions lists commissions newest first (a partner: their own
// only), optionally with one status; limit <= 0 means all.
func (s *Store) ListCommissions(a Actor, slug, status string, limit int) ([]Commission, error) {
	return walkPages(limit, func(after uint64, n int) ([]Commission, uint64, error) {
		return s.CommissionsPage(a, slug, status, Page{After: after, Limit: n}) // paging.go
	})
}

// ApproveCommission approves a pending commission early (merchant).
// A flagged commission is refused with a *FlaggedError: approving it needs
// ApproveCommissionWith and override. Approving an approved commission
// changes nothing.
func (s *Store) ApproveCommission(a Actor, slug string, id uint64) (*Commission, error) {
	return s.ApproveCommissionWith(a, slug, id, false)
}

// ApproveCommissionWith approves a pending commission (merchant); with
// override it approves one with fraud flags too. The approval records who
// decided, whether it went past flags, and whether it came before the hold
// ended (EarlyApproval).
func (s *Store) ApproveCommissionWith(a Actor, slug string, id uint64, override bool) (*Commission, error) {
	return s.decide(a, slug, id, "approve", func(tx *bolt.Tx, c *Commission) error {
		switch c.Status {
		case CommissionApproved:
			return nil
		case CommissionPending:
			if len(c.Flags) > 0 && !override {
				return &FlaggedError{ID: c.ID, Flags: append([]string{}, c.Flags...)}
			}
			now := s.now().UTC()
			c.DecidedBy, c.DecidedAt = a.UserID, now
			c.OverrodeFlags = len(c.Flags) > 0
			c.EarlyApproval = now.Before(c.HoldUntil)
			return setStatusTx(tx, c, CommissionApproved, now)
		}
		return fmt.Errorf("commission %d is %s: %w", id, c.Status, ErrConflict)
	})
}

// RejectCommission rejects a pending or approved commission (merchant).
func (s *Store) RejectCommission(a Actor, slug string, id uint64, reason string) (*Commission, error) {
	return s.decide(a, slug, id, "reject", func(tx *bolt.Tx, c *Commission) error {
		switch c.Status {
		case CommissionRejected:
			return nil
		case CommissionPending, CommissionApproved:
			c.Reason = cleanLine(reason)
			c.DecidedBy, c.DecidedAt = a.UserID, s.now().UTC()
			return setStatusTx(tx, c, CommissionRejected, c.DecidedAt)
		}
		return fmt.Errorf("commission %d is %s: %w", id, c.Status, ErrConflict)
	})
}

func (s *Store) decide(a Actor, slug string, id uint64, what string, fn func(*bolt.Tx, *Commission) error) (*Commission, error) {
	var c *Commission
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		if _, err := s.promoteTx(tx, slug, s.now().UTC()); err != nil {
			return err
		}
		var err error
		if c, err = commissionTx(tx, id); err != nil || c.Program != slug {
			return fmt.Errorf("commission %d in %s: %w", id, slug, ErrNotFound)
		}
		return fn(tx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("%s commission %d: %w", what, id, err)
	}
	return c, nil
}

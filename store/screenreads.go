package store

import (
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The partner portal's reads and the merchant's partner detail, shared
// like the other *Since reads (screencache.go): sessions that see the same
// share one read, and none waits for the click applier.

// ownViewer checks that a is a partner of slug and returns the partner's id.
func (s *Store) ownViewer(a Actor, slug string) (uint64, error) {
	var id uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := membershipTx(tx, a, slug)
		if err == nil {
			id = p.ID
		}
		return err
	})
	return id, err
}

// OwnStatsSince is OwnStats for a screen: shared with the partner's other
// sessions, it holds every change signalled up to version since and reads
// what is stored without waiting for the click applier.
func (s *Store) OwnStatsSince(a Actor, slug string, days int, since uint64) (*Stats, error) {
	id, err := s.ownViewer(a, slug)
	if err != nil {
		return nil, fmt.Errorf("stats in %s: %w", slug, err)
	}
	return sharedRead(s, fmt.Sprintf("ownstats\x00%s\x00%d\x00%d", slug, id, days), since,
		func() (*Stats, error) { return s.ownStats(a, slug, days) }, cloneStats)
}

// PartnerLinksSince is PartnerLinks for a screen (see OwnStatsSince).
func (s *Store) PartnerLinksSince(a Actor, slug, after string, limit int, since uint64) (*LinkPage, error) {
	id, err := s.ownViewer(a, slug)
	if err != nil {
		return nil, fmt.Errorf("links in %s: %w", slug, err)
	}
	return sharedRead(s, fmt.Sprintf("ownlinks\x00%s\x00%d\x00%q\x00%d", slug, id, after, limit), since,
		func() (*LinkPage, error) { return s.partnerLinks(a, slug, after, limit) },
		func(p *LinkPage) *LinkPage {
			c := *p
			if p.Partner != nil {
				pc := *p.Partner
				c.Partner = &pc
			}
			c.Links = slices.Clone(p.Links)
			return &c
		})
}

// PartnerStatsSince is PartnerStats for the program's admins' screens
// (see StatsSince).
func (s *Store) PartnerStatsSince(a Actor, slug string, partnerID uint64, days int, since uint64) (*Stats, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("stats of partner %d: %w", partnerID, err)
	}
	return sharedRead(s, fmt.Sprintf("partnerstats\x00%s\x00%d\x00%d", slug, partnerID, days), since,
		func() (*Stats, error) { return s.partnerStats(a, slug, partnerID, days) }, cloneStats)
}

// PartnerLinksOfSince is PartnerLinksOf for the program's admins' screens
// (see StatsSince).
func (s *Store) PartnerLinksOfSince(ctx context.Context, a Actor, slug string, partnerID uint64, since uint64) ([]LinkStat, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("links of partner %d: %w", partnerID, err)
	}
	return sharedRead(s, fmt.Sprintf("partnerlinks\x00%s\x00%d", slug, partnerID), since,
		func() ([]LinkStat, error) {
			return s.PartnerLinksOf(screenRead(context.WithoutCancel(ctx)), a, slug, partnerID)
		}, slices.Clone[[]LinkStat])
}

package store

import (
	"context"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkDashboardReads times the store reads behind the merchant
// screens on a program seeded by `affogato seed` (AFFOGATO_DASH_DATA, the
// program AFFOGATO_DASH_PROGRAM or "seed"): `make bench-dashboard`. It is
// skipped without seeded data.
func BenchmarkDashboardReads(b *testing.B) {
	dir := os.Getenv("AFFOGATO_DASH_DATA")
	if dir == "" {
		b.Skip("AFFOGATO_DASH_DATA is not set (make bench-dashboard seeds one)")
	}
	slug := os.Getenv("AFFOGATO_DASH_PROGRAM")
	if slug == "" {
		slug = "seed"
	}
	st, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	a := Actor{UserID: 1 << 40, Admin: true}
	ctx := context.Background()
	reads := []struct {
		name string
		fn   func() error
	}{
		{"stats-30", func() error { _, err := st.Stats(a, slug, 30); return err }},
		{"stats-90", func() error { _, err := st.Stats(a, slug, 90); return err }},
		{"top-7", func() error { _, err := st.TopPartners(ctx, a, slug, 7, 5); return err }},
		{"top-30", func() error { _, err := st.TopPartners(ctx, a, slug, 30, 5); return err }},
		{"top-90", func() error { _, err := st.TopPartners(ctx, a, slug, 90, 5); return err }},
		{"commissions-flagged", func() error {
			_, err := st.CommissionPage(ctx, a, slug, PageQuery{Status: FilterFlagged})
			return err
		}},
		{"owed", func() error { _, err := st.OwedPage(ctx, a, slug, PageQuery{}); return err }},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if err := r.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckIndexes times affogato check's share for the screens'
// indexes (revenue, flagged commissions, owed partners) on seeded data.
func BenchmarkCheckIndexes(b *testing.B) {
	dir := os.Getenv("AFFOGATO_DASH_DATA")
	if dir == "" {
		b.Skip("AFFOGATO_DASH_DATA is not set (make bench-dashboard seeds one)")
	}
	st, err := Open(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bad := func(format string, args ...any) { b.Errorf(format, args...) }
	for _, c := range []struct {
		name string
		fn   func(*bolt.Tx, func(string, ...any)) error
	}{{"partner-revenue", checkPartnerRevenueTx}, {"flagged", checkFlaggedIndexTx}, {"owed", checkOwedIndexTx}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if err := st.db.View(func(tx *bolt.Tx) error { return c.fn(tx, bad) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

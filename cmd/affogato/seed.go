package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/spf13/cobra"
)

// seedOptions are the flags of `affogato seed`.
type seedOptions struct {
	data        string
	program     string
	partners    int
	clicks      int
	conversions int
	days        int
	workers     int
	seed        uint64
	codes       string
}

func newSeedCmd(ctx context.Context) *cobra.Command {
	o := seedOptions{}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill a data directory with a realistic program for scale tests (offline)",
		Long: `seed builds one program through the ledger's own write methods: partners who
sign up and set a PayPal address, clicks spread over the last --days days
(a few partners get most of them), conversions by click id, by ref and
unattributed, renewals of earlier customers, refunds (some after payout, so
clawbacks), holds that mature and monthly payout batches marked paid.
The server must not be running on the directory. Commits are not fsynced
while seeding (the file is synced at the end): a crash means seeding again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSeed(ctx, o, cmd.ErrOrStderr(), cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "./data", "data directory")
	f.StringVar(&o.program, "program", "seed", "slug of the program to create")
	f.IntVar(&o.partners, "partners", 10_000, "partners")
	f.IntVar(&o.clicks, "clicks", 1_000_000, "clicks")
	f.IntVar(&o.conversions, "conversions", 100_000, "conversions (sales and renewals)")
	f.IntVar(&o.days, "days", 180, "days of history, ending now")
	f.IntVar(&o.workers, "workers", 32, "concurrent click writers (group commit)")
	f.Uint64Var(&o.seed, "seed", 1, "random seed")
	f.StringVar(&o.codes, "codes", "", "write the partners' referral codes to this file, one a line (for load tests)")
	return cmd
}

// seedClock is the store's clock while seeding: each reading moves it on
// by step, so records get distinct, increasing times within a day.
type seedClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *seedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *seedClock) set(t time.Time, step time.Duration) {
	c.mu.Lock()
	c.t, c.step = t, step
	c.mu.Unlock()
}

type seedPartner struct {
	id   uint64
	code string
}

type seedClick struct {
	id      uint64
	partner int
}

// seeder holds the state of one seeding run.
type seeder struct {
	o        seedOptions
	st       *store.Store
	admin    store.Actor
	partners []seedPartner
	rng      *rand.Rand

	mu     sync.Mutex
	recent []seedClick // ring of recent clicks that conversions refer to
	next   int

	clicks, conversions, renewals, refunds, batches atomic.Int64
	customers                                       []string // attributed customers (renewals)
	sales                                           []string // order ids that may be refunded
}

func runSeed(ctx context.Context, o seedOptions, progress, out io.Writer) error {
	if o.partners < 1 || o.clicks < 0 || o.conversions < 0 || o.days < 1 || o.workers < 1 {
		return fmt.Errorf("seed: --partners and --days must be at least 1, --clicks and --conversions not negative")
	}
	if _, err := os.Stat(filepath.Join(o.data, store.DBFile)); err == nil {
		fmt.Fprintf(progress, "seed: adding to the existing database in %s\n", o.data)
	}
	end := time.Now().UTC().Truncate(time.Minute)
	start := end.Add(-time.Duration(o.days) * 24 * time.Hour)
	clk := &seedClock{}
	clk.set(start, time.Millisecond)
	st, err := store.Open(o.data, store.Options{Now: clk.Now, NoSync: true})
	if err != nil {
		return err
	}
	began := time.Now()
	s := &seeder{o: o, st: st, rng: rand.New(rand.NewPCG(o.seed, 0x5eed)), recent: make([]seedClick, 0, 50_000)}
	if err := s.setup(progress); err != nil {
		st.Close()
		return err
	}
	if o.codes != "" {
		if err := s.writeCodes(); err != nil {
			st.Close()
			return err
		}
	}
	perDayClicks, perDayConv := spread(o.clicks, o.days), spread(o.conversions, o.days)
	lastReport := time.Now()
	for d := 0; d < o.days; d++ {
		if err := ctx.Err(); err != nil {
			st.Close()
			return fmt.Errorf("seed: %w", err)
		}
		n, m := perDayClicks[d], perDayConv[d]
		dayStart := start.Add(time.Duration(d) * 24 * time.Hour)
		clk.set(dayStart, 23*time.Hour/time.Duration(n+3*m+10))
		var wg sync.WaitGroup
		errc := make(chan error, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.clickDay(ctx, n); err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		}()
		if err := s.conversionDay(m); err != nil {
			wg.Wait()
			st.Close()
			return err
		}
		wg.Wait()
		select {
		case err := <-errc:
			st.Close()
			return err
		default:
		}
		clk.set(dayStart.Add(23*time.Hour+30*time.Minute), time.Millisecond)
		if _, err := st.PromoteMatured(); err != nil {
			st.Close()
			return fmt.Errorf("seed: approve matured: %w", err)
		}
		if d%30 == 29 {
			if err := s.payout(); err != nil {
				st.Close()
				return err
			}
		}
		if time.Since(lastReport) > 2*time.Second || d == o.days-1 {
			lastReport = time.Now()
			el := time.Since(began).Seconds()
			fmt.Fprintf(progress, "seed: day %d/%d: %d clicks, %d conversions (%d renewals), %d refunds, %d paid batches (%.0f clicks/s)\n",
				d+1, o.days, s.clicks.Load(), s.conversions.Load(), s.renewals.Load(), s.refunds.Load(), s.batches.Load(),
				float64(s.clicks.Load())/el)
		}
	}
	if err := st.Close(); err != nil {
		return err
	}
	var size int64
	if fi, err := os.Stat(filepath.Join(o.data, store.DBFile)); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(out, "seeded program %s in %s: %d partners, %d clicks, %d conversions (%d renewals), %d refunds, %d paid batches; %s is %d bytes (%.1f MB) in %s\n",
		o.program, o.data, len(s.partners), s.clicks.Load(), s.conversions.Load(), s.renewals.Load(), s.refunds.Load(), s.batches.Load(),
		store.DBFile, size, float64(size)/1e6, time.Since(began).Round(time.Millisecond))
	return nil
}

// spread divides total over n days, the remainder on the last days.
func spread(total, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i >= n-total%n {
			out[i]++
		}
	}
	return out
}

// setup creates the admin, the program and the partners (each signs up
// and sets a PayPal address).
func (s *seeder) setup(progress io.Writer) error {
	u, err := s.st.CreateUser("Seed Admin", "admin@"+s.o.program+".seed.test", "SHA256:seed-admin-"+s.o.program, "seed")
	if err != nil {
		return fmt.Errorf("seed: admin: %w", err)
	}
	s.admin = store.Actor{UserID: u.ID, Admin: true}
	cookie, hold := 30, 30
	_, _, err = s.st.CreateProgram(s.admin, store.ProgramInput{Slug: s.o.program, Name: "Seeded " + s.o.program,
		URL: "https://" + s.o.program + ".seed.test", Currency: "USD", Commission: "20%; 10:25%; 50:30%",
		RecurringMonths: "12", RenewalRate: "10%", CookieDays: &cookie, HoldDays: &hold, MinPayout: "50",
		AutoApprove: true, Listed: true}, false)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for i := range s.o.partners {
		email := fmt.Sprintf("partner%d@%s.seed.test", i, s.o.program)
		pu, p, err := s.st.SignUp(fmt.Sprintf("Partner %d", i), email, fmt.Sprintf("SHA256:seed-%s-%d", s.o.program, i), "seed", s.o.program, "")
		if err != nil {
			return fmt.Errorf("seed: partner %d: %w", i, err)
		}
		if _, err := s.st.SetProfile(store.Actor{UserID: pu.ID}, "paypal", email, ""); err != nil {
			return fmt.Errorf("seed: partner %d payout method: %w", i, err)
		}
		s.partners = append(s.partners, seedPartner{id: p.ID, code: p.Code})
		if (i+1)%2000 == 0 || i+1 == s.o.partners {
			fmt.Fprintf(progress, "seed: %d/%d partners\n", i+1, s.o.partners)
		}
	}
	return nil
}

// clickDay records n clicks from o.workers concurrent visitors: partners
// by a Zipf law, addresses from a pool (198.18.0.0/15, never contacted:
// only their salted hash is kept), some with a campaign sub-id or ad
// parameters.
func (s *seeder) clickDay(ctx context.Context, n int) error {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	pool := max(1024, s.o.clicks/4)
	for w := range s.o.workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(s.o.seed+uint64(w), uint64(s.clicks.Load())))
			zipf := rand.NewZipf(r, 1.2, 4, uint64(len(s.partners)-1))
			for left.Add(-1) >= 0 {
				pi := int(zipf.Uint64())
				p := s.partners[pi]
				ipn := r.IntN(pool)
				ip := netip.AddrFrom4([4]byte{198, 18 + byte(ipn>>16&1), byte(ipn >> 8), byte(ipn)})
				if ipn >= 1<<17 {
					ip = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(ipn >> 24), 13: byte(ipn >> 16), 14: byte(ipn >> 8), 15: byte(ipn)})
				}
				in := store.ClickInput{Program: s.o.program, PartnerID: p.id, Code: p.code, IP: ip, PaidAds: r.IntN(50) == 0}
				if r.IntN(5) == 0 {
					in.Sub = "campaign-" + strconv.Itoa(r.IntN(40))
				}
				c, err := s.st.RecordClick(ctx, in)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("seed: click: %w", err) })
					return
				}
				s.clicks.Add(1)
				s.mu.Lock()
				if len(s.recent) < cap(s.recent) {
					s.recent = append(s.recent, seedClick{id: c.ID, partner: pi})
				} else {
					s.recent[s.next] = seedClick{id: c.ID, partner: pi}
					s.next = (s.next + 1) % len(s.recent)
				}
				s.mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	return firstErr
}

var seedPrices = []string{"19.00", "49.00", "99.00", "249.00"}

// conversionDay records m conversions: renewals of attributed customers,
// sales by click id, by ref or unattributed, and refunds of some sales.
func (s *seeder) conversionDay(m int) error {
	for range m {
		n := s.conversions.Load()
		in := store.ConversionInput{OrderID: fmt.Sprintf("ord-%d", n), Currency: "USD", Amount: seedPrices[s.rng.IntN(len(seedPrices))]}
		switch roll := s.rng.IntN(100); {
		case roll < 25 && len(s.customers) > 0:
			in.Kind = store.KindRenewal
			in.CustomerID = s.customers[s.rng.IntN(len(s.customers))]
		default:
			in.Kind = store.KindSale
			in.CustomerID = fmt.Sprintf("cus-%d", n)
			in.CustomerEmail = fmt.Sprintf("cus-%d@customers.seed.test", n)
			s.mu.Lock()
			var c seedClick
			if len(s.recent) > 0 {
				c = s.recent[s.rng.IntN(len(s.recent))]
			}
			s.mu.Unlock()
			switch {
			case roll < 75 && c.id != 0:
				in.ClickID = strconv.FormatUint(c.id, 10)
			case roll < 85:
				in.Ref = s.partners[s.rng.IntN(len(s.partners))].code
			}
		}
		r, _, err := s.st.RecordConversion(s.o.program, in)
		if err != nil {
			return fmt.Errorf("seed: conversion %s: %w", in.OrderID, err)
		}
		s.conversions.Add(1)
		if in.Kind == store.KindRenewal {
			s.renewals.Add(1)
		} else if r.Conversion.Attributed {
			s.customers = append(s.customers, in.CustomerID)
		}
		if in.Kind == store.KindSale {
			s.sales = append(s.sales, in.OrderID)
		}
		if s.rng.IntN(100) < 4 && len(s.sales) > 0 {
			i := s.rng.IntN(len(s.sales))
			order := s.sales[i]
			s.sales[i] = s.sales[len(s.sales)-1]
			s.sales = s.sales[:len(s.sales)-1]
			ri := store.RefundInput{RefundID: "ref-" + order, OrderID: order}
			if s.rng.IntN(2) == 0 {
				ri.Amount = "5.00"
			}
			if _, _, err := s.st.RecordRefund(s.o.program, ri); err != nil {
				return fmt.Errorf("seed: refund of %s: %w", order, err)
			}
			s.refunds.Add(1)
		}
	}
	return nil
}

// payout creates the period's batch and marks it paid.
func (s *seeder) payout() error {
	b, _, err := s.st.CreatePayoutBatch(s.admin, s.o.program)
	if err != nil {
		return fmt.Errorf("seed: payout batch: %w", err)
	}
	if b == nil {
		return nil
	}
	if _, err := s.st.MarkBatchPaid(s.admin, b.ID); err != nil {
		return fmt.Errorf("seed: mark batch %d paid: %w", b.ID, err)
	}
	s.batches.Add(1)
	return nil
}

// writeCodes writes the partners' referral codes to o.codes.
func (s *seeder) writeCodes() error {
	var b []byte
	for _, p := range s.partners {
		b = append(append(b, p.code...), '\n')
	}
	if err := os.WriteFile(s.o.codes, b, 0o600); err != nil {
		return fmt.Errorf("seed: codes: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store/testclock"
)

type env struct {
	t     *testing.T
	dir   string
	clk   *testclock.Clock
	st    *Store
	admin Actor
	n     int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clk: testclock.New(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))}
	e.open()
	u, err := e.st.CreateUser("Admin", "admin@merchant.test", "SHA256:admin", "ssh-ed25519 AAAAadmin")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = Actor{UserID: u.ID, Admin: true}
	t.Cleanup(func() {
		e.check()
		e.st.Close()
	})
	return e
}

func (e *env) open() {
	// Reads wait for every click acknowledged before them (seeClicks): the
	// default bound of 250 ms can pass while a loaded machine stalls a
	// commit, and a test that reads what it just clicked would see less.
	st, err := Open(e.dir, Options{Now: e.clk.Now, ClickReadWait: time.Minute})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
}

// restart closes and reopens the store on the same file.
func (e *env) restart() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// check fails the test on any ledger invariant violation.
func (e *env) check() {
	e.t.Helper()
	vs, err := e.st.Check()
	if err != nil {
		e.t.Fatal(err)
	}
	for _, v := range vs {
		e.t.Errorf("invariant: %s", v.What)
	}
}

func (e *env) program(slug string, in ProgramInput) *Program {
	e.t.Helper()
	in.Slug = slug
	if in.Name == "" {
		in.Name = "Program " + slug
	}
	if in.URL == "" {
		in.URL = "https://" + slug + ".test"
	}
	p, key, err := e.st.CreateProgram(e.admin, in, false)
	if err != nil {
		e.t.Fatal(err)
	}
	if key == "" {
		e.t.Fatal("no api key")
	}
	return p
}

// partner creates a user who joins slug and is approved.
func (e *env) partner(slug string) (*Partner, Actor) {
	e.t.Helper()
	e.n++
	u, err := e.st.CreateUser(fmt.Sprintf("Partner %d", e.n), fmt.Sprintf("p%d@partners.test", e.n),
		fmt.Sprintf("SHA256:p%d", e.n), "ssh-ed25519 AAAA")
	if err != nil {
		e.t.Fatal(err)
	}
	a := Actor{UserID: u.ID}
	p, err := e.st.Join(a, slug, "")
	if err != nil {
		e.t.Fatal(err)
	}
	if p.Status != PartnerApproved {
		if p, err = e.st.SetPartnerStatus(e.admin, slug, p.ID, PartnerApproved); err != nil {
			e.t.Fatal(err)
		}
	}
	return p, a
}

// payable makes program acme (no hold, minimum payout 10.00) with one
// partner paid by PayPal and a 100.00 sale by their code (order o1): 20.00
// of approved commission, ready for a payout batch.
func (e *env) payable() (*Partner, Actor) {
	e.t.Helper()
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "10.00"})
	p, pa := e.partner("acme")
	if _, err := e.st.SetProfile(pa, "paypal", "pay@partners.test", ""); err != nil {
		e.t.Fatal(err)
	}
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	return p, pa
}

// partners makes n approved partners of slug (e.partner each).
func (e *env) partners(slug string, n int) []*Partner {
	e.t.Helper()
	ps := make([]*Partner, n)
	for i := range ps {
		ps[i], _ = e.partner(slug)
	}
	return ps
}

func (e *env) click(p *Partner, ip string) *Click {
	e.t.Helper()
	c, err := e.st.RecordClick(context.Background(), ClickInput{Program: p.Program, PartnerID: p.ID, Code: p.Code, IP: netip.MustParseAddr(ip)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) convert(slug string, in ConversionInput) *ConversionResult {
	e.t.Helper()
	if in.Currency == "" {
		in.Currency = "USD"
	}
	if in.Kind == "" {
		in.Kind = KindSale
	}
	e.refClick(slug, in)
	r, _, err := e.st.RecordConversion(slug, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// refClick makes a ref conversion's referral young enough to attribute, as
// a visitor's would be: a click on the code (of this program), at the
// payment's time when the input names one, else now. Tests of refs without
// a click call RecordConversion themselves.
func (e *env) refClick(slug string, in ConversionInput) {
	e.t.Helper()
	if in.Ref == "" || in.ClickID != "" {
		return
	}
	tg, err := e.st.ResolveCode(in.Ref)
	if err != nil || tg.Link.Program != slug {
		return
	}
	if in.OccurredAt != "" {
		at, err := time.Parse(time.RFC3339, in.OccurredAt)
		if err != nil {
			return
		}
		now := e.clk.Now()
		e.clk.Add(at.Sub(now))
		defer e.clk.Add(now.Sub(at))
	}
	if _, err := e.st.RecordClick(context.Background(), ClickInput{Program: slug, PartnerID: tg.Link.PartnerID, Code: tg.Link.Code, IP: mustAddr("198.51.100.250")}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) refund(slug, id, order, amount string) *Refund {
	e.t.Helper()
	r, _, err := e.st.RecordRefund(slug, RefundInput{RefundID: id, OrderID: order, Amount: amount})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) balance(a Actor, slug string) Balance {
	e.t.Helper()
	st, err := e.st.Stats(a, slug, 30)
	if err != nil {
		e.t.Fatal(err)
	}
	return st.Balance
}

// wantBalance compares a balance with pending, approved, in_payout, paid, clawback.
func (e *env) wantBalance(b Balance, want ...string) {
	e.t.Helper()
	got := []string{b.Pending.String(), b.Approved.String(), b.InPayout.String(), b.Paid.String(), b.Clawback.String()}
	for i := range want {
		if !dec(got[i]).Equal(dec(want[i])) {
			e.t.Fatalf("balance pending/approved/in_payout/paid/clawback = %v, want %v", got, want)
		}
	}
}

func intp(n int) *int { return &n }

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func createFile(path string) (*os.File, error) { return os.Create(path) }

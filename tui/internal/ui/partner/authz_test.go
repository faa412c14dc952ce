package partner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

// TestPortalAuthorization runs every portal action (each Data method a tab
// calls) as each role that must not reach program acme's portal, checks
// each is refused and that nothing changed; and checks that a partner's
// portal shows only their own rows.
func TestPortalAuthorization(t *testing.T) {
	f := NewFixture(t)
	ctx := context.Background()
	st := f.St
	mk := func(name, email string) store.Actor {
		u, err := st.CreateUser(name, email, "SHA256:"+name, "ssh-ed25519 AAAA"+name)
		if err != nil {
			t.Fatal(err)
		}
		return store.Actor{UserID: u.ID}
	}
	stranger := mk("stranger", "stranger@x.test")
	// A partner of acme still pending: their own portal, but no materials.
	pending := mk("pend", "pend@x.test")
	if _, err := st.SetProgram(f.Merchant, "acme", "auto-approve", "false"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Join(pending, "acme", ""); err != nil {
		t.Fatal(err)
	}
	// A merchant of another program, who is no partner of acme.
	other := mk("other", "other@x.test")
	if _, _, err := st.CreateProgram(other, store.ProgramInput{Slug: "third", Name: "Third", URL: "https://third.test"}, true); err != nil {
		t.Fatal(err)
	}

	before := snapshot(t, f)
	actions := []struct {
		name string
		run  func(d *Data) error
	}{
		{"header", func(d *Data) error { _, err := d.Header(ctx); return err }},
		{"stats", func(d *Data) error { _, err := d.Stats(ctx, 30); return err }},
		{"links", func(d *Data) error { _, err := d.Links(ctx, "", 0); return err }},
		{"create link", func(d *Data) error { _, err := d.CreateLink(ctx, "stolen-code", "", "x"); return err }},
		{"assets", func(d *Data) error { _, err := d.Assets(ctx, 0, 0); return err }},
		{"earnings", func(d *Data) error { _, err := d.Earnings(ctx, 0, 0); return err }},
		{"payouts", func(d *Data) error { _, err := d.Payouts(ctx); return err }},
	}
	for _, role := range []struct {
		name  string
		actor store.Actor
	}{{"stranger", stranger}, {"partner of bare", f.Nia}, {"merchant of third", other}} {
		d := NewData(st, role.actor, "acme", PublicURL, Hint)
		for _, a := range actions {
			if err := a.run(d); err == nil || !(errors.Is(err, store.ErrForbidden) || errors.Is(err, store.ErrNotFound)) {
				t.Errorf("%s: %s on acme's portal = %v, want a refusal", role.name, a.name, err)
			}
		}
	}
	// A pending partner has a portal but no materials.
	if _, err := NewData(st, pending, "acme", PublicURL, Hint).Assets(ctx, 0, 0); !errors.Is(err, store.ErrForbidden) {
		t.Errorf("pending partner's assets = %v, want forbidden", err)
	}
	if after := snapshot(t, f); after != before {
		t.Errorf("refused portal actions changed acme:\nbefore %s\nafter  %s", before, after)
	}

	// Eve's portal holds Eve's rows only; the pending partner's holds none of Eve's.
	eve := NewData(st, f.Eve, "acme", PublicURL, Hint)
	lp, err := eve.Links(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lp.Links {
		if l.PartnerID != f.EveP.ID {
			t.Errorf("Eve's links hold %+v", l)
		}
	}
	pd := NewData(st, pending, "acme", PublicURL, Hint)
	ep, err := pd.Earnings(ctx, 0, 0)
	if err != nil || len(ep.Earnings) != 0 {
		t.Errorf("the pending partner's earnings = %+v, %v; want none (Eve's are hers)", ep, err)
	}
	pp, err := pd.Payouts(ctx)
	if err != nil || len(pp) != 0 {
		t.Errorf("the pending partner's payouts = %+v, %v", pp, err)
	}
	h, err := pd.Header(ctx)
	if err != nil || h.Partner.UserID != pending.UserID || h.Program.Secrets != (store.ProgramSecrets{}) || h.Program.Admins != nil {
		t.Errorf("header = %+v, %v", h, err)
	}
}

// snapshot is acme as its merchant sees it: links, commissions, assets.
func snapshot(t *testing.T, f *Fixture) string {
	t.Helper()
	var b strings.Builder
	cs, err := f.St.ListCommissions(f.Merchant, "acme", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(strings.Repeat("c", len(cs)))
	al, err := f.St.ListAssets(f.Merchant, "acme", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(strings.Repeat("a", len(al.Assets)))
	if _, err := f.St.ResolveCode("stolen-code"); err == nil {
		b.WriteString(" stolen-code exists")
	}
	return b.String()
}

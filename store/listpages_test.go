package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// pageAll walks a name-cursor list page by page (limit 2) and returns every
// name in order, failing on a page over the limit or a repeated name.
func pageAll[T any](t *testing.T, what string, name func(T) string, page func(NamePage) ([]T, string, error)) []string {
	t.Helper()
	var names []string
	after := ""
	for range 100 {
		rows, next, err := page(NamePage{After: after, Limit: 2})
		if err != nil {
			t.Fatalf("%s after %q: %v", what, after, err)
		}
		if len(rows) > 2 {
			t.Fatalf("%s: a page of %d rows, limit 2", what, len(rows))
		}
		for _, r := range rows {
			names = append(names, name(r))
		}
		if next == "" {
			return names
		}
		if next != name(rows[len(rows)-1]) {
			t.Fatalf("%s: next %q is not the page's last row", what, next)
		}
		after = next
	}
	t.Fatalf("%s: no last page", what)
	return nil
}

func TestNameListsPageInTheStore(t *testing.T) {
	e := newEnv(t)
	for _, slug := range []string{"delta", "alpha", "carol", "bravo", "echo"} {
		e.program(slug, ProgramInput{})
	}
	e.st.SetProgram(e.admin, "bravo", "listed", "on")
	e.st.SetProgram(e.admin, "echo", "listed", "on")
	progs := pageAll(t, "programs", func(p Program) string { return p.Slug },
		func(pg NamePage) ([]Program, string, error) { return e.st.ProgramsPage(e.admin, false, pg) })
	if !slices.Equal(progs, []string{"alpha", "bravo", "carol", "delta", "echo"}) {
		t.Errorf("programs %v", progs)
	}
	listed := pageAll(t, "listed programs", func(p Program) string { return p.Slug },
		func(pg NamePage) ([]Program, string, error) { return e.st.ProgramsPage(Actor{}, true, pg) })
	if !slices.Equal(listed, []string{"bravo", "echo"}) {
		t.Errorf("listed programs %v", listed)
	}

	// A partner in two programs, with links in both.
	p1, pa := e.partner("alpha")
	p2, err := e.st.Join(pa, "bravo", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetPartnerStatus(e.admin, "bravo", p2.ID, PartnerApproved); err != nil {
		t.Fatal(err)
	}
	want := []string{p1.Code, p2.Code}
	for i, code := range []string{"zz-last", "aa-first", "mm-mid", "bb-b"} {
		slug := []string{"alpha", "bravo"}[i%2]
		if _, err := e.st.CreateLink(pa, slug, code, ""); err != nil {
			t.Fatal(err)
		}
		want = append(want, code)
	}
	slices.Sort(want)
	e.click(p1, "192.0.2.1")
	links := pageAll(t, "links", func(l LinkStat) string { return l.Code },
		func(pg NamePage) ([]LinkStat, string, error) { return e.st.LinkStatsPage(pa, "", pg) })
	if !slices.Equal(links, want) {
		t.Errorf("links %v, want %v", links, want)
	}
	all, _, err := e.st.LinkStatsPage(pa, "alpha", NamePage{})
	if err != nil || len(all) != 3 {
		t.Fatalf("alpha's links: %+v %v", all, err)
	}
	for _, l := range all {
		if (l.Code == p1.Code) != (l.Clicks == 1) {
			t.Errorf("link %s: %d clicks", l.Code, l.Clicks)
		}
	}

	// Coupons, by code.
	var coupons []string
	for _, c := range []string{"SPRING", "AUTUMN", "WINTER", "SUMMER", "X10"} {
		if _, err := e.st.AddCoupon(e.admin, "alpha", c, p1.ID); err != nil {
			t.Fatal(err)
		}
		coupons = append(coupons, c)
	}
	slices.Sort(coupons)
	got := pageAll(t, "coupons", func(c Coupon) string { return c.Code },
		func(pg NamePage) ([]Coupon, string, error) { return e.st.CouponsPage(e.admin, "alpha", pg) })
	if !slices.Equal(got, coupons) {
		t.Errorf("coupons %v, want %v", got, coupons)
	}
	if _, _, err := e.st.CouponsPage(pa, "alpha", NamePage{}); err == nil {
		t.Error("a partner listed the coupons")
	}

	// Keys, by fingerprint.
	u, err := e.st.CreateUser("Kim", "kim@x.test", "SHA256:k3", "ssh-ed25519 AAAAk3")
	if err != nil {
		t.Fatal(err)
	}
	ka := Actor{UserID: u.ID}
	for _, fp := range []string{"SHA256:k1", "SHA256:k5", "SHA256:k2", "SHA256:k4"} {
		pub := "ssh-ed25519 AAAA" + strings.TrimPrefix(fp, "SHA256:")
		token, _, err := e.st.CreateKeyClaim(ka, fp, pub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.ClaimKey(token, fp, pub); err != nil {
			t.Fatal(err)
		}
	}
	keys := pageAll(t, "keys", func(k Key) string { return k.Fingerprint },
		func(pg NamePage) ([]Key, string, error) { return e.st.KeysPage(ka, pg) })
	if !slices.Equal(keys, []string{"SHA256:k1", "SHA256:k2", "SHA256:k3", "SHA256:k4", "SHA256:k5"}) {
		t.Errorf("keys %v", keys)
	}

	// The team: admins, then waiting seats; the cursor counts rows.
	for i := range 3 {
		if _, err := e.st.AddTeamSeat(e.admin, "alpha", fmt.Sprintf("SHA256:seat%d", i), "ssh-ed25519 AAAAseat", fmt.Sprintf("laptop %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.AddTeamSeat(e.admin, "bravo", "SHA256:other", "ssh-ed25519 AAAAother", "not alpha's"); err != nil {
		t.Fatal(err)
	}
	var team []string
	var after uint64
	for range 10 {
		rows, next, err := e.st.TeamPage(e.admin, "alpha", Page{After: after, Limit: 2})
		if err != nil || len(rows) > 2 {
			t.Fatalf("team after %d: %d rows, %v", after, len(rows), err)
		}
		for _, r := range rows {
			if r.User != nil {
				team = append(team, "user "+r.User.Name)
			} else {
				team = append(team, "seat "+r.Seat.Label)
			}
		}
		if next == 0 {
			break
		}
		after = next
	}
	if !slices.Equal(team, []string{"user Admin", "seat laptop 0", "seat laptop 1", "seat laptop 2"}) {
		t.Errorf("team %v", team)
	}
}

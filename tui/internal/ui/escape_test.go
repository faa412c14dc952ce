package ui

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Every escape-sequence class of the one table, in partner names and
// emails, order and customer ids and program texts, never reaches a frame
// of any merchant tab.
func TestScreensCarryNoEscapes(t *testing.T) {
	f := newDashFixture(t, true, false)
	a := f.admin.Actor()
	_, _ = f.st.SetProgram(a, "acme", "welcome", "Welcome"+sanitizetest.Classes[0].S)
	var partners []*identity.Identity
	for i, c := range sanitizetest.Classes {
		evil := "x" + c.S + "y"
		u, err := f.st.CreateUser("Eve"+evil, fmt.Sprintf("e%d@x.test", i), fmt.Sprintf("SHA256:esc%d", i), "ssh-ed25519 AAAA")
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.st.Join(store.Actor{UserID: u.ID}, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.SetPartnerStatus(a, "acme", p.ID, store.PartnerApproved); err != nil {
			t.Fatal(err)
		}
		// A click first: a ref attributes only with a click on its code.
		if _, err := f.st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code,
			IP: netip.MustParseAddr(fmt.Sprintf("192.0.2.%d", i+1))}); err != nil {
			t.Fatal(err)
		}
		_, _, _ = f.st.RecordConversion("acme", store.ConversionInput{OrderID: fmt.Sprintf("o%d", i) + evil,
			CustomerID: "c" + evil, Amount: "10.00", Currency: "USD", Kind: store.KindSale, Ref: p.Code})
		_, _ = f.st.AddTextAsset(a, "acme", "Title"+evil, "Body"+evil+" {link}")
		partners = append(partners, &identity.Identity{Fingerprint: fmt.Sprintf("SHA256:esc%d", i), KeyLine: "ssh-ed25519 AAAA", User: u})
	}
	for _, tab := range []struct{ key, want string }{
		{"", "Overview"}, {"2", "Partners"}, {"3", "newest first"}, {"4", "Commissions"}, {"5", "Who is owed what"},
		{"6", "asset add"}, {"7", "Setting"},
	} {
		steps := []step{{"", "Overview"}}
		if tab.key != "" {
			steps = append(steps, step{tab.key, tab.want})
		}
		frame := driveKeys(t, f.appAs(f.admin, 120, 40), 120, 40, steps...)
		if d := sanitizetest.Dirty([]byte(frame)); d != "" {
			t.Errorf("tab %q: %s in frame:\n%s", tab.want, d, frame)
		}
		if strings.Contains(frame, "\x1b") {
			t.Errorf("tab %q: ESC in frame", tab.want)
		}
	}
	// The partner portal's tabs, as partners whose own texts are hostile.
	for _, id := range []*identity.Identity{partners[0], partners[len(partners)/2], partners[len(partners)-1]} {
		for _, key := range []string{"1", "2", "3", "4", "5", "6"} {
			frame := driveKeys(t, f.appAs(id, 120, 40), 120, 40, step{"", "Your link"}, step{key, ""})
			if d := sanitizetest.Dirty([]byte(frame)); d != "" {
				t.Errorf("portal tab %s: %s in frame:\n%s", key, d, frame)
			}
		}
	}
}

// The signup screen (ssh acme@host for a key not in acme yet) shows the
// program's name, welcome text and terms and the user's own name: with
// each escape class in all of them, no frame carries an escape.
func TestSignupScreenCarriesNoEscapes(t *testing.T) {
	f := newDashFixture(t, true, false)
	a := f.admin.Actor()
	for i, c := range sanitizetest.Classes {
		evil := "x" + c.S + "y"
		for k, v := range map[string]string{"name": "Acme" + evil, "welcome": "Welcome" + evil, "terms": "Terms" + evil} {
			_, _ = f.st.SetProgram(a, "acme", k, v) // taken (cleaned) or refused
		}
		fp := fmt.Sprintf("SHA256:signup%d", i)
		u, err := f.st.CreateUser("Sig"+evil, fmt.Sprintf("s%d@x.test", i), fp, "ssh-ed25519 AAAA")
		if err != nil {
			t.Fatal(err)
		}
		id := &identity.Identity{Fingerprint: fp, KeyLine: "ssh-ed25519 AAAA", User: u}
		frame := driveKeys(t, f.signupApp(id, 100, 30), 100, 30, step{"", "join the partner program"})
		if d := sanitizetest.Dirty([]byte(frame)); d != "" || strings.Contains(frame, "\x1b") {
			t.Errorf("class %s: %q in the signup frame:\n%s", c.Name, d, frame)
		}
		if !strings.Contains(frame, "Terms") || !strings.Contains(frame, "Sig") {
			t.Errorf("class %s: the signup frame lacks the terms or the name:\n%s", c.Name, frame)
		}
	}
}

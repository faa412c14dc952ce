package ui

import (
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Approving a flagged commission on the Commissions tab asks a second y/n
// naming the flags, and the approval is recorded as an override.
func TestDashboardApproveFlaggedAsksTwice(t *testing.T) {
	f := newDashFixture(t, true, true)
	w, h := 120, 40
	drive(t, f.app(w, h), w, h,
		step{"", "Overview"},
		step{"4", "fast_conversion"},
		step{"a", "Approve commission"},
		step{"y", "fraud flags: fast_conversion"},
		step{"y", "past its flags"},
	)
	cs, err := f.st.ListCommissions(f.admin.Actor(), "acme", store.CommissionApproved, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if len(c.Flags) > 0 {
			if !c.OverrodeFlags || c.DecidedBy != f.admin.User.ID {
				t.Fatalf("flagged commission approved without the override recorded: %+v", c)
			}
			return
		}
	}
	t.Fatalf("the flagged commission was not approved: %+v", cs)
}

// ssh nosuch@host by an unknown key: the home screen says there is no such
// program.
func TestHomeNoSuchProgram(t *testing.T) {
	f := newDashFixture(t, true, false)
	stranger := &identity.Identity{Fingerprint: "SHA256:stranger", KeyLine: "ssh-ed25519 AAAAstranger"}
	d, err := LoadHome(Env{Store: f.st, Hint: "ssh -p 2222 aff.test", Link: func(string) string { return "" }}, stranger, "nosuch")
	if err != nil || d.NoSuchProgram != "nosuch" || d.Portal != nil {
		t.Fatalf("LoadHome(nosuch) = %+v, %v", d, err)
	}
	if d, err = LoadHome(Env{Store: f.st, Hint: "ssh -p 2222 aff.test", Link: func(string) string { return "" }}, stranger, "acme"); err != nil || d.NoSuchProgram != "" || d.Portal == nil {
		t.Fatalf("LoadHome(acme) = %+v, %v", d, err)
	}
}

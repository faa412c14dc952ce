package store

import (
	"testing"
	"time"
)

// The scheduler promotes matured commissions every minute. When no hold
// has ended it writes nothing and signals no screen (before, every call
// signalled every screen of every program and moved Version, so every
// open screen read again once a minute); when one has, the screens of its
// program are signalled and only those.
func TestPromoteMaturedSignalsOnlyWhatItApproved(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(30)})
	e.program("other", ProgramInput{})
	p, _ := e.partner("acme")
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p.Code})
	acme, stopAcme := e.st.Subscribe("acme")
	defer stopAcme()
	other, stopOther := e.st.Subscribe("other")
	defer stopOther()
	v := e.st.Version()
	if n, err := e.st.PromoteMatured(); err != nil || n != 0 {
		t.Fatalf("promote within the hold: %d %v", n, err)
	}
	select {
	case <-acme:
		t.Error("a promotion with nothing due signalled the program's screens")
	case <-other:
		t.Error("a promotion with nothing due signalled another program's screens")
	default:
	}
	if got := e.st.Version(); got != v {
		t.Errorf("Version moved %d -> %d with nothing due", v, got)
	}

	e.clk.Add(31 * 24 * time.Hour)
	acme2, stop2 := e.st.Subscribe("acme") // a screen read on the new day
	defer stop2()
	other2, stopOther2 := e.st.Subscribe("other")
	defer stopOther2()
	if n, err := e.st.PromoteMatured(); err != nil || n != 1 {
		t.Fatalf("promote after the hold: %d %v", n, err)
	}
	select {
	case <-acme2:
	default:
		t.Error("approving a commission of acme did not signal its screens")
	}
	select {
	case <-other2:
		t.Error("approving a commission of acme signalled another program's screens")
	default:
	}
	if n, err := e.st.PromoteMatured(); err != nil || n != 0 {
		t.Fatalf("promote again: %d %v", n, err)
	}
	e.wantBalance(e.balance(e.admin, "acme"), "0", "20.00", "0", "0", "0")
}

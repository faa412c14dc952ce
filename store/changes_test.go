package store

import (
	"fmt"
	"testing"
	"time"
)

// A partner's subscription is signalled by the commits that count its own
// clicks, and by every other change of the program, but not by the click
// counts of other partners; a read after its signal shows its clicks.
func TestPartnerSignalsFollowTheirOwnClicks(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, a1 := e.partner("shop")
	p2, a2 := e.partner("shop")
	e.st.seeClicks()
	program, cancel := e.st.Subscribe("shop")
	defer cancel()
	s1, cancel1 := e.st.SubscribePartner("shop", p1.ID)
	defer cancel1()
	s2, cancel2 := e.st.SubscribePartner("shop", p2.ID)
	defer cancel2()
	pending := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	// converge waits on ch until a's own figures show want clicks.
	converge := func(ch <-chan struct{}, a Actor, want int64) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			st, err := e.st.OwnStatsSince(a, "shop", 30, e.st.Version())
			if err != nil {
				t.Fatal(err)
			}
			if st.Clicks == want {
				return
			}
			select {
			case <-ch:
			case <-deadline:
				t.Fatalf("the partner's subscription was not signalled the commit of its clicks (it shows %d, want %d)", st.Clicks, want)
			}
		}
	}

	// One click, then bursts (whose counts wait for a timed flush).
	want := int64(0)
	for round, n := range []int{1, 12, 40} {
		for i := range n {
			e.click(p1, fmt.Sprintf("203.0.%d.%d", round, i+1))
		}
		want += int64(n)
		converge(s1, a1, want)
		// Every flush of the program signalled its subscription; none
		// signalled the other partner's.
		e.st.seeClicks()
		if !pending(program) && round == 0 {
			t.Fatal("the program's subscription was not signalled a click count")
		}
		if pending(s2) {
			t.Fatalf("round %d: partner 2 was signalled the click counts of partner 1", round)
		}
	}

	// Partner 2's own click signals it (and not partner 1).
	pending(s1)
	e.click(p2, "198.51.100.1")
	converge(s2, a2, 1)
	e.st.seeClicks()
	if pending(s1) {
		t.Fatal("partner 1 was signalled the click count of partner 2")
	}

	// A change that is not a click signals every partner of the program.
	pending(program)
	if _, err := e.st.SetProgram(e.admin, "shop", "name", "Shop Two"); err != nil {
		t.Fatal(err)
	}
	if !pending(s1) || !pending(s2) || !pending(program) {
		t.Fatal("a program change did not signal every subscription")
	}
	e.convert("shop", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "50.00", Ref: p1.Code})
	e.st.seeClicks()
	if !pending(s2) {
		t.Fatal("a conversion did not signal partner 2's subscription (the program changed)")
	}
}

// A click count whose partners are not known signals every partner.
func TestUnknownPartnersSignalEveryone(t *testing.T) {
	var h changeHub
	s1, c1 := h.subscribe("shop", 1, "")
	defer c1()
	s2, c2 := h.subscribe("shop", 2, "")
	defer c2()
	other, c3 := h.subscribe("other", 0, "")
	defer c3()
	h.signal(changeSet{clicks: []string{"shop"}, partners: map[uint64]bool{2: true}})
	if len(s1) != 0 || len(s2) != 1 || len(other) != 0 {
		t.Fatalf("known partners: signalled %d %d %d, want 0 1 0", len(s1), len(s2), len(other))
	}
	<-s2
	h.signal(changeSet{clicks: []string{"shop"}})
	if len(s1) != 1 || len(s2) != 1 || len(other) != 0 {
		t.Fatalf("unknown partners: signalled %d %d %d, want 1 1 0", len(s1), len(s2), len(other))
	}
	<-s1
	<-s2
	h.changed("")
	if len(s1) != 1 || len(s2) != 1 || len(other) != 1 {
		t.Fatal("a change of an unknown program did not signal everyone")
	}
}

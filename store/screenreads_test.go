package store

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The screens' reads never wait for the click applier (nor queue a commit
// for it): they show what is stored. The commit that stores and counts a
// click acknowledged before is signalled to the screens, and the read
// after that signal shows it. Commands (Stats) still wait for it.
func TestScreenReadsConverge(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, a1 := e.partner("shop")
	e.pauseApplier()
	changed, cancel := e.st.Subscribe("shop")
	defer cancel()

	c := e.click(p1, "203.0.113.7") // acknowledged: journaled, not in bbolt
	if !e.st.writer.lagging() {
		t.Fatal("the applier stored the click although it is paused")
	}
	type shown struct {
		admin, partner, detail int64
		ownLinks, links, rows  int64
	}
	read := func(since uint64) shown {
		t.Helper()
		var s shown
		st, err := e.st.StatsSince(e.admin, "shop", 30, since)
		if err != nil {
			t.Fatal(err)
		}
		s.admin = st.Clicks
		own, err := e.st.OwnStatsSince(a1, "shop", 30, since)
		if err != nil {
			t.Fatal(err)
		}
		s.partner = own.Clicks
		ps, err := e.st.PartnerStatsSince(e.admin, "shop", p1.ID, 30, since)
		if err != nil {
			t.Fatal(err)
		}
		s.detail = ps.Clicks
		lp, err := e.st.PartnerLinksSince(a1, "shop", "", 10, since)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lp.Links {
			s.ownLinks += l.Clicks
		}
		ls, err := e.st.PartnerLinksOfSince(t.Context(), e.admin, "shop", p1.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			s.links += l.Clicks
		}
		pg, err := e.st.PartnerPageSince(t.Context(), e.admin, "shop", PageQuery{}, since)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Rows {
			s.rows += r.Totals.Clicks
		}
		return s
	}
	if got := read(e.st.Version()); got != (shown{}) {
		t.Fatalf("with the applier paused the screens show %+v, want what is stored (no clicks)", got)
	}
	if !e.st.writer.lagging() {
		t.Fatal("a screen read made the writer store the journaled clicks (it waited for them)")
	}
	select {
	case <-changed:
		t.Fatal("a change was signalled before the applier committed")
	default:
	}

	// The applier commits: the screens are signalled, and their next read
	// (at the signalled version) shows the click.
	e.st.writer.applyEvery.Store(int64(time.Millisecond))
	e.st.writer.kickApply()
	want := shown{1, 1, 1, 1, 1, 1}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the screens were not signalled the click's commit (they show %+v)", read(e.st.Version()))
		}
		if got := read(e.st.Version()); got == want {
			break
		}
	}
	if e.st.writer.lagging() {
		t.Fatal("signalled before the applier stored the click")
	}

	// A command still waits for the applier (bounded): it sees a click
	// acknowledged just before.
	e.st.writer.applyEvery.Store(int64(time.Hour))
	e.click(p1, "203.0.113.8")
	st, err := e.st.Stats(e.admin, "shop", 30)
	if err != nil {
		t.Fatal(err)
	}
	if st.Clicks != 2 {
		t.Fatalf("stats after a second click: %d clicks, want 2", st.Clicks)
	}
	if ok, err := e.st.ClickExists(c.ID); err != nil || !ok {
		t.Fatalf("click %d: %v %v", c.ID, ok, err)
	}
}

// A screen read returns while the writer is busy with a long commit, and
// queues nothing for it (a wait for the applier sends the writer a flush).
func TestScreenReadsDoNotQueueBehindTheWriter(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, a1 := e.partner("shop")
	e.pauseApplier()
	e.click(p1, "203.0.113.9")
	release := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_ = e.st.writer.do(context.Background(), func(_ *bolt.Tx, _ map[string]*Counters) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	defer close(release)
	done := make(chan error, 1)
	go func() {
		_, err := e.st.OwnStatsSince(a1, "shop", 30, e.st.Version())
		if err == nil {
			_, err = e.st.StatsSince(e.admin, "shop", 30, e.st.Version())
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a screen read waited for the writer's commit")
	}
	if n := len(e.st.writer.reqs); n != 0 {
		t.Fatalf("the screen reads queued %d requests for the writer", n)
	}
}

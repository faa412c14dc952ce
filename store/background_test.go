package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// uniqEntries counts the unique-click index entries bbolt holds.
func uniqEntries(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	if err := st.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bUniq).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// oldUniqEntries makes program acme with a partner clicked from n
// addresses (n under 64,000), then moves the clock three days on: the clicks' entries in
// the unique-click index are then past days', for the purge.
func oldUniqEntries(e *env, n int) *Partner {
	e.t.Helper()
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	for i := range n {
		e.click(p, fmt.Sprintf("198.18.%d.%d", i/250, i%250+1))
	}
	e.st.seeClicks()
	e.clk.Add(3 * 24 * time.Hour)
	return p
}

// The purge changes no figure: its steps signal no screen and leave
// Version (the screens' shared reads) as it was. Before, every step
// signalled every screen of every program.
func TestPurgeSignalsNoScreen(t *testing.T) {
	e := newEnv(t)
	p := oldUniqEntries(e, 40)
	prog, stopProg := e.st.Subscribe("acme")
	defer stopProg()
	own, stopOwn := e.st.SubscribePartner("acme", p.ID)
	defer stopOwn()
	v := e.st.Version()
	res, err := e.st.PurgeClicks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.UniqueKeys != 40 || uniqEntries(t, e.st) != 0 {
		t.Fatalf("purged %+v, %d index entries left; want the 40 of three days ago", res, uniqEntries(t, e.st))
	}
	select {
	case <-prog:
		t.Error("the purge signalled the program's screens")
	case <-own:
		t.Error("the purge signalled the partner's portal")
	default:
	}
	if got := e.st.Version(); got != v {
		t.Errorf("Version moved %d -> %d with the purge", v, got)
	}
	// A change that is no upkeep still signals.
	e.click(p, "198.51.100.1")
	e.st.seeClicks()
	select {
	case <-prog:
	case <-time.After(10 * time.Second):
		t.Fatal("a click after the purge signalled nothing")
	}
}

// Under a click load a purge step waits for the commit that stores the
// journaled clicks instead of making one of its own: while clicks wait in
// the journal and the applier has not committed, the step is not
// committed (and the clicks are not stored). The next commit takes both,
// and the purge then completes with every entry gone and check clean.
func TestPurgeStepRidesInTheApplierCommit(t *testing.T) {
	e := newEnv(t)
	p := oldUniqEntries(e, purgeChunk+100) // two steps
	e.pauseApplier()                       // no apply commit until asked
	c := e.click(p, "198.51.100.1")        // journaled, not in bbolt
	if storedClicks(t, e.st)[c.ID] || !e.st.writer.lagging() {
		t.Fatal("the click is stored already: the applier is not paused")
	}
	type purged struct {
		res PurgeResult
		err error
	}
	done := make(chan purged, 1)
	go func() {
		res, err := e.st.PurgeClicks(context.Background())
		done <- purged{res, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the purge committed on its own while clicks waited for the applier: %+v", r)
	case <-time.After(300 * time.Millisecond):
	}
	if storedClicks(t, e.st)[c.ID] {
		t.Fatal("a purge step made a commit of its own (it stored the journaled click)")
	}
	if n := uniqEntries(t, e.st); n != purgeChunk+100 {
		t.Fatalf("%d index entries before the applier's commit, want %d", n, purgeChunk+100)
	}
	// The applier's commit (its pace back to normal) takes the step.
	e.st.writer.applyEvery.Store(int64(applyEvery))
	e.st.writer.kickApply()
	var r purged
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the purge did not complete after the applier's commit")
	}
	if r.err != nil || r.res.UniqueKeys != purgeChunk+100 {
		t.Fatalf("purge: %+v %v", r.res, r.err)
	}
	if !storedClicks(t, e.st)[c.ID] || uniqEntries(t, e.st) != 1 {
		t.Fatalf("after the purge: click stored %v, %d index entries (want today's 1)", storedClicks(t, e.st)[c.ID], uniqEntries(t, e.st))
	}
	e.check()
}

// A purge longer than one idle step (purgeChunkIdle) takes several and
// deletes every entry of past days, keeps today's and leaves check clean.
func TestPurgeOfManyStepsCompletes(t *testing.T) {
	e := newEnv(t)
	p := oldUniqEntries(e, 30)
	c := e.click(p, "198.51.100.1") // today's entry stays
	e.st.seeClicks()
	old := dayKey(e.clk.Now().Add(-5 * 24 * time.Hour))
	const n = 2*purgeChunkIdle + 100
	err := e.st.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			if err := tx.Bucket(bUniq).Put(key(old, p.ID, fmt.Sprintf("visitor%06d", i)), []byte{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.st.PurgeClicks(context.Background())
	if err != nil || res.UniqueKeys != n+30 {
		t.Fatalf("purge: %+v %v; want %d index entries", res, err, n+30)
	}
	if left := uniqEntries(t, e.st); left != 1 || !storedClicks(t, e.st)[c.ID] {
		t.Fatalf("%d index entries left, want today's 1", left)
	}
	e.check()
}

package store

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingRead returns a read that counts its calls and answers n.
func countingRead(calls *atomic.Int32, n int) func() (int, error) {
	return func() (int, error) { calls.Add(1); return n, nil }
}

func TestSharedReadFreshness(t *testing.T) {
	e := newEnv(t)
	s := e.st
	same := func(n int) int { return n }
	var calls atomic.Int32
	v0 := s.Version()
	for range 3 {
		if n, err := sharedRead(s, "k", v0, countingRead(&calls, 1), same); err != nil || n != 1 {
			t.Fatalf("read = %d, %v", n, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("3 reads at one version ran %d times, want 1", calls.Load())
	}
	// A change signal: a caller told of it reads again; one that was not
	// may take the newer read.
	s.changes.changed("shop")
	v1 := s.Version()
	if v1 <= v0 {
		t.Fatalf("version did not move on a change: %d → %d", v0, v1)
	}
	if n, _ := sharedRead(s, "k", v1, countingRead(&calls, 2), same); n != 2 || calls.Load() != 2 {
		t.Fatalf("after a change: %d (%d reads), want the new read", n, calls.Load())
	}
	if n, _ := sharedRead(s, "k", v0, countingRead(&calls, 3), same); n != 2 || calls.Load() != 2 {
		t.Fatalf("an older caller: %d (%d reads), want the shared newer read", n, calls.Load())
	}
	// Another key is another read.
	if n, _ := sharedRead(s, "other", v0, countingRead(&calls, 4), same); n != 4 || calls.Load() != 3 {
		t.Fatalf("another key: %d (%d reads)", n, calls.Load())
	}
	// Failed reads are not shared.
	boom := errors.New("boom")
	for range 2 {
		if _, err := sharedRead(s, "bad", v1, func() (int, error) { calls.Add(1); return 0, boom }, same); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls.Load() != 5 {
		t.Fatalf("a failed read was shared (%d reads, want 5)", calls.Load())
	}
	// Age: after screenCacheMaxAge a read is not shared, changes or not.
	time.Sleep(screenCacheMaxAge + 50*time.Millisecond)
	if n, _ := sharedRead(s, "k", v0, countingRead(&calls, 6), same); n != 6 || calls.Load() != 6 {
		t.Fatalf("an expired read was shared: %d (%d reads)", n, calls.Load())
	}
}

func TestSharedReadInFlight(t *testing.T) {
	e := newEnv(t)
	s := e.st
	release := make(chan struct{})
	started := make(chan struct{})
	var calls atomic.Int32
	read := func() (int, error) {
		if calls.Add(1) == 1 {
			close(started)
		}
		<-release
		return 7, nil
	}
	v := s.Version()
	var wg sync.WaitGroup
	got := make([]int, 20)
	wg.Add(1)
	go func() {
		defer wg.Done()
		got[0], _ = sharedRead(s, "k", v, read, func(n int) int { return n })
	}()
	<-started
	for i := 1; i < len(got); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = sharedRead(s, "k", v, read, func(n int) int { return n })
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them queue on the read in flight
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("20 concurrent callers ran the read %d times, want 1", calls.Load())
	}
	for i, n := range got {
		if n != 7 {
			t.Fatalf("caller %d got %d", i, n)
		}
	}
}

func TestSharedReadPanicReleasesWaiters(t *testing.T) {
	e := newEnv(t)
	s := e.st
	func() {
		defer func() { _ = recover() }()
		_, _ = sharedRead(s, "k", 0, func() (int, error) { panic("read") }, func(n int) int { return n })
	}()
	done := make(chan int)
	go func() {
		n, _ := sharedRead(s, "k", 0, func() (int, error) { return 1, nil }, func(n int) int { return n })
		done <- n
	}()
	select {
	case n := <-done:
		if n != 1 {
			t.Fatalf("after a panicked read: %d", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a read after a panicked one hangs")
	}
}

// The screens' shared reads show what each viewer may see, and a change
// the caller was told of.
func TestStatsSinceViewers(t *testing.T) {
	e := newEnv(t)
	e.program("shop", ProgramInput{Commission: "10%"})
	p1, a1 := e.partner("shop")
	_, a2 := e.partner("shop")
	clicks := func(a Actor) int64 {
		t.Helper()
		st, err := e.st.StatsSince(a, "shop", 30, e.st.Version())
		if err != nil {
			t.Fatal(err)
		}
		return st.Clicks
	}
	if n := clicks(e.admin); n != 0 {
		t.Fatalf("admin clicks = %d", n)
	}
	e.click(p1, "203.0.113.1")
	e.st.seeClicks() // stored and counted (screens do not wait: TestScreenReadsConverge)
	if n := clicks(e.admin); n != 1 {
		t.Fatalf("admin clicks after a click = %d, want 1 (a stale shared read?)", n)
	}
	if n := clicks(a1); n != 1 {
		t.Fatalf("partner 1 clicks = %d, want 1", n)
	}
	if n := clicks(a2); n != 0 {
		t.Fatalf("partner 2 sees %d clicks, want 0 (its own only)", n)
	}
	// The copy a caller gets is its own.
	st, err := e.st.StatsSince(e.admin, "shop", 30, e.st.Version())
	if err != nil {
		t.Fatal(err)
	}
	st.Daily[len(st.Daily)-1].Clicks = 99
	again, err := e.st.StatsSince(e.admin, "shop", 30, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Daily[len(again.Daily)-1].Clicks; n != 1 {
		t.Fatalf("a caller's change reached the shared read: %d", n)
	}
	// Permissions come first.
	if _, err := e.st.StatsSince(Actor{UserID: 999}, "shop", 30, 0); !errors.Is(err, ErrForbidden) && !errors.Is(err, ErrNotFound) {
		t.Fatalf("a stranger's shared stats: %v", err)
	}
	if _, err := e.st.TopPartnersSince(t.Context(), a1, "shop", 30, 5, 0); err == nil {
		t.Fatal("a partner read the top partners")
	}
}

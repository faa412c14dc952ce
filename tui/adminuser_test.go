package tui

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// Sessions of one admin key opening together share one EnsureUser call;
// each gets its own copy; an error reaches every caller and is not kept.
func TestAdminUsersShareOneCall(t *testing.T) {
	var a adminUsers
	var calls atomic.Int32
	const n = 30
	release := make(chan struct{})
	ensure := func() (*store.User, error) {
		calls.Add(1)
		<-release
		return &store.User{ID: 7, Name: "admin"}, nil
	}
	got := make([]*store.User, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := a.ensure("SHA256:k", ensure)
			if err != nil {
				t.Error(err)
			}
			got[i] = u
		}()
	}
	// Release the call only once every other caller waits on it (a fixed
	// sleep let a starved goroutine arrive after the call had ended and
	// make a second one).
	waiting := func() int {
		a.mu.Lock()
		defer a.mu.Unlock()
		if c := a.calls["SHA256:k"]; c != nil {
			return c.waiters
		}
		return -1
	}
	for deadline := time.Now().Add(10 * time.Second); waiting() < n-1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s %d of %d callers wait on the call in flight", waiting(), n-1)
		}
	}
	close(release)
	wg.Wait()
	if c := calls.Load(); c != 1 {
		t.Fatalf("%d sessions opening together made %d calls, want 1", n, c)
	}
	for i, u := range got {
		if u == nil || u.ID != 7 {
			t.Fatalf("caller %d got %+v", i, u)
		}
		if i > 0 && u == got[0] {
			t.Fatal("callers share one *User")
		}
	}
	// Later calls call again (nothing is cached), and errors are returned.
	boom := errors.New("boom")
	if _, err := a.ensure("SHA256:k", func() (*store.User, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if u, err := a.ensure("SHA256:k", func() (*store.User, error) { return &store.User{ID: 8}, nil }); err != nil || u.ID != 8 {
		t.Fatalf("after an error: %+v %v", u, err)
	}
	// A panicking call releases the callers waiting on it.
	func() {
		defer func() { _ = recover() }()
		_, _ = a.ensure("SHA256:p", func() (*store.User, error) { panic("ensure") })
	}()
	if u, err := a.ensure("SHA256:p", func() (*store.User, error) { return &store.User{ID: 9}, nil }); err != nil || u.ID != 9 {
		t.Fatalf("after a panic: %+v %v", u, err)
	}
}

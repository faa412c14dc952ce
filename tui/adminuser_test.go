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
	var calls, arrived atomic.Int32
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
			arrived.Add(1)
			u, err := a.ensure("SHA256:k", ensure)
			if err != nil {
				t.Error(err)
			}
			got[i] = u
		}()
	}
	for arrived.Load() < n {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // all of them wait on the call in flight
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

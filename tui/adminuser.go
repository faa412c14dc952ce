package tui

import (
	"sync"

	"github.com/affogato-sh/affogato/store"
)

// adminUsers makes sure an admin key's user exists (store.EnsureUser) once
// for all the sessions that open at the same time: the first session of a
// new admin key creates the user in a write transaction, and 200 sessions
// opening together each queued such a transaction behind the writer's
// commits (each of them also reloading every screen) before their first
// frame. Concurrent callers for one key share one call.
type adminUsers struct {
	mu    sync.Mutex
	calls map[string]*adminUserCall
}

type adminUserCall struct {
	done    chan struct{}
	u       *store.User
	err     error
	waiters int // callers sharing this call (guarded by adminUsers.mu; tests read it)
}

// ensure returns the user of the admin key with this fingerprint, made by
// ensure (store.EnsureUser) unless a call for the key is in flight, whose
// result it then shares. Each caller gets its own copy.
func (a *adminUsers) ensure(fingerprint string, ensure func() (*store.User, error)) (*store.User, error) {
	a.mu.Lock()
	c := a.calls[fingerprint]
	if c == nil {
		c = &adminUserCall{done: make(chan struct{})}
		if a.calls == nil {
			a.calls = map[string]*adminUserCall{}
		}
		a.calls[fingerprint] = c
		a.mu.Unlock()
		func() {
			defer func() {
				a.mu.Lock()
				delete(a.calls, fingerprint)
				a.mu.Unlock()
				close(c.done)
			}()
			c.u, c.err = ensure()
		}()
	} else {
		c.waiters++
		a.mu.Unlock()
		<-c.done
	}
	if c.err != nil {
		return nil, c.err
	}
	if c.u == nil { // ensure panicked (the panic goes on in its own session)
		return ensure()
	}
	u := *c.u
	return &u, nil
}

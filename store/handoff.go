package store

import "context"

// handOff gives request r to the goroutine that serves reqs (the group
// writer, the click journal) and waits until it is done (done closed or
// sent to, *errp its answer). It answers ErrClosed when the goroutine has stopped
// or stops before taking r, and ctx's error when ctx ends before r is
// taken; once taken, r is always waited for.
func handOff[R any](ctx context.Context, reqs chan<- R, r R, done <-chan struct{}, errp *error, quit, exited <-chan struct{}) error {
	select {
	case <-quit:
		return ErrClosed
	default:
	}
	// The queue has room nearly always: take it without asking ctx for
	// its done channel (made on first use, once per HTTP request).
	select {
	case reqs <- r:
	default:
		select {
		case reqs <- r:
		case <-quit:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case <-quit:
		// Stopping: the goroutine may have exited without taking r.
		select {
		case <-done:
			return *errp
		case <-exited:
			select {
			case <-done:
				return *errp
			default:
				return ErrClosed
			}
		}
	default:
		// r was queued before quit closed, and the goroutine answers
		// everything queued before it exits. Waiting on done alone keeps
		// a thousand waiting requests off the one exited channel's lock.
		<-done
		return *errp
	}
}

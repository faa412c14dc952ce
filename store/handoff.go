package store

import "context"

// handOff gives request r to the goroutine that serves reqs (the group
// writer, the click journal) and waits until it is done (done closed,
// *errp its answer). It answers ErrClosed when the goroutine has stopped
// or stops before taking r, and ctx's error when ctx ends before r is
// taken; once taken, r is always waited for.
func handOff[R any](ctx context.Context, reqs chan<- R, r R, done <-chan struct{}, errp *error, quit, exited <-chan struct{}) error {
	select {
	case reqs <- r:
	case <-quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
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
}

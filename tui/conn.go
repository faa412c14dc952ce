package tui

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// handshakeTimeout bounds how long a connection may take from accept to its
// first session: key exchange and authentication included. The
// charmbracelet/ssh fork has no such limit of its own, so a client that
// connects and then stalls (or trickles bytes) would hold a goroutine and a
// socket forever.
const handshakeTimeout = 30 * time.Second

// deadlineConn holds a net.Conn to a hard deadline until release is called.
// The ssh server moves the deadline on every read and write (its idle
// timeout); SetDeadline here never lets it move past the hard one.
type deadlineConn struct {
	net.Conn

	mu   sync.Mutex
	hard time.Time // zero once released
	want time.Time // the deadline last asked for by the ssh server
	// opening, when set, counts the connections still in their handshake:
	// this one until it is released or closed.
	opening *atomic.Int64
}

func newDeadlineConn(c net.Conn, d time.Duration, opening *atomic.Int64) *deadlineConn {
	dc := &deadlineConn{Conn: c, hard: time.Now().Add(d), opening: opening}
	if opening != nil {
		opening.Add(1)
	}
	_ = c.SetDeadline(dc.hard)
	return dc
}

// opened takes the connection out of the opening count, once (c.mu held).
func (c *deadlineConn) opened() {
	if c.opening != nil {
		c.opening.Add(-1)
		c.opening = nil
	}
}

// Close closes the connection (and ends its handshake, if it was in one).
func (c *deadlineConn) Close() error {
	c.mu.Lock()
	c.opened()
	c.mu.Unlock()
	return c.Conn.Close()
}

// SetDeadline applies t, clamped to the hard deadline while it holds.
func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	return c.Conn.SetDeadline(c.clamp(t))
}

// SetReadDeadline applies t, clamped to the hard deadline while it holds.
func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetReadDeadline(c.clamp(t))
}

// SetWriteDeadline applies t, clamped to the hard deadline while it holds.
func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Conn.SetWriteDeadline(c.clamp(t))
}

func (c *deadlineConn) clamp(t time.Time) time.Time {
	if c.hard.IsZero() {
		return t
	}
	if t.IsZero() || t.After(c.hard) {
		return c.hard
	}
	return t
}

// release lifts the hard deadline (the connection authenticated and opened a
// session); the deadline the ssh server asked for last applies again.
func (c *deadlineConn) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opened()
	if c.hard.IsZero() {
		return
	}
	c.hard = time.Time{}
	_ = c.Conn.SetDeadline(c.want)
}

package tui

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"

	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Limits keep one key or one address from taking the server for itself:
// caps on concurrent connections and sessions per source address and per
// key, all below the global caps (unknown keys get the smallest share), a
// lifetime for sessions that never open a screen, and an idle limit for
// connections without a session, which keepalives do not reset. Zero
// fields take defaults derived from Config.MaxSessions (see withDefaults).
type Limits struct {
	MaxConns              int           // connections at once, all together (default 4 × MaxSessions)
	ConnsPerIP            int           // connections at once from one address (default MaxConns / 8, at least 4)
	SessionsPerIP         int           // sessions at once from one address (default MaxSessions / 4)
	SessionsPerKey        int           // sessions at once of one known key (default MaxSessions / 8)
	SessionsPerUnknownKey int           // sessions at once of one unknown key (default MaxSessions / 32)
	UnknownSessions       int           // sessions at once of all unknown keys together (default MaxSessions / 4)
	ConnsPerKey           int           // authenticated connections at once of one known key (default 2 × SessionsPerKey)
	ConnsPerUnknownKey    int           // authenticated connections at once of one unknown key (default 2 × SessionsPerUnknownKey)
	CommandLifetime       time.Duration // a session without a screen ends after this (default 10m)
	ConnIdle              time.Duration // a connection with no session is closed after this (default 2m)
}

// withDefaults fills zero fields; every share is at least 1 and at most
// the global cap.
func (l Limits) withDefaults(maxSessions int) Limits {
	def := func(v *int, d int, most int) {
		if *v <= 0 {
			*v = d
		}
		*v = max(1, min(*v, most))
	}
	def(&l.MaxConns, 4*maxSessions, 1<<30)
	def(&l.ConnsPerIP, max(l.MaxConns/8, 4), l.MaxConns)
	def(&l.SessionsPerIP, maxSessions/4, maxSessions)
	def(&l.SessionsPerKey, maxSessions/8, maxSessions)
	def(&l.SessionsPerUnknownKey, maxSessions/32, l.SessionsPerKey)
	def(&l.UnknownSessions, maxSessions/4, maxSessions)
	def(&l.ConnsPerKey, 2*l.SessionsPerKey, l.MaxConns)
	def(&l.ConnsPerUnknownKey, 2*l.SessionsPerUnknownKey, l.ConnsPerKey)
	if l.CommandLifetime <= 0 {
		l.CommandLifetime = 10 * time.Minute
	}
	if l.ConnIdle <= 0 {
		l.ConnIdle = 2 * time.Minute
	}
	return l
}

// limiter counts connections and sessions by address and key.
type limiter struct {
	lim Limits

	mu          sync.Mutex
	conns       int
	connsByIP   map[netip.Addr]int
	sessByIP    map[netip.Addr]int
	sessByKey   map[string]int
	connsByKey  map[string]int
	unknownSess int
}

func newLimiter(l Limits) *limiter {
	return &limiter{lim: l, connsByIP: map[netip.Addr]int{}, sessByIP: map[netip.Addr]int{}, sessByKey: map[string]int{},
		connsByKey: map[string]int{}}
}

// addrOf is the source a remote address is counted under: its IPv4
// address (IPv4-mapped forms unmapped), or its IPv6 /64, since one IPv6
// host usually has a whole /64 to pick addresses from.
func addrOf(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap().WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().Addr()
	}
	return ip
}

// takeConn counts a new connection, or says why it is refused.
func (l *limiter) takeConn(ip netip.Addr) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.conns >= l.lim.MaxConns:
		return "too many connections"
	case l.connsByIP[ip] >= l.lim.ConnsPerIP:
		return "too many connections from this address"
	}
	l.conns++
	l.connsByIP[ip]++
	return ""
}

func (l *limiter) dropConn(ip netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns--
	if l.connsByIP[ip]--; l.connsByIP[ip] <= 0 {
		delete(l.connsByIP, ip)
	}
}

// takeKeyConn counts an authenticated connection of key, or says why it
// is refused.
func (l *limiter) takeKeyConn(key string, known bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	most := l.lim.ConnsPerKey
	if !known {
		most = l.lim.ConnsPerUnknownKey
	}
	if l.connsByKey[key] >= most {
		return "too many connections of this key"
	}
	l.connsByKey[key]++
	return ""
}

func (l *limiter) dropKeyConn(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.connsByKey[key]--; l.connsByKey[key] <= 0 {
		delete(l.connsByKey, key)
	}
}

// takeSession counts a session of key from ip, or says why it is refused.
func (l *limiter) takeSession(ip netip.Addr, key string, known bool) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	perKey := l.lim.SessionsPerKey
	if !known {
		perKey = l.lim.SessionsPerUnknownKey
		if l.unknownSess >= l.lim.UnknownSessions {
			return "too many sessions of keys not known here"
		}
	}
	switch {
	case l.sessByKey[key] >= perKey:
		return "too many sessions of this key"
	case l.sessByIP[ip] >= l.lim.SessionsPerIP:
		return "too many sessions from this address"
	}
	l.sessByKey[key]++
	l.sessByIP[ip]++
	if !known {
		l.unknownSess++
	}
	return ""
}

func (l *limiter) dropSession(ip netip.Addr, key string, known bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sessByKey[key]--; l.sessByKey[key] <= 0 {
		delete(l.sessByKey, key)
	}
	if l.sessByIP[ip]--; l.sessByIP[ip] <= 0 {
		delete(l.sessByIP, ip)
	}
	if !known {
		l.unknownSess--
	}
}

// limitConn is a connection counted by the limiter. It knows how many
// sessions it has open; with none, it is closed after Limits.ConnIdle
// whatever the client sends (keepalives included).
type limitConn struct {
	net.Conn
	lim  *limiter
	ip   netip.Addr
	once sync.Once

	mu       sync.Mutex
	sessions int
	idle     *time.Timer
	key      string // the proven key, counted once its first session starts
}

func (c *limitConn) Close() error {
	c.once.Do(func() {
		c.lim.dropConn(c.ip)
		c.mu.Lock()
		if c.idle != nil {
			c.idle.Stop()
		}
		if c.key != "" {
			c.lim.dropKeyConn(c.key)
		}
		c.mu.Unlock()
	})
	return c.Conn.Close()
}

// countKey counts the connection against its key's cap at its first
// session; a reason means the key has too many connections (the caller
// closes this one).
func (c *limitConn) countKey(key string, known bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key != "" || key == "" {
		return ""
	}
	if why := c.lim.takeKeyConn(key, known); why != "" {
		return why
	}
	c.key = key
	return ""
}

// sessionStarted and sessionEnded keep the count; the last session to end
// arms the idle timer.
func (c *limitConn) sessionStarted() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions++
	if c.idle != nil {
		c.idle.Stop()
		c.idle = nil
	}
}

func (c *limitConn) sessionEnded(after time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sessions--; c.sessions > 0 {
		return
	}
	c.idle = time.AfterFunc(after, func() {
		c.mu.Lock()
		idle := c.sessions == 0
		c.mu.Unlock()
		if idle {
			_ = c.Close()
		}
	})
}

var ctxKeyLimitConn = &ctxKey{"limit-conn"}

// limitConnection counts a new connection by address; over a cap, the
// connection is closed before the handshake.
func (s *Server) limitConnection(ctx ssh.Context, c net.Conn) net.Conn {
	ip := addrOf(c.RemoteAddr())
	if why := s.lim.takeConn(ip); why != "" {
		s.log.Warn("ssh connection refused: "+why, "remote", c.RemoteAddr().String())
		return nil
	}
	lc := &limitConn{Conn: c, lim: s.lim, ip: ip}
	ctx.SetValue(ctxKeyLimitConn, lc)
	return lc
}

// limitSession applies the per-key and per-address session caps (after the
// key is resolved, so unknown keys get their smaller share), gives a
// session without a screen its lifetime, and tells the connection when its
// sessions come and go.
func (s *Server) limitSession() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			id, _ := sess.Context().Value(ctxKeyIdentity).(*identity.Identity)
			known, key := id != nil && id.Known(), fingerprintOf(sess)
			ip := addrOf(sess.RemoteAddr())
			lc, _ := sess.Context().Value(ctxKeyLimitConn).(*limitConn)
			if lc != nil {
				if why := lc.countKey(key, known); why != "" {
					s.log.Warn("ssh connection refused: "+why, "remote", sess.RemoteAddr().String(), "key", key)
					fmt.Fprintf(sess.Stderr(), "%s, try again in a moment\n", why)
					_ = sess.Exit(1)
					_ = lc.Close()
					return
				}
			}
			if why := s.lim.takeSession(ip, key, known); why != "" {
				s.log.Warn("ssh session refused: "+why, "remote", sess.RemoteAddr().String(), "key", key)
				fmt.Fprintf(sess.Stderr(), "%s, try again in a moment\n", why)
				_ = sess.Exit(1)
				return
			}
			defer s.lim.dropSession(ip, key, known)
			if lc != nil {
				lc.sessionStarted()
				defer lc.sessionEnded(s.lim.lim.ConnIdle)
			}
			if _, _, pty := sess.Pty(); !pty || cli.IsCommand(sess.RawCommand()) {
				// No screen: a command. It may read stdin (asset add), but
				// not forever.
				t := time.AfterFunc(s.lim.lim.CommandLifetime, func() {
					s.log.Warn("ssh session ended: lifetime reached", "remote", sess.RemoteAddr().String(), "key", key)
					fmt.Fprintf(sess.Stderr(), "error: session ended after %s\n", s.lim.lim.CommandLifetime)
					_ = sess.Exit(1)
					_ = sess.Close()
				})
				defer t.Stop()
			}
			next(sess)
		}
	}
}

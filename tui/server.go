package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Defaults for Config fields left zero.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 64
)

// Config configures the SSH server.
type Config struct {
	Addr        string           // e.g. ":23234"
	DataDir     string           // host key at DataDir/ssh_host_ed25519 (created on first start, reused)
	PublicURL   string           // base of referral links: link = PublicURL + "/r/" + code
	AdminKeys   []string         // authorized_keys lines of the instance admins
	OpenSignup  bool             // any key may create its own programs
	IdleTimeout time.Duration    // default 30m if 0
	MaxSessions int              // default 64 if 0
	Logger      *log.Logger      // nil = discard
	Payouts     *payouts.Service // may be nil; payout send needs it
	// SSHPublicAddr is HOST:PORT that users' ssh reaches; every hint prints
	// it. Empty: the public URL's host and the port Serve listens on.
	SSHPublicAddr string
	// Limits are the per-key and per-address caps (zero fields: defaults).
	Limits Limits
	// MemoryPerScreen, when positive, raises the Go runtime's soft memory
	// limit by this many bytes for each open screen, while it is open
	// (screenmemory.go). Zero leaves the limit alone.
	MemoryPerScreen int64
}

// Server is affogato's SSH front door.
type Server struct {
	st     *store.Store
	cfg    Config
	log    *log.Logger
	ssh    *ssh.Server
	admins map[string]string // fingerprint → authorized_keys line

	sessions         atomic.Int64
	opening          atomic.Int64 // connections in their handshake (conn.go)
	lim              *limiter
	programs         programRegistry
	adminUsers       adminUsers    // adminuser.go
	handshakeTimeout time.Duration // tests shorten it

	mu   sync.Mutex
	addr net.Addr // where Serve listens, for the hints shown to users
}

// New builds the server: it loads (or creates) the host key under
// cfg.DataDir and parses the admin keys. It does not listen yet.
func New(st *store.Store, cfg Config) (*Server, error) {
	if st == nil {
		return nil, errors.New("tui: nil store")
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.DataDir == "" {
		return nil, errors.New("tui: no data dir for the host key")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	logger := cfg.Logger
	if logger == nil {
		logger = log.New(io.Discard)
	}
	admins, err := parseAdminKeys(cfg.AdminKeys)
	if err != nil {
		return nil, err
	}
	signer, err := loadHostKey(filepath.Join(cfg.DataDir, HostKeyFile))
	if err != nil {
		return nil, err
	}
	cfg.Limits = cfg.Limits.withDefaults(cfg.MaxSessions)
	s := &Server{st: st, cfg: cfg, log: logger, admins: admins, handshakeTimeout: handshakeTimeout,
		lim: newLimiter(cfg.Limits)}
	// The store refuses to attach an admin key to anyone else's account.
	adminFPs := make([]string, 0, len(admins))
	for fp := range admins {
		adminFPs = append(adminFPs, fp)
	}
	st.SetAdminKeys(adminFPs)
	s.programs.init()
	s.programs.counted = newScreenMemory(cfg.MemoryPerScreen).set

	srv, err := wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithVersion("affogato"),
		func(srv *ssh.Server) error { srv.AddHostKey(signer); return nil },
		// Keys are the only login. The handler accepts every plain key (an
		// unknown key may sign up) and records nothing: who the user is
		// comes from s.PublicKey() once the key is proven.
		wish.WithPublicKeyAuth(acceptPublicKey),
		// Backstop for connections with no traffic at all (every frame
		// written resets it); screens end after cfg.IdleTimeout without a
		// key press themselves (watchIdle).
		wish.WithIdleTimeout(2*cfg.IdleTimeout),
		func(srv *ssh.Server) error {
			srv.PasswordHandler = nil
			srv.KeyboardInteractiveHandler = nil
			srv.ConnCallback = s.connCallback
			srv.ConnectionFailedCallback = func(conn net.Conn, err error) {
				s.log.Debug("ssh connection failed", "remote", conn.RemoteAddr().String(), "err", err)
			}
			// No subsystems (sftp) and no scp: commands are the only way in.
			srv.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			return nil
		},
		wish.WithMiddleware(
			// wish runs the last one listed first: recover wraps everything.
			recover.MiddlewareWithLogger(recoverLogger{s.log},
				s.appHandler(),   // commands or the Bubble Tea screen
				s.limitSession(), // per-key / per-address caps, command lifetime
				s.identify(),     // key → user, from the proven key only
				s.releaseConn(),  // handshake done: lift the deadline
				s.sessionLimit(), // concurrent session cap
				s.logging(),      // connect / disconnect lines
			),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.ssh = srv
	return s, nil
}

// acceptPublicKey lets every plain public key try to authenticate; ssh
// certificates are refused (identity is the key's own fingerprint).
func acceptPublicKey(_ ssh.Context, key ssh.PublicKey) bool {
	_, isCert := key.(*gossh.Certificate)
	return !isCert
}

// ListenAndServe listens on cfg.Addr and serves until Shutdown, then
// returns ssh.ErrServerClosed.
func (s *Server) ListenAndServe() error {
	addr := s.cfg.Addr
	if addr == "" {
		addr = ":22"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen ssh %s: %w", addr, err)
	}
	return s.Serve(l)
}

// Serve serves SSH on l until Shutdown, then returns ssh.ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.addr = l.Addr()
	s.mu.Unlock()
	s.log.Info("ssh listening", "addr", l.Addr().String())
	return s.ssh.Serve(quickAckListener{l}) // quickack_linux.go
}

// Shutdown tells every running screen goodbye, stops accepting connections
// and waits for open ones to end. When ctx ends first, remaining
// connections are closed and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.programs.goodbye("affogato is shutting down. Bye!")
	err := s.ssh.Shutdown(ctx)
	if ctx.Err() != nil {
		_ = s.ssh.Close()
	}
	return err
}

// connCallback gives every new connection a hard deadline until it opens
// its first session.
func (s *Server) connCallback(ctx ssh.Context, c net.Conn) net.Conn {
	if c = s.limitConnection(ctx, c); c == nil {
		return nil
	}
	dc := newDeadlineConn(c, s.handshakeTimeout, &s.opening)
	ctx.SetValue(ctxKeyDeadlineConn, dc)
	return dc
}

// sshHintAs is how users reach this server: "ssh -p PORT HOST", or with a
// username "ssh -p PORT USER@HOST" (store.SSHCommand): at SSHPublicAddr,
// else at the public URL's host name on the port the server listens on.
func (s *Server) sshHintAs(user string) string {
	if _, _, err := net.SplitHostPort(s.cfg.SSHPublicAddr); err == nil {
		return store.SSHCommand(s.cfg.SSHPublicAddr, user)
	}
	host := "localhost"
	if u, err := url.Parse(s.cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	port := ""
	s.mu.Lock()
	if s.addr != nil {
		if _, p, err := net.SplitHostPort(s.addr.String()); err == nil {
			port = p
		}
	}
	s.mu.Unlock()
	if port == "" {
		if _, p, err := net.SplitHostPort(s.cfg.Addr); err == nil {
			port = p
		}
	}
	if _, err := strconv.Atoi(port); err != nil {
		port = "22"
	}
	return store.SSHCommand(net.JoinHostPort(host, port), user)
}

// link is a partner's referral link for a code.
func (s *Server) link(code string) string {
	return s.cfg.PublicURL + "/r/" + code
}

// parseAdminKeys reads authorized_keys lines into fingerprint → line.
func parseAdminKeys(lines []string) (map[string]string, error) {
	admins := map[string]string{}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("admin key %q: %w", sanitize.Shorten(line, 40), err)
		}
		admins[gossh.FingerprintSHA256(key)] = identity.AuthorizedLine(key)
	}
	return admins, nil
}

// recoverLogger adapts charmbracelet/log to the recover middleware.
type recoverLogger struct{ l *log.Logger }

func (r recoverLogger) Printf(format string, v ...any) {
	r.l.Error(fmt.Sprintf(format, v...))
}

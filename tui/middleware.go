package tui

import (
	"fmt"
	"strconv"
	"time"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"

	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

type ctxKey struct{ name string }

var (
	ctxKeyDeadlineConn = &ctxKey{"deadline-conn"}
	ctxKeyIdentity     = &ctxKey{"identity"}
)

// logging logs each session's start and end. Only the command's first words
// are logged: arguments can hold secrets (program set … stripe-secret …).
func (s *Server) logging() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			start := time.Now()
			_, _, pty := sess.Pty()
			remote := sess.RemoteAddr().String()
			// One message each (sessionlog.go): what the logger's own
			// key-value pairs printed, at a fraction of the CPU.
			s.log.Info(logLine("ssh session",
				"remote", remote,
				"user", sanitize.Line(sanitize.Shorten(sess.User(), 40)),
				"key", fingerprintOf(sess),
				"command", cli.LineName(sess.RawCommand()),
				"pty", strconv.FormatBool(pty)))
			next(sess)
			s.log.Info(logLine("ssh session end",
				"remote", remote,
				"duration", time.Since(start).Round(time.Millisecond).String()))
		}
	}
}

// sessionLimit refuses sessions beyond cfg.MaxSessions running at once.
func (s *Server) sessionLimit() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			n := s.sessions.Add(1)
			defer s.sessions.Add(-1)
			if n > int64(s.cfg.MaxSessions) {
				s.log.Warn("ssh session refused: too many sessions", "remote", sess.RemoteAddr().String(), "max", s.cfg.MaxSessions)
				fmt.Fprint(sess.Stderr(), "too many sessions, try again in a moment\n")
				_ = sess.Exit(1)
				return
			}
			next(sess)
		}
	}
}

// releaseConn lifts the connection's handshake deadline: a session has
// started, so key exchange and authentication are done.
func (s *Server) releaseConn() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			if dc, ok := sess.Context().Value(ctxKeyDeadlineConn).(*deadlineConn); ok {
				dc.release()
			}
			next(sess)
		}
	}
}

// appHandler runs the session's command, or the screen when there is no
// command and a terminal.
func (s *Server) appHandler() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			id, ok := sess.Context().Value(ctxKeyIdentity).(*identity.Identity)
			if !ok {
				_ = sess.Exit(1)
				return
			}
			_, _, pty := sess.Pty()
			if pty && !cli.IsCommand(sess.RawCommand()) {
				s.runScreen(sess, id)
			} else {
				s.runCommand(sess, id)
			}
			next(sess)
		}
	}
}

package tui

import (
	"errors"
	"fmt"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// identity resolves the session's user from s.PublicKey(): the key the
// client proved it holds. Never from a key merely offered, and never from
// the SSH username.
func (s *Server) identify() wish.Middleware {
	return func(next ssh.Handler) ssh.Handler {
		return func(sess ssh.Session) {
			id, err := s.resolve(sess.PublicKey())
			if err != nil {
				s.log.Error("resolve ssh identity", "err", err, "remote", sess.RemoteAddr().String())
				fmt.Fprintln(sess.Stderr(), "error: the server could not look up your key; try again later")
				_ = sess.Exit(1)
				return
			}
			sess.Context().SetValue(ctxKeyIdentity, id)
			next(sess)
		}
	}
}

// resolve maps a proven key to an identity.
func (s *Server) resolve(key ssh.PublicKey) (*identity.Identity, error) {
	if key == nil {
		// Cannot happen with only public-key auth enabled; refuse anyway.
		return nil, errors.New("session without a public key")
	}
	id := &identity.Identity{Fingerprint: gossh.FingerprintSHA256(key), KeyLine: identity.AuthorizedLine(key)}
	if _, ok := s.admins[id.Fingerprint]; ok {
		u, err := s.adminUsers.ensure(id.Fingerprint, func() (*store.User, error) {
			return s.st.EnsureUser(id.Fingerprint, id.KeyLine, "admin")
		})
		if err != nil {
			return nil, fmt.Errorf("ensure admin user %s: %w", id.Fingerprint, err)
		}
		id.User, id.Admin = u, true
		if _, _, err := s.st.RedeemTeamSeats(id.Fingerprint, id.KeyLine); err != nil {
			return nil, fmt.Errorf("team seats of %s: %w", id.Fingerprint, err)
		}
		return id, nil
	}
	// A team seat given to this key takes effect now that it is proven.
	if u, joined, err := s.st.RedeemTeamSeats(id.Fingerprint, id.KeyLine); err != nil {
		return nil, fmt.Errorf("team seats of %s: %w", id.Fingerprint, err)
	} else if u != nil {
		if len(joined) > 0 {
			s.log.Info("team seat taken", "key", id.Fingerprint, "user", u.ID, "programs", joined)
		}
		id.User = u
		return id, nil
	}
	u, err := s.st.UserByFingerprint(id.Fingerprint)
	switch {
	case err == nil:
		id.User = u
		return id, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("user by key %s: %w", id.Fingerprint, err)
	}
	if len(s.admins) == 0 {
		n, err := s.st.UserCount()
		if err != nil {
			return nil, fmt.Errorf("count users: %w", err)
		}
		id.Bootstrap = n == 0
	}
	return id, nil
}

// fingerprintOf is the session key's fingerprint, for logs.
func fingerprintOf(sess ssh.Session) string {
	if k := sess.PublicKey(); k != nil {
		return gossh.FingerprintSHA256(k)
	}
	return ""
}

// Package identity is who an SSH session is, as the SSH server resolved it
// from the public key the client proved it holds. The server (package tui)
// makes it; the commands (internal/cli) and the screens (internal/ui) only
// read it and act through Actor, so the store's permission checks are the
// only authority.
package identity

import (
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
)

// Identity is who a session is, from the public key it proved.
type Identity struct {
	Fingerprint string      // SHA256:…
	KeyLine     string      // authorized_keys form
	User        *store.User // nil: an unknown key
	Admin       bool        // instance admin (--admin-key)
	// Bootstrap is set when no admin key is configured and nobody has
	// connected yet: this key is told how to become admin.
	Bootstrap bool
}

// Known reports whether the key belongs to a user.
func (id *Identity) Known() bool { return id.User != nil }

// Actor is the identity as the store sees it.
func (id *Identity) Actor() store.Actor {
	a := store.Actor{Admin: id.Admin}
	if id.User != nil {
		a.UserID = id.User.ID
	}
	return a
}

// BootstrapMessage tells the first key on an instance without admins how
// to become one. It is never made admin silently.
func (id *Identity) BootstrapMessage() string {
	return "This affogato instance has no admin yet. To make this key the instance admin,\n" +
		"stop the server and start it again with one of:\n\n" + id.AdminKeyLines("    ") + "\n"
}

// AdminKeyLines are the exact lines that start a server with this key as
// the instance admin: through make run, and running the binary; each line
// starts with indent.
func (id *Identity) AdminKeyLines(indent string) string {
	q := "'" + strings.ReplaceAll(id.KeyLine, "'", `'\''`) + "'"
	return indent + "AFFOGATO_ADMIN_KEY=" + q + " make run\n" +
		indent + "./bin/affogato --admin-key " + q + "\n"
}

// AuthorizedLine is a key's authorized_keys form without comment.
func AuthorizedLine(key gossh.PublicKey) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))
}

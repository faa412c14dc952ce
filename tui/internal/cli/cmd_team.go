package cli

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// teamMemberJSON is one row of team list.
type teamMemberJSON struct {
	UserID uint64 `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
}

func (e *cmdEnv) teamCmd() *cobra.Command {
	c := &cobra.Command{Use: "team", Short: "a program's merchant team (its admins)"}
	add := &cobra.Command{
		Use:   "add SLUG PUBKEY|USER",
		Short: "make a user an admin of the program (USER: user id or email; PUBKEY: their key)",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr(c, "missing argument "+[]string{"SLUG", "PUBKEY|USER"}[len(args)])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			u, err := e.teamUser(c, slug, args[1:])
			if err != nil {
				return err
			}
			if err := e.srv.Store.AddTeamMember(e.id.Actor(), slug, u.ID); err != nil {
				return about(err, "team of %q", slug)
			}
			if e.json {
				return e.printJSON(teamMemberJSON{UserID: u.ID, Name: u.Name, Email: u.Email})
			}
			e.printf("%s (user %d) now administers %s.\n", sanitize.Line(nameOr(u.Name, u.Email)), u.ID, sanitize.Line(slug))
			return nil
		},
	}
	list := &cobra.Command{
		Use:   "list SLUG",
		Short: "list the program's admins",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			us, err := e.srv.Store.TeamMembers(e.id.Actor(), args[0])
			if err != nil {
				return about(err, "program %q", args[0])
			}
			if e.json {
				out := make([]teamMemberJSON, 0, len(us))
				for _, u := range us {
					out = append(out, teamMemberJSON{UserID: u.ID, Name: u.Name, Email: u.Email})
				}
				return e.printJSON(out)
			}
			rows := make([][]string, 0, len(us))
			for _, u := range us {
				rows = append(rows, []string{strconv.FormatUint(u.ID, 10), u.Name, u.Email})
			}
			e.table([]string{"USER", "NAME", "EMAIL"}, rows)
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove SLUG USER",
		Short: "remove an admin from the program (never the last; USER: user id or email)",
		Args:  nargs("SLUG", "USER"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, ref := args[0], args[1]
			us, err := e.srv.Store.TeamMembers(e.id.Actor(), slug)
			if err != nil {
				return about(err, "program %q", slug)
			}
			var found *store.User
			for i := range us {
				if strconv.FormatUint(us[i].ID, 10) == ref || (us[i].Email != "" && strings.EqualFold(us[i].Email, ref)) {
					found = &us[i]
					break
				}
			}
			if found == nil {
				return userErrf("%q is not in the team of %q (team list %s shows it)", sanitize.Shorten(sanitize.Line(ref), 60), sanitize.Line(slug), sanitize.Line(slug))
			}
			if err := e.srv.Store.RemoveTeamMember(e.id.Actor(), slug, found.ID); err != nil {
				return about(err, "team of %q", slug)
			}
			if e.json {
				return e.printJSON(teamMemberJSON{UserID: found.ID, Name: found.Name, Email: found.Email})
			}
			e.printf("%s (user %d) no longer administers %s.\n", sanitize.Line(nameOr(found.Name, found.Email)), found.ID, sanitize.Line(slug))
			return nil
		},
	}
	c.AddCommand(add, list, remove)
	return c
}

// teamUser finds the user team add names: a public key (the user must have
// connected or joined with it), a user id, or the email of one of the
// program's partners.
func (e *cmdEnv) teamUser(c *cobra.Command, slug string, args []string) (*store.User, error) {
	// Check the actor administers the program before looking anyone up, so
	// the command cannot be used to probe for users.
	if err := e.srv.Store.CanAdmin(e.id.Actor(), slug); err != nil {
		return nil, about(err, "program %q", slug)
	}
	if len(args) > 1 || strings.HasPrefix(args[0], "ssh-") || strings.HasPrefix(args[0], "ecdsa-") || strings.HasPrefix(args[0], "sk-") {
		key, line, err := parsePubKey(c, args)
		if err != nil {
			return nil, err
		}
		fp := gossh.FingerprintSHA256(key)
		u, err := e.srv.Store.UserByFingerprint(fp)
		if errors.Is(err, store.ErrNotFound) {
			// Nobody has connected with this key yet: the merchant vouches
			// for it, so it becomes a user (named after the key's comment)
			// who can set their profile when they first connect.
			u, err = e.srv.Store.CreateUser(keyComment(args, "team member"), "", fp, line)
		}
		if err != nil {
			return nil, about(err, "user with key %s", fp)
		}
		return u, nil
	}
	ref := args[0]
	if id, err := strconv.ParseUint(ref, 10, 64); err == nil {
		u, err := e.srv.Store.UserByID(id)
		if err != nil {
			return nil, about(err, "user %d", id)
		}
		return u, nil
	}
	if strings.Contains(ref, "@") {
		u, err := e.srv.Store.UserByEmail(ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil, userErrf("no user has the email %q; give their public key or user id (whoami shows it)", sanitize.Shorten(sanitize.Line(ref), 60))
		}
		if err != nil {
			return nil, about(err, "user %q", ref)
		}
		return u, nil
	}
	return nil, usageErr(c, "give a public key (ssh-ed25519 AAAA…), a user id, or an email")
}

// keyComment is the comment of an authorized_keys line given as arguments.
func keyComment(args []string, def string) string {
	_, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(args, " ")))
	if err != nil || strings.TrimSpace(comment) == "" {
		return def
	}
	return sanitize.Shorten(sanitize.Line(strings.TrimSpace(comment)), 60)
}

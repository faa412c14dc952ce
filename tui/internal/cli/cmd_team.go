package cli

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// teamMemberJSON is one row of team list: a member, or a seat waiting for
// its key to connect (pending, with the key's fingerprint).
type teamMemberJSON struct {
	UserID      uint64 `json:"user_id,omitempty"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Pending     bool   `json:"pending,omitempty"`
}

// The team is never built by looking anyone up instance-wide: a seat is
// given to a public key and takes effect when that key connects, or an
// invitation is redeemed by the invitee (SPEC 7).
func (e *cmdEnv) teamCmd() *cobra.Command {
	c := &cobra.Command{Use: "team", Short: "a program's merchant team (its admins)"}
	add := &cobra.Command{
		Use:   "add SLUG PUBKEY",
		Short: "give a seat on the team to a public key; it takes effect when that key connects",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErr(c, "missing argument "+[]string{"SLUG", "PUBKEY"}[len(args)]+
					" (their public key: ssh-ed25519 AAAA…; or use team invite SLUG)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			if err := e.srv.Store.CanAdmin(e.id.Actor(), slug); err != nil {
				return about(err, "program %q", slug)
			}
			key, line, err := parsePubKey(c, args[1:])
			if err != nil {
				return err
			}
			fp := gossh.FingerprintSHA256(key)
			seat, err := e.srv.Store.AddTeamSeat(e.id.Actor(), slug, fp, line, keyComment(args[1:], ""))
			if err != nil {
				return about(err, "team of %q", slug)
			}
			if e.json {
				return e.printJSON(teamMemberJSON{Name: seat.Label, Fingerprint: fp, Pending: true})
			}
			e.printf("Key %s has a seat on the team of %s.\n", fp, sanitize.Line(slug))
			e.printf("It takes effect when that key connects:\n    %s\n", e.srv.sshHint())
			return nil
		},
	}
	invite := &cobra.Command{
		Use:   "invite SLUG",
		Short: "make a one-use invitation to the team (valid 7 days)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			tok, inv, err := e.srv.Store.CreateTeamInvite(e.id.Actor(), slug)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				return e.printJSON(map[string]string{"program": slug, "token": tok,
					"expires": inv.Expires.Format(time.RFC3339)})
			}
			e.printf("Team invitation (one use, until %s): %s\n", inv.Expires.Format("2006-01-02 15:04 MST"), tok)
			e.printf("Send this to the new team member, to run with their own key:\n    %s team join %s\n", e.srv.sshHint(), tok)
			return nil
		},
	}
	var joinName string
	join := public(&cobra.Command{
		Use:   "join TOKEN",
		Short: "join a program's merchant team with an invitation from team invite",
		Args:  nargs("TOKEN"),
		RunE: func(c *cobra.Command, args []string) error {
			u, slug, err := e.srv.Store.JoinTeam(args[0], e.id.Fingerprint, e.id.KeyLine, joinName)
			if err != nil {
				return about(err, "team invitation")
			}
			if e.json {
				return e.printJSON(map[string]any{"program": slug, "user_id": u.ID})
			}
			e.printf("You are now on the team of %s.\n", sanitize.Line(slug))
			return nil
		},
	})
	join.Flags().StringVar(&joinName, "name", "", "your name, for a key new here")
	var tpf pageFlags
	list := &cobra.Command{
		Use:   "list SLUG [--after N]",
		Short: "list the program's admins and the seats waiting for their key (at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			// Members first, then waiting seats; --after counts rows.
			team, next, err := e.srv.Store.TeamPage(e.id.Actor(), args[0], tpf.page())
			if err != nil {
				return about(err, "program %q", args[0])
			}
			out := make([]teamMemberJSON, 0, len(team))
			for _, r := range team {
				if r.User != nil {
					out = append(out, teamMemberJSON{UserID: r.User.ID, Name: r.User.Name, Email: r.User.Email})
				} else {
					out = append(out, teamMemberJSON{Name: r.Seat.Label, Fingerprint: r.Seat.Fingerprint, Pending: true})
				}
			}
			if e.json {
				return printJSONList(e, out, next)
			}
			rows := make([][]string, 0, len(out))
			for _, m := range out {
				if m.Pending {
					rows = append(rows, []string{"-", m.Name, "", "waiting for key " + m.Fingerprint})
					continue
				}
				rows = append(rows, []string{strconv.FormatUint(m.UserID, 10), m.Name, m.Email, "member"})
			}
			e.table([]string{"USER", "NAME", "EMAIL", "STATUS"}, rows)
			e.printMore("team list "+args[0], next)
			return nil
		},
	}
	tpf.register(list, store.MaxPage)
	remove := &cobra.Command{
		Use:   "remove SLUG USER|FINGERPRINT",
		Short: "remove an admin (never the last; USER: id or email as team list shows) or a waiting seat",
		Args:  nargs("SLUG", "USER|FINGERPRINT"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, ref := args[0], args[1]
			us, err := e.srv.Store.TeamMembers(e.id.Actor(), slug)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if strings.HasPrefix(ref, "SHA256:") {
				if err := e.srv.Store.RemoveTeamSeat(e.id.Actor(), slug, ref); err != nil {
					return about(err, "team of %q", slug)
				}
				if e.json {
					return e.printJSON(teamMemberJSON{Fingerprint: ref, Pending: true})
				}
				e.printf("The seat for key %s is withdrawn.\n", sanitize.Line(ref))
				return nil
			}
			var found *store.User
			for i := range us {
				if strconv.FormatUint(us[i].ID, 10) == ref || (us[i].Email != "" && strings.EqualFold(us[i].Email, ref)) {
					found = &us[i]
					break
				}
			}
			if found == nil {
				return userErrf("%q is not in the team of %q (team list %s shows it)",
					sanitize.Shorten(sanitize.Line(ref), 60), sanitize.Line(slug), sanitize.Line(slug))
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
	c.AddCommand(add, invite, join, list, remove)
	return c
}

// keyComment is the comment of an authorized_keys line given as arguments.
func keyComment(args []string, def string) string {
	_, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(args, " ")))
	if err != nil || strings.TrimSpace(comment) == "" {
		return def
	}
	return sanitize.Shorten(sanitize.Line(strings.TrimSpace(comment)), 60)
}

// isConflict reports a store conflict.
func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// whoamiJSON is whoami output.
type whoamiJSON struct {
	Known       bool             `json:"known"`
	Fingerprint string           `json:"fingerprint"`
	UserID      uint64           `json:"user_id,omitempty"`
	Name        string           `json:"name,omitempty"`
	Email       string           `json:"email,omitempty"`
	Admin       bool             `json:"admin"`
	Payout      *payoutMethodOut `json:"payout,omitempty"`
	Programs    []string         `json:"programs"`
	Memberships []partnerJSON    `json:"memberships"`
}

type payoutMethodOut struct {
	Kind     string `json:"kind"`
	Email    string `json:"email"`
	Currency string `json:"currency,omitempty"`
}

func (e *cmdEnv) whoamiCmd() *cobra.Command {
	return public(&cobra.Command{
		Use:   "whoami",
		Short: "who this key is",
		Args:  nargs(),
		RunE: func(c *cobra.Command, args []string) error {
			out := whoamiJSON{Fingerprint: e.id.Fingerprint, Programs: []string{}, Memberships: []partnerJSON{}}
			if !e.id.Known() {
				if e.json {
					return e.printJSON(out)
				}
				e.printf("This key (%s) is not known here.\n\n", e.id.Fingerprint)
				e.printf("To join a program as a partner:\n    %s join %s --name %s --email you@example.com\n",
					e.srv.sshHint(), e.exampleSlug(), sshArg("Your Name"))
				e.printf("The public programs:\n    %s program list\n", e.srv.sshHint())
				return nil
			}
			a := e.id.Actor()
			u, err := e.srv.Store.UserByID(a.UserID)
			if err != nil {
				return about(err, "your account")
			}
			progs, err := e.srv.Store.ListPrograms(a)
			if err != nil {
				return about(err, "your programs")
			}
			mems, err := e.srv.Store.Memberships(a)
			if err != nil {
				return about(err, "your memberships")
			}
			out.Known, out.UserID, out.Name, out.Email, out.Admin = true, u.ID, u.Name, u.Email, e.id.Admin
			if u.Payout != nil {
				out.Payout = &payoutMethodOut{Kind: u.Payout.Kind, Email: u.Payout.Email, Currency: u.Payout.Currency}
			}
			for _, p := range progs {
				out.Programs = append(out.Programs, p.Slug)
			}
			for i := range mems {
				out.Memberships = append(out.Memberships, e.srv.renderPartner(&mems[i]))
			}
			if e.json {
				return e.printJSON(out)
			}
			e.printf("You are %s", sanitize.Line(nameOr(u.Name, "(no name)")))
			if u.Email != "" {
				e.printf(" <%s>", sanitize.Line(u.Email))
			}
			e.printf(", user %d.\nKey: %s\n", u.ID, e.id.Fingerprint)
			if e.id.Admin {
				e.printf("You are an instance admin.\n")
			}
			if u.Payout != nil {
				e.printf("Payout method: %s %s %s\n", u.Payout.Kind, sanitize.Line(u.Payout.Email), u.Payout.Currency)
			} else {
				e.printf("Payout method: none. Set one (PayPal, or Wise with --currency EUR):\n    %s profile set paypal %s\n", e.srv.sshHint(), sshArg(payoutEmailHint(u)))
			}
			if len(progs) > 0 {
				e.printf("\nPrograms you administer:\n")
				rows := make([][]string, 0, len(progs))
				for _, p := range progs {
					rows = append(rows, []string{p.Slug, p.Name, store.PlanText(p.Plan, p.Currency), p.Currency})
				}
				e.table([]string{"SLUG", "NAME", "COMMISSION", "CURRENCY"}, rows)
			}
			if len(mems) > 0 {
				e.printf("\nPrograms you partner in:\n")
				rows := make([][]string, 0, len(mems))
				for _, m := range mems {
					rows = append(rows, []string{m.Program, strconv.FormatUint(m.ID, 10), m.Status, e.srv.link(m.Code)})
				}
				e.table([]string{"PROGRAM", "PARTNER ID", "STATUS", "LINK"}, rows)
			}
			return nil
		},
	})
}

func nameOr(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func (e *cmdEnv) profileCmd() *cobra.Command {
	c := &cobra.Command{Use: "profile", Short: "your name, email and payout method"}
	var currency string
	set := &cobra.Command{
		Use:   "set name|email|paypal|wise|notifications VALUE [--currency EUR]",
		Short: "set your name, email, payout method (paypal EMAIL, wise EMAIL --currency EUR) or email notifications (on|off)",
		Args:  nargs("FIELD", "VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			field := strings.ToLower(args[0])
			switch field {
			case "name", "email", "paypal", "wise", "notifications":
			default:
				return usageErr(c, fmt.Sprintf("unknown field %q: use name, email, paypal, wise or notifications", sanitize.Shorten(sanitize.Line(args[0]), 20)))
			}
			if field == "wise" && currency == "" {
				return usageErr(c, "wise needs --currency (the currency you are paid in, e.g. EUR)")
			}
			if field != "wise" && currency != "" {
				return usageErr(c, "--currency only goes with wise")
			}
			var before *store.User
			if e.id.Known() {
				before, _ = e.srv.Store.UserByID(e.id.Actor().UserID)
			}
			u, err := e.srv.Store.SetProfile(e.id.Actor(), field, args[1], strings.ToUpper(currency))
			if err != nil {
				return about(err, "your %s", field)
			}
			if e.json {
				out := whoamiJSON{Known: true, Fingerprint: e.id.Fingerprint, UserID: u.ID, Name: u.Name, Email: u.Email, Admin: e.id.Admin}
				if u.Payout != nil {
					out.Payout = &payoutMethodOut{Kind: u.Payout.Kind, Email: u.Payout.Email, Currency: u.Payout.Currency}
				}
				return e.printJSON(out)
			}
			if field == "notifications" {
				e.printf("Email notifications are %s.\n", onOff(!u.NoMail))
				return nil
			}
			e.printf("Your %s is set.\n", field)
			if (field == "paypal" || field == "wise") && before != nil && before.Payout != nil && *before.Payout != *u.Payout {
				e.printf("It replaces your %s.\nPayout batches already created keep the method they were made with; new batches pay %s.\n",
					payoutMethodText(before.Payout), payoutMethodText(u.Payout))
			}
			return nil
		},
	}
	set.Flags().StringVar(&currency, "currency", "", "currency for wise payouts")
	c.AddCommand(set)
	return c
}

// keyJSON is one row of key list.
type keyJSON struct {
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	AddedAt     string `json:"added_at"`
	Current     bool   `json:"current"`
}

func (e *cmdEnv) keyCmd() *cobra.Command {
	c := &cobra.Command{Use: "key", Short: "your SSH keys"}
	add := &cobra.Command{
		Use:   "add PUBKEY",
		Short: "start adding a key to your account: prints a one-use token the new key claims within 10 minutes",
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			key, line, err := parsePubKey(c, args)
			if err != nil {
				return err
			}
			fp := gossh.FingerprintSHA256(key)
			tok, claim, err := e.srv.Store.CreateKeyClaim(e.id.Actor(), fp, line)
			if err != nil {
				if isConflict(err) {
					return userErrf("that key already belongs to an account here")
				}
				return about(err, "key %s", fp)
			}
			if e.json {
				return e.printJSON(map[string]string{"fingerprint": fp, "token": tok,
					"expires": claim.Expires.Format(time.RFC3339)})
			}
			e.printf("To add key %s, prove you hold it: within 10 minutes, connect with that key and run\n", fp)
			e.printf("    %s key claim %s\n", e.srv.sshHint(), tok)
			e.printf("(with ssh's -i option naming that key's private key file). The token works once.\n")
			return nil
		},
	}
	claim := public(&cobra.Command{
		Use:   "claim TOKEN",
		Short: "run with the new key: add it to the account that ran key add",
		Args:  nargs("TOKEN"),
		RunE: func(c *cobra.Command, args []string) error {
			if e.id.Admin {
				return userErrf("this key is an instance admin key; it is never added to another account")
			}
			u, err := e.srv.Store.ClaimKey(args[0], e.id.Fingerprint, e.id.KeyLine)
			if err != nil {
				if isConflict(err) {
					return userErrf("this key already belongs to an account here. Your keys:\n    %s key list", e.srv.sshHint())
				}
				return about(err, "key claim")
			}
			if e.json {
				return e.printJSON(map[string]any{"fingerprint": e.id.Fingerprint, "user_id": u.ID})
			}
			e.printf("Key %s now belongs to %s.\n", e.id.Fingerprint, sanitize.Line(nameOr(u.Name, u.Email)))
			return nil
		},
	})
	var kpf namePageFlags
	list := &cobra.Command{
		Use:   "list [--after FINGERPRINT]",
		Short: "list your keys (at most 1,000 a call)",
		Args:  nargs(),
		RunE: func(c *cobra.Command, args []string) error {
			ks, next, err := e.srv.Store.KeysPage(e.id.Actor(), kpf.page())
			if err != nil {
				return about(err, "your keys")
			}
			if e.json {
				out := make([]keyJSON, 0, len(ks))
				for i := range ks {
					out = append(out, e.renderKey(&ks[i]))
				}
				return printJSONListAfter(e, out, next)
			}
			rows := make([][]string, 0, len(ks))
			for _, k := range ks {
				cur := ""
				if k.Fingerprint == e.id.Fingerprint {
					cur = "(this key)"
				}
				rows = append(rows, []string{k.Fingerprint, keyType(k.PublicKey), k.AddedAt.Format("2006-01-02"), cur})
			}
			e.table([]string{"FINGERPRINT", "TYPE", "ADDED", ""}, rows)
			e.printMoreAfter("key list", next)
			return nil
		},
	}
	kpf.register(list, "fingerprint")
	remove := &cobra.Command{
		Use:   "remove FINGERPRINT",
		Short: "remove one of your keys (never the last one)",
		Args:  nargs("FINGERPRINT"),
		RunE: func(c *cobra.Command, args []string) error {
			fp := args[0]
			if !strings.HasPrefix(fp, "SHA256:") {
				fp = "SHA256:" + fp
			}
			if err := e.srv.Store.RemoveKey(e.id.Actor(), fp); err != nil {
				return about(err, "key %s", fp)
			}
			if e.json {
				return e.printJSON(map[string]string{"removed": fp})
			}
			e.printf("Key %s removed.\n", sanitize.Line(fp))
			return nil
		},
	}
	c.AddCommand(add, claim, list, remove)
	return c
}

func (e *cmdEnv) renderKey(k *store.Key) keyJSON {
	return keyJSON{Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, AddedAt: k.AddedAt.Format("2006-01-02T15:04:05Z07:00"), Current: k.Fingerprint == e.id.Fingerprint}
}

func keyType(line string) string {
	t, _, _ := strings.Cut(line, " ")
	return t
}

// parsePubKey reads an authorized_keys line given as arguments (the shell
// split it at its spaces) and returns the key and its line without comment.
func parsePubKey(c *cobra.Command, args []string) (gossh.PublicKey, string, error) {
	if len(args) == 0 {
		return nil, "", usageErr(c, "missing argument PUBKEY (a line such as: ssh-ed25519 AAAA… you@laptop)")
	}
	key, _, _, _, err := gossh.ParseAuthorizedKey([]byte(strings.Join(args, " ")))
	if err != nil {
		return nil, "", usageErr(c, "that is not a public key: give an authorized_keys line such as: ssh-ed25519 AAAA… you@laptop")
	}
	if _, isCert := key.(*gossh.Certificate); isCert {
		return nil, "", usageErr(c, "certificates are not accepted: give the plain public key")
	}
	return key, identity.AuthorizedLine(key), nil
}

func (e *cmdEnv) joinCmd() *cobra.Command {
	var name, email string
	c := &cobra.Command{
		Use:   "join SLUG [TOKEN] [--name NAME --email EMAIL]",
		Short: "become a partner of a program (new keys give --name and --email)",
		Args:  rangeArgs(1, 2, "SLUG", "TOKEN"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, token := args[0], ""
			if len(args) == 2 {
				token = args[1]
			}
			if token != "" && !strings.HasPrefix(token, "inv_") {
				return usageErr(c, fmt.Sprintf("%q is not an invitation token (they start with inv_). Over ssh, a name with spaces needs two quotes: --name \"'Your Name'\"", sanitize.Line(token)))
			}
			var p *store.Partner
			var err error
			if !e.id.Known() {
				if strings.TrimSpace(name) == "" || strings.TrimSpace(email) == "" {
					return usageErr(c, "your key is new here: give --name and --email")
				}
				// One transaction: a refused join leaves no account behind.
				var u *store.User
				u, p, err = e.srv.Store.SignUp(name, email, e.id.Fingerprint, e.id.KeyLine, slug, token)
				if err == nil {
					e.id.User = u
				}
			} else {
				p, err = e.srv.Store.Join(e.id.Actor(), slug, token)
			}
			if err != nil {
				if errors.Is(err, store.ErrConflict) {
					return userErrf("you are already a partner of %q. Your status and link:\n    %s whoami", sanitize.Line(slug), e.srv.sshHint())
				}
				if isNotFound(err) && e.programMissing(slug) {
					return e.noSuchProgram(c, slug)
				}
				return about(err, "program %q", slug)
			}
			if e.json {
				return e.printJSON(joinJSON{Program: p.Program, PartnerID: p.ID, Status: p.Status, Code: p.Code, Link: e.srv.link(p.Code), UserID: p.UserID})
			}
			e.printf("You joined %s as partner %d; status: %s.\n", sanitize.Line(p.Program), p.ID, p.Status)
			e.printf("Your referral link: %s\n", e.srv.link(p.Code))
			if p.Status == store.PartnerPending {
				e.printf("The merchant reviews new partners; clicks earn once you are approved.\n")
			}
			e.printf("Set how you are paid (PayPal, or Wise with --currency EUR):\n    %s profile set paypal %s\n",
				e.srv.sshHint(), sshArg(payoutEmailHint(e.id.User)))
			return nil
		},
	}
	c.Flags().StringVar(&name, "name", "", "your name (new keys)")
	c.Flags().StringVar(&email, "email", "", "your email (new keys)")
	return public(c)
}

func (e *cmdEnv) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup",
		Short: "write a consistent database snapshot to stdout (instance admins)",
		Args:  nargs(),
		RunE: func(c *cobra.Command, args []string) error {
			if !e.id.Admin {
				return userErrf("not allowed: only instance admins take backups")
			}
			if _, _, pty := e.sess.Pty(); pty {
				return userErrf("backup writes binary data: run it without a terminal (ssh -T … backup > affogato.db)")
			}
			n, err := e.srv.Store.Backup(e.out)
			if err != nil {
				return fmt.Errorf("backup after %d bytes: %w", n, err)
			}
			e.srv.Log.Info("backup taken", "bytes", n, "key", e.id.Fingerprint)
			return nil
		},
	}
}

// payoutMethodText is a payout method in words: "PayPal pat@example.com",
// "Wise pat@example.com (EUR)".
func payoutMethodText(m *store.PayoutMethod) string {
	switch m.Kind {
	case "wise":
		return "Wise " + sanitize.Line(m.Email) + " (" + m.Currency + ")"
	case "paypal":
		return "PayPal " + sanitize.Line(m.Email)
	}
	return sanitize.Line(m.Kind + " " + m.Email)
}

// payoutEmailHint is the email a payout hint shows: the user's own, or an
// example.
func payoutEmailHint(u *store.User) string {
	if u != nil && u.Email != "" {
		return u.Email
	}
	return "you@example.com"
}

// programMissing says whether no program has this slug at all (as opposed
// to one the caller may not see).
func (e *cmdEnv) programMissing(slug string) bool {
	_, err := e.srv.Store.Program(slug)
	return isNotFound(err)
}

// exampleSlug is a slug for a hint: the only public program, or SLUG.
func (e *cmdEnv) exampleSlug() string {
	if ps, err := e.srv.Store.ListedPrograms(); err == nil && len(ps) == 1 {
		return ps[0].Slug
	}
	return "SLUG"
}

package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// Roles, from least to most: what a caller may run grows with each.
const (
	roleUnknown  = iota // a key that is no user: the public commands only
	rolePartner         // a user who administers no program
	roleMerchant        // administers at least one program (or may create one: --open-signup)
	roleAdmin           // instance admin
)

// commandRoles is the least role that may run each command (by its path
// without the root); commands not listed are for every user. Help shows a
// caller only the commands of their role.
var commandRoles = map[string]int{
	"program create": roleAdmin, "program set": roleMerchant, "program apikey": roleMerchant,
	"partner": roleMerchant, "invite": roleMerchant, "coupon": roleMerchant,
	"team add": roleMerchant, "team invite": roleMerchant, "team list": roleMerchant, "team remove": roleMerchant,
	"conversion attribute": roleMerchant,
	"commission approve":   roleMerchant, "commission reject": roleMerchant,
	"payout create": roleMerchant, "payout export": roleMerchant, "payout send": roleMerchant,
	"payout refresh": roleMerchant, "payout reconcile": roleMerchant, "payout mark-paid": roleMerchant,
	"asset add": roleMerchant, "asset remove": roleMerchant,
	"webhook": roleMerchant,
	"backup":  roleAdmin,
}

// role is the caller's role.
func (e *cmdEnv) role() int {
	switch {
	case e.id.Admin:
		return roleAdmin
	case !e.id.Known():
		return roleUnknown
	case e.srv.OpenSignup:
		return roleMerchant
	}
	if ps, err := e.srv.Store.ListPrograms(e.id.Actor()); err == nil && len(ps) > 0 {
		return roleMerchant
	}
	return rolePartner
}

// commandPath is c's path without the root's name: "payout send".
func commandPath(c *cobra.Command) string {
	var names []string
	for ; c != nil && c.HasParent(); c = c.Parent() {
		names = append([]string{c.Name()}, names...)
	}
	return strings.Join(names, " ")
}

// leastRole is the least role that may run c (a parent: the least of its
// children).
func leastRole(c *cobra.Command) int {
	path := commandPath(c)
	if r, ok := commandRoles[path]; ok {
		return r
	}
	return roleUnknown + 1 // any user
}

// hideByRole hides from help every command the caller's role may not run
// (they stay runnable: the store refuses them with its own message), and
// parents whose children are all hidden.
func hideByRole(root *cobra.Command, role int, openSignup bool) {
	var walk func(c *cobra.Command) bool // reports whether c stays visible
	walk = func(c *cobra.Command) bool {
		if c.Name() == "help" {
			return true
		}
		need := leastRole(c)
		if c.Annotations[annotationPublic] != "" {
			need = roleUnknown
		}
		if commandPath(c) == "program create" && openSignup {
			need = roleUnknown
		}
		visible := role >= need
		if c.HasSubCommands() {
			any := false
			for _, sub := range c.Commands() {
				if walk(sub) {
					any = true
				}
			}
			visible = visible && any
		}
		if !visible {
			c.Hidden = true
		}
		return visible
	}
	for _, c := range root.Commands() {
		walk(c)
	}
}

// unknownKeyError is what a key that is no user is told when it runs a
// command that needs one: for a merchant's command, how to become an admin
// or a team member; otherwise how to join a program.
func (e *cmdEnv) unknownKeyError(c *cobra.Command) error {
	key := e.id.KeyLine
	name := commandPath(c)
	if leastRole(c) >= roleMerchant {
		return userErrf("this key is not known here, so it cannot run %q.\n"+
			"To run programs here, either:\n"+
			"  - have the server started with this key as an instance admin:\n%s"+
			"  - or have a program's merchant add it to their team; they run:\n    %s team add SLUG %s\n"+
			"    (or team invite SLUG, and you run the team join command they send you)\n"+
			"To join a program as a partner instead:\n    %s join %s --name %s --email you@example.com",
			sanitize.Line(name), e.id.AdminKeyLines("    "), e.srv.sshHint(), sshArg(key),
			e.srv.sshHint(), e.exampleSlug(), sshArg("Your Name"))
	}
	return userErrf("this key is not known here. Join a program first:\n"+
		"    %s join %s --name %s --email you@example.com\n"+
		"The public programs:\n    %s program list", e.srv.sshHint(), e.exampleSlug(), sshArg("Your Name"), e.srv.sshHint())
}

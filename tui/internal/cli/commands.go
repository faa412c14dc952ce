package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// annotationPublic marks the commands an unknown key may run.
const annotationPublic = "affogato_public"

// Deps is what the commands need from the SSH server, and nothing more.
type Deps struct {
	Store      *store.Store
	Payouts    *payouts.Service // nil: payout send/refresh are unavailable
	OpenSignup bool             // any key may create its own programs
	Log        *log.Logger
	// Hint is how users reach the server: "ssh -p PORT HOST", or with a
	// username "ssh -p PORT USER@HOST".
	Hint func(user string) string
	// Link is a partner's referral link for a code.
	Link func(code string) string
	// PublicURL is the HTTP listener's public base (no trailing slash):
	// file assets are served under it.
	PublicURL string
}

func (d *Deps) sshHint() string              { return d.Hint("") }
func (d *Deps) sshHintAs(user string) string { return d.Hint(user) }
func (d *Deps) link(code string) string      { return d.Link(code) }

// cmdEnv is one command session: who asks, where output goes.
type cmdEnv struct {
	srv  *Deps
	sess ssh.Session
	id   *identity.Identity
	out  io.Writer
	errw io.Writer
	json bool
	args []string // the command line's words (SplitCommand)
}

// Run runs the session's command line through a cobra root built for this
// session alone, and exits 1 with a message on stderr on error.
func Run(sess ssh.Session, d *Deps, id *identity.Identity) {
	args, splitErr := SplitCommand(sess.RawCommand())
	e := &cmdEnv{srv: d, sess: sess, id: id, out: sess, errw: sess.Stderr(), args: args}
	defer func() {
		if r := recover(); r != nil {
			d.Log.Error("panic in ssh command", "panic", r, "command", CommandName(args), "stack", string(debug.Stack()))
			fmt.Fprintln(e.errw, "error: internal error (logged on the server)")
			_ = sess.Exit(1)
		}
	}()
	if id.Bootstrap {
		fmt.Fprint(e.errw, id.BootstrapMessage())
	}
	if splitErr != nil {
		fmt.Fprintf(e.errw, "error: %v; quote each value as your shell would, e.g. --name \"'Acme Inc'\"\n", splitErr)
		_ = sess.Exit(1)
		return
	}
	if len(args) == 0 {
		args = []string{"help"}
		e.noteUnknownProgram(sess.User())
	}
	root := e.root()
	if args[0] == "" {
		// A quoted empty word ('') names no command; cobra would skip it
		// and run what follows, or show the help.
		fmt.Fprintln(e.errw, "error: "+e.explain(fmt.Errorf("unknown command %q for %q", "", root.CommandPath())))
		_ = sess.Exit(1)
		return
	}
	root.Annotations[annotationWords] = strings.Join(args, "\x00")
	hideByRole(root, e.role(), d.OpenSignup)
	root.SetArgs(args)
	root.SetOut(e.out)
	root.SetErr(e.errw)
	root.SetIn(sess)
	markRunErrors(root)
	if err := root.ExecuteContext(sess.Context()); err != nil {
		fmt.Fprintln(e.errw, "error: "+e.explain(err))
		_ = sess.Exit(1)
		return
	}
	_ = sess.Exit(0)
}

// CommandName is the command without its arguments, for logs: up to two
// words that look like command names (arguments can hold secrets).
func CommandName(args []string) string {
	var words []string
	for _, a := range args {
		if len(words) == 2 || strings.HasPrefix(a, "-") || !isWord(a) {
			break
		}
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

func isWord(a string) bool {
	if a == "" || len(a) > 20 {
		return false
	}
	for _, r := range a {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// root builds the command tree for one session.
func (e *cmdEnv) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "affogato",
		Short: "affogato: your affiliate program over SSH",
		Long: "affogato runs affiliate (partner) programs.\n\n" +
			"Run one command:          " + e.srv.sshHint() + " COMMAND [ARGS] [--json]\n" +
			"Open the dashboard:       " + e.srv.sshHint() + "\n" +
			"A program's signup page:  " + e.srv.sshHintAs("SLUG"),
		SilenceErrors: true,
		SilenceUsage:  true,
		Annotations: map[string]string{
			cobra.CommandDisplayNameAnnotation: e.srv.sshHint(),
		},
		PersistentPreRunE: e.gate,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.PersistentFlags().BoolVar(&e.json, "json", false, "print machine-readable JSON")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(c, err.Error())
	})
	root.AddCommand(
		e.whoamiCmd(),
		e.programCmd(),
		e.partnerCmd(),
		e.profileCmd(),
		e.teamCmd(),
		e.keyCmd(),
		e.inviteCmd(),
		e.couponCmd(),
		e.joinCmd(),
		e.linkCmd(),
		e.conversionCmd(),
		e.commissionCmd(),
		e.payoutCmd(),
		e.statsCmd(),
		e.assetCmd(),
		e.backupCmd(),
		e.webhookCmd(),
	)
	return root
}

// gate lets an unknown key run only the public commands.
func (e *cmdEnv) gate(c *cobra.Command, _ []string) error {
	if e.id.Known() || c.Name() == "help" || c.Annotations[annotationPublic] != "" {
		return nil
	}
	return e.unknownKeyError(c)
}

// public marks c as allowed for unknown keys.
func public(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[annotationPublic] = "yes"
	return c
}

// runError marks an error returned by a command's RunE. Errors without it
// come from cobra itself (unknown command, bad flag), which are usage
// mistakes to show as they are.
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// markRunErrors wraps every command's RunE so explain can tell a
// command's failure from cobra's own usage errors.
func markRunErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(c *cobra.Command, args []string) error {
			if err := run(c, args); err != nil {
				return &runError{err: err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markRunErrors(sub)
	}
}

// userError is an error whose message is meant for the person at the terminal.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func userErrf(format string, a ...any) error { return &userError{msg: fmt.Sprintf(format, a...)} }

// usageErr is a usage mistake, with the command's usage line.
func usageErr(c *cobra.Command, msg string) error {
	return &userError{msg: msg + "\nusage: " + c.UseLine()}
}

// nargs checks the number of positional arguments and names what is missing.
func nargs(names ...string) cobra.PositionalArgs {
	return rangeArgs(len(names), len(names), names...)
}

// rangeArgs accepts min..max arguments; names name them for the message.
func rangeArgs(min, max int, names ...string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < min {
			return usageErr(c, "missing argument "+names[len(args)])
		}
		if max >= 0 && len(args) > max {
			return usageErr(c, fmt.Sprintf("too many arguments (%q is extra)", sanitize.Shorten(sanitize.Line(args[max]), 40))+
				splitValueHint(c, args[max]))
		}
		return nil
	}
}

// storeErr is a store error with what the command was working on, for
// explain: object names the thing ("program \"shop\""), action what was done.
type storeErr struct {
	err    error
	object string
}

func (e *storeErr) Error() string { return e.object + ": " + e.err.Error() }
func (e *storeErr) Unwrap() error { return e.err }

// about wraps a store error with the object it concerns.
func about(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	return &storeErr{err: err, object: fmt.Sprintf(format, a...)}
}

// explain turns an error into one message a person understands; unexpected
// errors are logged and reported without detail.
func (e *cmdEnv) explain(err error) string {
	var ue *userError
	if errors.As(err, &ue) {
		return ue.msg
	}
	var re *runError
	if !errors.As(err, &re) {
		// cobra's own: unknown command, unknown flag, bad flag value.
		return sanitize.Line(err.Error()) + "\nThe commands:\n    " + e.srv.sshHint() + " help"
	}
	object := ""
	var se *storeErr
	if errors.As(err, &se) {
		object = se.object
	}
	switch errs.CodeOf(err) {
	case errs.EInvalid, errs.EUnauthorized:
		return sanitize.Line(errs.MessageOf(err))
	case errs.ENotFound:
		if object == "" {
			return "not found"
		}
		return sanitize.Line(object) + " not found"
	case errs.EForbidden:
		msg := "not allowed"
		if seg := lastSegment(err, store.ErrForbidden); seg != "" {
			msg += ": " + seg
		}
		if object != "" {
			msg += " (" + object + ")"
		}
		return sanitize.Line(msg)
	case errs.EConflict:
		if seg := lastSegment(err, store.ErrConflict); seg != "" {
			return sanitize.Line(seg)
		}
		return sanitize.Line(object) + ": already exists or conflicts with what is recorded"
	}
	if errors.Is(err, store.ErrStorage) {
		e.srv.Log.Error("ssh command failed", "command", CommandName(e.args), "err", err)
		return sanitize.Line(errs.MessageOf(err))
	}
	e.srv.Log.Error("ssh command failed", "command", CommandName(e.args), "err", err)
	return "internal error (logged on the server)"
}

// lastSegment is the store's own words about an error: the part of the
// message right before the sentinel ("program \"x\" already exists" out of
// "create program x: program \"x\" already exists: conflict"), or "".
func lastSegment(err, sentinel error) string {
	var se *storeErr
	if errors.As(err, &se) {
		err = se.err
	}
	msg := strings.TrimSuffix(err.Error(), sentinel.Error())
	msg = strings.TrimSuffix(msg, ": ")
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.TrimSpace(msg)
}

// ---- output ----

// printJSON writes v as indented JSON.
func (e *cmdEnv) printJSON(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := e.out.Write(terminalSafeJSON(buf.Bytes())); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// printf writes human output.
func (e *cmdEnv) printf(format string, a ...any) {
	fmt.Fprintf(e.out, format, a...)
}

// table writes aligned columns; every cell is sanitized.
func (e *cmdEnv) table(header []string, rows [][]string) {
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, sanitize.Line(c))
		}
		fmt.Fprint(tw, "\n")
	}
	line(header)
	for _, r := range rows {
		line(r)
	}
	_ = tw.Flush()
}

// pairs writes label/value lines aligned, without a header.
func (e *cmdEnv) pairs(rows [][]string) {
	tw := tabwriter.NewWriter(e.out, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\t%s\n", sanitize.Line(r[0]), sanitize.Line(r[1]))
	}
	_ = tw.Flush()
}

// money renders an amount with its currency for people: "12.50 USD".
func money(d decimal.Decimal, currency string) string {
	return store.FormatMoney(d, currency) + " " + currency
}

// parseID reads a numeric id argument.
func parseID(c *cobra.Command, what, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, usageErr(c, fmt.Sprintf("%s must be a number, not %q", what, sanitize.Shorten(sanitize.Line(s), 40)))
	}
	return n, nil
}

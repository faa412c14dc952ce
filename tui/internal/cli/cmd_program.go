package cli

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// secretKeys are the program settings never printed back.
var secretKeys = map[string]bool{
	"stripe-secret": true, "paypal-client-id": true, "paypal-secret": true,
	"wise-token": true, "wise-profile": true, "paypal-base-url": true, "wise-base-url": true,
}

func (e *cmdEnv) programCmd() *cobra.Command {
	c := &cobra.Command{Use: "program", Short: "create and configure programs (merchant)"}
	c.AddCommand(e.programCreateCmd(), e.programListCmd(), e.programShowCmd(), e.programSetCmd(), e.programAPIKeyCmd())
	return c
}

func (e *cmdEnv) programCreateCmd() *cobra.Command {
	var in store.ProgramInput
	var cookie, hold int
	c := &cobra.Command{
		Use:   "create SLUG --name NAME --url URL",
		Short: "create a program (instance admins, or anyone with --open-signup)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			in.Slug = args[0]
			if in.Name == "" {
				return usageErr(c, "missing --name")
			}
			if in.URL == "" {
				return usageErr(c, "missing --url (the program's website)")
			}
			if c.Flags().Changed("cookie-days") {
				in.CookieDays = &cookie
			}
			if c.Flags().Changed("hold-days") {
				in.HoldDays = &hold
			}
			if !e.id.Known() {
				// Only reachable with --open-signup (see gate): the key
				// becomes a user to administer its program.
				u, err := e.srv.Store.EnsureUser(e.id.Fingerprint, e.id.KeyLine, "merchant")
				if err != nil {
					return about(err, "your account")
				}
				e.id.User = u
			}
			p, apiKey, err := e.srv.Store.CreateProgram(e.id.Actor(), in, e.srv.OpenSignup)
			if err != nil {
				if errors.Is(err, store.ErrForbidden) && !e.srv.OpenSignup {
					return userErrf("not allowed: only instance admins create programs on this server")
				}
				return about(err, "program %q", in.Slug)
			}
			if e.json {
				return e.printJSON(renderProgram(p, apiKey))
			}
			e.printProgram(p)
			e.printf("\nAPI key (shown once, keep it secret): %s\n", apiKey)
			e.printf("Partners join with:\n    %s join %s --name %s --email them@example.com\n", e.srv.sshHint(), p.Slug, sshArg("Their Name"))
			e.warnBareRates("program set "+p.Slug+" commission", in.Commission, p.Currency)
			e.warnBareRates("program set "+p.Slug+" renewal-rate", in.RenewalRate, p.Currency)
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&in.Name, "name", "", "program name")
	f.StringVar(&in.URL, "url", "", "website URL (default destination)")
	f.StringVar(&in.Currency, "currency", "USD", "ISO 4217 currency")
	f.StringVar(&in.Commission, "commission", "20%", `commission plan: 20%, 25.00 or "20%; 10:25%"`)
	f.StringVar(&in.RecurringMonths, "recurring-months", "", "months of recurring commission (0 = first payment only) or forever")
	f.StringVar(&in.RenewalRate, "renewal-rate", "", "own rate for renewals, e.g. 10%")
	f.IntVar(&cookie, "cookie-days", 30, "cookie lifetime in days")
	f.IntVar(&hold, "hold-days", 30, "hold period in days")
	f.StringVar(&in.MinPayout, "min-payout", "", "minimum payout (default 50.00)")
	f.BoolVar(&in.AutoApprove, "auto-approve", false, "approve new partners automatically")
	f.BoolVar(&in.Listed, "listed", false, "show the program in the public list")
	if e.srv.OpenSignup {
		public(c)
	}
	return c
}

func (e *cmdEnv) programListCmd() *cobra.Command {
	var listed bool
	var pf namePageFlags
	c := &cobra.Command{
		Use:   "list [--after SLUG]",
		Short: "list the programs you administer (--listed: the public list; at most 1,000 a call)",
		Args:  nargs(),
		RunE: func(c *cobra.Command, args []string) error {
			if !e.id.Known() {
				listed = true
			}
			ps, next, err := e.srv.Store.ProgramsPage(e.id.Actor(), listed, pf.page())
			if err != nil {
				return about(err, "programs")
			}
			if e.json {
				out := make([]programJSON, 0, len(ps))
				for i := range ps {
					j := renderProgram(&ps[i], "")
					if listed {
						j = publicProgram(j)
					}
					out = append(out, j)
				}
				return printJSONListAfter(e, out, next)
			}
			if len(ps) == 0 {
				if listed {
					e.printf("No public programs.\n")
				} else {
					e.printf("You administer no programs. The public ones:\n    %s program list --listed\n", e.srv.sshHint())
				}
				return nil
			}
			rows := make([][]string, 0, len(ps))
			for _, p := range ps {
				rows = append(rows, []string{p.Slug, p.Name, p.URL, store.PlanText(p.Plan, p.Currency), p.Currency})
			}
			e.table([]string{"SLUG", "NAME", "WEBSITE", "COMMISSION", "CURRENCY"}, rows)
			e.printMoreAfter("program list"+ifThen(listed, " --listed", ""), next)
			if listed {
				e.printf("\nJoin one:\n    %s join SLUG --name %s --email you@example.com\n", e.srv.sshHint(), sshArg("Your Name"))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&listed, "listed", false, "list the public programs anyone can join")
	pf.register(c, "slug")
	return public(c)
}

// publicProgram drops what only a program's admins see.
func publicProgram(j programJSON) programJSON {
	j.APIKeyHint, j.Secrets, j.Admins, j.PaidAds = "", nil, nil, ""
	return j
}

func (e *cmdEnv) programShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show SLUG",
		Short: "show a program's settings (partners: its terms)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			p, admin, err := e.srv.Store.ProgramFor(e.id.Actor(), args[0])
			if err != nil {
				return about(err, "program %q", args[0])
			}
			if !admin {
				if e.json {
					return e.printJSON(renderPublicProgram(p))
				}
				e.printPublicProgram(p)
				return nil
			}
			if e.json {
				return e.printJSON(renderProgram(p, ""))
			}
			e.printProgram(p)
			return nil
		},
	}
}

func (e *cmdEnv) programSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set SLUG KEY VALUE",
		Short: "change one setting",
		Long: "KEY is one of: name, url, currency, commission, recurring-months, renewal-rate,\n" +
			"cookie-days, hold-days, min-payout, auto-approve, listed, domains, attribution\n" +
			"(last-click|first-click), paid-ads (allow|forbid), accent, welcome, terms,\n" +
			"stripe-secret, paypal-client-id, paypal-secret, paypal-base-url, wise-token,\n" +
			"wise-profile, wise-base-url, payout-schedule (off|weekly|monthly: a batch every\n" +
			"Monday or every 1st at 00:00 UTC), payout-auto-send (on|off: send scheduled\n" +
			"batches through PayPal / Wise). Secrets are never printed back.",
		Args: nargs("SLUG", "KEY", "VALUE"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, key, value := args[0], strings.ToLower(args[1]), args[2]
			if err := e.checkProviderURL(c, slug, key, value); err != nil {
				return err
			}
			p, err := e.srv.Store.SetProgram(e.id.Actor(), slug, key, value)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				return e.printJSON(renderProgram(p, ""))
			}
			if secretKeys[key] {
				e.printf("%s: %s set.\n", sanitize.Line(p.Slug), key)
				return nil
			}
			e.printf("%s: %s set.\n\n", sanitize.Line(p.Slug), sanitize.Line(key))
			e.printProgram(p)
			if key == "commission" || key == "renewal-rate" {
				e.warnBareRates("program set "+p.Slug+" "+key, value, p.Currency)
			}
			return nil
		},
	}
}

func (e *cmdEnv) programAPIKeyCmd() *cobra.Command {
	var rotate bool
	c := &cobra.Command{
		Use:   "apikey SLUG --rotate",
		Short: "make a new API key for the conversion API (the old one stops working)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			if !rotate {
				p, err := e.srv.Store.AdminProgram(e.id.Actor(), slug)
				if err != nil {
					return about(err, "program %q", slug)
				}
				return userErrf("the API key of %s is only shown when made (it starts with %q).\n"+
					"To make a new one (the old one stops working), run:\n    %s program apikey %s --rotate",
					sanitize.Line(p.Slug), sanitize.Line(p.APIKeyHint), e.srv.sshHint(), p.Slug)
			}
			key, err := e.srv.Store.RotateAPIKey(e.id.Actor(), slug)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				p, err := e.srv.Store.AdminProgram(e.id.Actor(), slug)
				if err != nil {
					return about(err, "program %q", slug)
				}
				return e.printJSON(renderProgram(p, key))
			}
			e.printf("New API key for %s (shown once, keep it secret): %s\n", sanitize.Line(slug), key)
			return nil
		},
	}
	c.Flags().BoolVar(&rotate, "rotate", false, "replace the API key")
	return c
}

// printProgram prints a program's settings for people. Secrets show as set
// or not set.
func (e *cmdEnv) printProgram(p *store.Program) {
	renewal := "same as the plan"
	if p.RenewalRate != nil {
		renewal = store.RateText(*p.RenewalRate, p.Currency)
	}
	recurring := store.FormatRecurring(p.RecurringMonths)
	switch p.RecurringMonths {
	case store.Forever:
		recurring = "every payment (forever)"
	case 0:
		recurring = "first payment only"
	default:
		recurring += " months"
	}
	approval := "manual"
	if p.AutoApprove {
		approval = "automatic"
	}
	rows := [][]string{
		{"slug", p.Slug},
		{"name", p.Name},
		{"url", p.URL},
		{"domains", strings.Join(p.Domains, ", ")},
		{"currency", p.Currency},
		{"commission", store.PlanText(p.Plan, p.Currency) + " (" + p.Plan.Kind() + ")"},
		{"recurring", recurring},
		{"renewal rate", renewal},
		{"attribution", p.Attribution},
		{"cookie days", strconv.Itoa(p.CookieDays)},
		{"hold days", strconv.Itoa(p.HoldDays)},
		{"min payout", money(p.MinPayout, p.Currency)},
		{"approval", approval},
		{"listed", yesNo(p.Listed)},
		{"paid ads", paidAds(p)},
		{"accent", p.Accent},
		{"api key", p.APIKeyHint + "…"},
		{"payout schedule", scheduleWords(p)},
		{"payout auto-send", onOff(p.PayoutAutoSend)},
	}
	for _, k := range []string{"stripe_secret", "paypal_client_id", "paypal_secret", "paypal_base_url", "wise_token", "wise_profile", "wise_base_url"} {
		v := secretsSet(p.Secrets)[k]
		if v == "" {
			v = "not set"
		}
		rows = append(rows, []string{strings.ReplaceAll(k, "_", " "), v})
	}
	e.pairs(rows)
	e.printWelcomeTerms(p)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}

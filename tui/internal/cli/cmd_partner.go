package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

func (e *cmdEnv) partnerCmd() *cobra.Command {
	c := &cobra.Command{Use: "partner", Short: "review and manage a program's partners (merchant)"}
	c.AddCommand(e.partnerListCmd())
	for _, a := range []struct{ verb, status, short string }{
		{"approve", store.PartnerApproved, "approve a partner"},
		{"reject", store.PartnerRejected, "reject a partner"},
		{"suspend", store.PartnerSuspended, "suspend a partner (their link stops earning)"},
	} {
		c.AddCommand(e.partnerStatusCmd(a.verb, a.status, a.short))
	}
	c.AddCommand(e.partnerSetCmd())
	return c
}

func (e *cmdEnv) partnerListCmd() *cobra.Command {
	var status string
	var pf pageFlags
	c := &cobra.Command{
		Use:   "list SLUG [--status pending|approved|rejected|suspended] [--after ID]",
		Short: "list a program's partners (at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			switch status {
			case "", store.PartnerPending, store.PartnerApproved, store.PartnerRejected, store.PartnerSuspended:
			default:
				return usageErr(c, "--status must be pending, approved, rejected or suspended")
			}
			ps, next, err := e.srv.Store.PartnersPage(e.id.Actor(), args[0], status, pf.page())
			if err != nil {
				return about(err, "program %q", args[0])
			}
			if e.json {
				out := make([]partnerJSON, 0, len(ps))
				for i := range ps {
					out = append(out, e.srv.renderPartner(&ps[i]))
				}
				return printJSONList(e, out, next)
			}
			if len(ps) == 0 {
				e.printf("No partners%s yet.\n", ifThen(status != "", " "+status, ""))
				return nil
			}
			cur := ""
			if prog, err := e.srv.Store.AdminProgram(e.id.Actor(), args[0]); err == nil {
				cur = prog.Currency
			}
			rows := make([][]string, 0, len(ps))
			for _, p := range ps {
				plan := ""
				if p.Plan != nil {
					plan = store.PlanText(*p.Plan, cur)
				}
				rows = append(rows, []string{strconv.FormatUint(p.ID, 10), p.Name, p.Email, p.Status, p.Code, plan, p.CreatedAt.Format("2006-01-02")})
			}
			e.table([]string{"ID", "NAME", "EMAIL", "STATUS", "CODE", "OWN PLAN", "JOINED"}, rows)
			e.printMore("partner list "+args[0]+ifThen(status != "", " --status "+status, ""), next)
			return nil
		},
	}
	c.Flags().StringVar(&status, "status", "", "only partners with this status")
	pf.register(c, store.MaxPage)
	return c
}

func (e *cmdEnv) partnerStatusCmd(verb, status, short string) *cobra.Command {
	return &cobra.Command{
		Use:   verb + " SLUG PARTNER",
		Short: short + " (PARTNER: partner id or email)",
		Args:  nargs("SLUG", "PARTNER"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			p, err := e.findPartner(slug, args[1])
			if err != nil {
				return err
			}
			p, err = e.srv.Store.SetPartnerStatus(e.id.Actor(), slug, p.ID, status)
			if err != nil {
				return about(err, "partner %s in %q", args[1], slug)
			}
			if e.json {
				return e.printJSON(e.srv.renderPartner(p))
			}
			e.printf("Partner %d (%s) is now %s.\n", p.ID, sanitize.Line(p.Email), p.Status)
			return nil
		},
	}
}

func (e *cmdEnv) partnerSetCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "set SLUG PARTNER commission PLAN",
		Short: `give one partner their own commission plan ("default" goes back to the program's)`,
		Args:  nargs("SLUG", "PARTNER", "commission", "PLAN"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, key, plan := args[0], strings.ToLower(args[2]), args[3]
			if key != "commission" {
				return usageErr(c, "only the commission can be set per partner")
			}
			if strings.EqualFold(plan, "default") {
				plan = ""
			}
			p, err := e.findPartner(slug, args[1])
			if err != nil {
				return err
			}
			p, err = e.srv.Store.SetPartnerPlan(e.id.Actor(), slug, p.ID, plan)
			if err != nil {
				return about(err, "partner %s in %q", args[1], slug)
			}
			if e.json {
				return e.printJSON(e.srv.renderPartner(p))
			}
			if p.Plan == nil {
				e.printf("Partner %d (%s) earns the program's commission again.\n", p.ID, sanitize.Line(p.Email))
			} else {
				cur := ""
				if prog, err := e.srv.Store.AdminProgram(e.id.Actor(), slug); err == nil {
					cur = prog.Currency
				}
				e.printf("Partner %d (%s) now earns %s.\n", p.ID, sanitize.Line(p.Email), store.PlanText(*p.Plan, cur))
				e.warnBareRates("partner set "+slug+" "+sshArg(args[1])+" commission", plan, cur)
			}
			return nil
		},
	}
}

// findPartner resolves PARTNER (id or email) in a program the actor administers.
func (e *cmdEnv) findPartner(slug, ref string) (*store.Partner, error) {
	p, err := e.srv.Store.FindPartner(e.id.Actor(), slug, ref)
	if err != nil {
		return nil, about(err, "partner %q in program %q", ref, slug)
	}
	return p, nil
}

func ifThen(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

package cli

import (
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// defaultListLimit caps list commands unless --limit says otherwise.
const defaultListLimit = 100

func (e *cmdEnv) conversionCmd() *cobra.Command {
	c := &cobra.Command{Use: "conversion", Short: "payments reported for a program"}
	var pf pageFlags
	list := &cobra.Command{
		Use:   "list SLUG [--after ID]",
		Short: "list conversions, newest first (partners: their own; at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			rs, next, err := e.srv.Store.ConversionsPage(e.id.Actor(), slug, pf.page())
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				out := make([]store.ConversionView, 0, len(rs))
				for i := range rs {
					out = append(out, rs[i].View())
				}
				return printJSONList(e, out, next)
			}
			if len(rs) == 0 {
				e.printf("No conversions yet.\n")
				return nil
			}
			rows := make([][]string, 0, len(rs))
			warned := false
			for _, r := range rs {
				cv := r.Conversion
				partner, comm, refunded := "-", "-", "-"
				if cv.Attributed {
					partner = strconv.FormatUint(cv.PartnerID, 10)
				} else if len(cv.Warnings) > 0 {
					partner = "- (" + strings.Join(cv.Warnings, ", ") + ")"
					warned = true
				}
				if cv.Refunded.Sign() > 0 {
					refunded = money(cv.Refunded, cv.Currency)
				}
				if m := r.Commission; m != nil {
					comm = commissionText(m)
				}
				rows = append(rows, []string{strconv.FormatUint(cv.ID, 10), cv.OccurredAt.Format("2006-01-02 15:04"), cv.OrderID, cv.Kind,
					money(cv.Amount, cv.Currency), refunded, partner, comm})
			}
			e.table([]string{"ID", "DATE", "ORDER", "KIND", "AMOUNT", "REFUNDED", "PARTNER", "COMMISSION"}, rows)
			if warned && e.srv.Store.CanAdmin(e.id.Actor(), slug) == nil {
				e.printf("\nAn unattributed order goes to a partner with: conversion attribute %s ORDER PARTNER\n", slug)
			}
			e.printMore("conversion list "+slug, next)
			return nil
		},
	}
	pf.register(list, defaultListLimit)
	c.AddCommand(list, e.attributeCmd())
	return c
}

func (e *cmdEnv) commissionCmd() *cobra.Command {
	c := &cobra.Command{Use: "commission", Short: "commissions of a program"}
	var status string
	var pf pageFlags
	list := &cobra.Command{
		Use:   "list SLUG [--status S] [--after ID]",
		Short: "list commissions, newest first (partners: their own; at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			switch status {
			case "", store.CommissionPending, store.CommissionApproved, store.CommissionInPayout,
				store.CommissionPaid, store.CommissionRejected, store.CommissionReversed:
			default:
				return usageErr(c, "--status must be pending, approved, in_payout, paid, rejected or reversed")
			}
			slug := args[0]
			cs, next, err := e.srv.Store.CommissionsPage(e.id.Actor(), slug, status, pf.page())
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				out := make([]commissionJSON, 0, len(cs))
				for i := range cs {
					out = append(out, renderCommission(&cs[i]))
				}
				return printJSONList(e, out, next)
			}
			if len(cs) == 0 {
				e.printf("No commissions%s.\n", ifThen(status != "", " "+status, ""))
				return nil
			}
			rows := make([][]string, 0, len(cs))
			for _, m := range cs {
				reversed := "-"
				if m.Reversed.Sign() > 0 {
					reversed = money(m.Reversed, m.Currency)
				}
				rows = append(rows, []string{strconv.FormatUint(m.ID, 10), m.CreatedAt.Format("2006-01-02"), strconv.FormatUint(m.PartnerID, 10),
					strconv.FormatUint(m.ConversionID, 10), money(m.Amount, m.Currency), reversed, money(m.Net(), m.Currency), m.Status,
					flagsText(m.Flags), m.HoldUntil.Format("2006-01-02")})
			}
			e.table([]string{"ID", "DATE", "PARTNER", "CONVERSION", "AMOUNT", "REVERSED", "NET", "STATUS", "FLAGS", "HOLD UNTIL"}, rows)
			e.printMore("commission list "+slug+ifThen(status != "", " --status "+status, ""), next)
			return nil
		},
	}
	list.Flags().StringVar(&status, "status", "", "only commissions with this status")
	pf.register(list, defaultListLimit)

	var override bool
	approve := &cobra.Command{
		Use:   "approve SLUG ID [--override-flags]",
		Short: "approve a pending commission now (one with fraud flags only with --override-flags)",
		Args:  nargs("SLUG", "ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "ID", args[1])
			if err != nil {
				return err
			}
			m, err := e.srv.Store.ApproveCommissionWith(e.id.Actor(), args[0], id, override)
			var fe *store.FlaggedError
			if errors.As(err, &fe) {
				return userErrf("commission %d has fraud flags: %s.\nCheck the order; to approve it anyway (recorded with your name), run:\n    %s",
					id, flagsExplained(fe.Flags), e.srv.sshHint()+" commission approve "+sshArg(args[0])+" "+strconv.FormatUint(id, 10)+" --override-flags")
			}
			return e.commissionDone(m, err, args[0], id)
		},
	}
	approve.Flags().BoolVar(&override, "override-flags", false, "approve even though the commission has fraud flags (recorded)")
	var reason string
	reject := &cobra.Command{
		Use:   "reject SLUG ID [--reason TEXT]",
		Short: "reject a pending or approved commission",
		Args:  nargs("SLUG", "ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "ID", args[1])
			if err != nil {
				return err
			}
			m, err := e.srv.Store.RejectCommission(e.id.Actor(), args[0], id, reason)
			return e.commissionDone(m, err, args[0], id)
		},
	}
	reject.Flags().StringVar(&reason, "reason", "", "why (kept with the commission)")
	c.AddCommand(list, approve, reject)
	return c
}

func (e *cmdEnv) commissionDone(m *store.Commission, err error, slug string, id uint64) error {
	if err != nil {
		return about(err, "commission %d in %q", id, slug)
	}
	if e.json {
		return e.printJSON(renderCommission(m))
	}
	e.printf("Commission %d (%s) is now %s.\n", m.ID, money(m.Net(), m.Currency), m.Status)
	if m.Status == store.CommissionApproved && m.OverrodeFlags {
		e.printf("You approved it past its fraud flags (%s); the decision is recorded with your name.\n", strings.Join(m.Flags, ", "))
	}
	if m.Status == store.CommissionApproved && m.EarlyApproval {
		e.printf("Approved early: its hold period ran until %s. The next payout create pays it.\n", m.HoldUntil.UTC().Format("2006-01-02"))
	}
	return nil
}

func (e *cmdEnv) statsCmd() *cobra.Command {
	var days int
	c := &cobra.Command{
		Use:   "stats SLUG [--days 30]",
		Short: "clicks, conversions and earnings (merchant: the program; partner: your own)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			if days < 1 || days > 3660 {
				return usageErr(c, "--days must be from 1 to 3660")
			}
			st, err := e.srv.Store.Stats(e.id.Actor(), args[0], days)
			if err != nil {
				return about(err, "program %q", args[0])
			}
			if e.json {
				return e.printJSON(renderStats(st))
			}
			cur := st.Currency
			who := "program " + sanitize.Line(st.Program)
			if st.PartnerID != 0 {
				who = "your results in " + sanitize.Line(st.Program)
			}
			e.printf("Last %d days, %s:\n\n", st.Days, who)
			e.pairs(statsRows(st))
			e.printf("\nBalance (all time):\n")
			e.pairs([][]string{
				{"pending", money(st.Balance.Pending, cur)},
				{"approved", money(st.Balance.Approved, cur)},
				{"in payout", money(st.Balance.InPayout, cur)},
				{"paid", money(st.Balance.Paid, cur)},
				{"clawback", money(st.Balance.Clawback, cur)},
			})
			e.printSubs(st)
			return nil
		},
	}
	c.Flags().IntVar(&days, "days", 30, "how many days back")
	return c
}

// statsRows are the activity lines of stats: for a merchant every order
// and, apart, the referred ones (attributed to a partner), which conversion
// rate and EPC count; a partner's conversions are all referred.
func statsRows(st *store.Stats) [][]string {
	cur := st.Currency
	rate, epc := "-", "-"
	if st.Clicks > 0 {
		rate = st.ConversionRate().Shift(2).StringFixed(1) + "% (referred conversions / clicks)"
		epc = epcText(st) + " " + cur + " (commission / clicks)"
	}
	rows := [][]string{
		{"clicks", strconv.FormatInt(st.Clicks, 10)},
		{"unique clicks", strconv.FormatInt(st.UniqueClicks, 10)},
	}
	if st.PartnerID == 0 {
		rows = append(rows,
			[]string{"orders (all)", strconv.FormatInt(st.Conversions, 10)},
			[]string{"revenue (all)", money(st.Revenue, cur)},
			[]string{"referred conversions", strconv.FormatInt(st.ReferredConversions, 10) + " (attributed to a partner)"},
			[]string{"referred revenue", money(st.ReferredRevenue, cur)})
	} else {
		rows = append(rows,
			[]string{"conversions", strconv.FormatInt(st.Conversions, 10)},
			[]string{"revenue", money(st.Revenue, cur)})
	}
	return append(rows,
		[]string{"conversion rate", rate},
		[]string{"EPC", epc},
		[]string{"commission", money(st.Commission, cur)})
}

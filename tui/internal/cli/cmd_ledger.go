package cli

import (
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
	var limit int
	list := &cobra.Command{
		Use:   "list SLUG",
		Short: "list conversions, newest first (partners: their own)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			rs, err := e.srv.Store.ListConversions(e.id.Actor(), slug, limit)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				out := make([]store.ConversionView, 0, len(rs))
				for i := range rs {
					out = append(out, rs[i].View())
				}
				return e.printJSON(out)
			}
			if len(rs) == 0 {
				e.printf("No conversions yet.\n")
				return nil
			}
			rows := make([][]string, 0, len(rs))
			for _, r := range rs {
				cv := r.Conversion
				partner, comm := "-", "-"
				if cv.Attributed {
					partner = strconv.FormatUint(cv.PartnerID, 10)
				}
				if m := r.Commission; m != nil {
					comm = money(m.Amount, m.Currency) + " " + m.Status
					if len(m.Flags) > 0 {
						comm += " [" + strings.Join(m.Flags, ",") + "]"
					}
				}
				rows = append(rows, []string{strconv.FormatUint(cv.ID, 10), cv.OccurredAt.Format("2006-01-02 15:04"), cv.OrderID, cv.Kind, money(cv.Amount, cv.Currency), partner, comm})
			}
			e.table([]string{"ID", "DATE", "ORDER", "KIND", "AMOUNT", "PARTNER", "COMMISSION"}, rows)
			return nil
		},
	}
	list.Flags().IntVar(&limit, "limit", defaultListLimit, "at most this many")
	c.AddCommand(list)
	return c
}

func (e *cmdEnv) commissionCmd() *cobra.Command {
	c := &cobra.Command{Use: "commission", Short: "commissions of a program"}
	var status string
	var limit int
	list := &cobra.Command{
		Use:   "list SLUG [--status S]",
		Short: "list commissions, newest first (partners: their own)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			switch status {
			case "", store.CommissionPending, store.CommissionApproved, store.CommissionInPayout,
				store.CommissionPaid, store.CommissionRejected, store.CommissionReversed:
			default:
				return usageErr(c, "--status must be pending, approved, in_payout, paid, rejected or reversed")
			}
			slug := args[0]
			cs, err := e.srv.Store.ListCommissions(e.id.Actor(), slug, status, limit)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				out := make([]commissionJSON, 0, len(cs))
				for i := range cs {
					out = append(out, renderCommission(&cs[i]))
				}
				return e.printJSON(out)
			}
			if len(cs) == 0 {
				e.printf("No commissions%s.\n", ifThen(status != "", " "+status, ""))
				return nil
			}
			rows := make([][]string, 0, len(cs))
			for _, m := range cs {
				rows = append(rows, []string{strconv.FormatUint(m.ID, 10), m.CreatedAt.Format("2006-01-02"), strconv.FormatUint(m.PartnerID, 10),
					strconv.FormatUint(m.ConversionID, 10), money(m.Net(), m.Currency), m.Status, strings.Join(m.Flags, ","), m.HoldUntil.Format("2006-01-02")})
			}
			e.table([]string{"ID", "DATE", "PARTNER", "CONVERSION", "AMOUNT", "STATUS", "FLAGS", "HOLD UNTIL"}, rows)
			return nil
		},
	}
	list.Flags().StringVar(&status, "status", "", "only commissions with this status")
	list.Flags().IntVar(&limit, "limit", defaultListLimit, "at most this many")

	approve := &cobra.Command{
		Use:   "approve SLUG ID",
		Short: "approve a pending commission now (flagged ones too)",
		Args:  nargs("SLUG", "ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "ID", args[1])
			if err != nil {
				return err
			}
			m, err := e.srv.Store.ApproveCommission(e.id.Actor(), args[0], id)
			return e.commissionDone(m, err, args[0], id)
		},
	}
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
			rate := "-"
			if st.Clicks > 0 {
				rate = st.ConversionRate().Shift(2).StringFixed(1) + "%"
			}
			e.pairs([][]string{
				{"clicks", strconv.FormatInt(st.Clicks, 10)},
				{"unique clicks", strconv.FormatInt(st.UniqueClicks, 10)},
				{"conversions", strconv.FormatInt(st.Conversions, 10)},
				{"conversion rate", rate},
				{"revenue", money(st.Revenue, cur)},
				{"commission", money(st.Commission, cur)},
			})
			e.printf("\nBalance (all time):\n")
			e.pairs([][]string{
				{"pending", money(st.Balance.Pending, cur)},
				{"approved", money(st.Balance.Approved, cur)},
				{"in payout", money(st.Balance.InPayout, cur)},
				{"paid", money(st.Balance.Paid, cur)},
				{"clawback", money(st.Balance.Clawback, cur)},
			})
			return nil
		},
	}
	c.Flags().IntVar(&days, "days", 30, "how many days back")
	return c
}

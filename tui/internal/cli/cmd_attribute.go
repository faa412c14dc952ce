package cli

import (
	"strconv"

	"github.com/spf13/cobra"
)

// attributeCmd is `conversion attribute SLUG ORDER PARTNER`: a merchant
// attributes an order by hand (one recorded unattributed, or one whose
// commission is still pending).
func (e *cmdEnv) attributeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "attribute SLUG ORDER PARTNER",
		Short: "attribute an unattributed order, or one with a pending commission, to a partner (merchant; recorded)",
		Args:  nargs("SLUG", "ORDER", "PARTNER"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, order, partner := args[0], args[1], args[2]
			r, err := e.srv.Store.AttributeConversion(e.id.Actor(), slug, order, partner)
			if err != nil {
				return about(err, "order %q in %q", order, slug)
			}
			if e.json {
				return e.printJSON(r.View())
			}
			cv := r.Conversion
			e.printf("Order %s (%s) is now attributed to partner %d.\n", cv.OrderID, money(cv.Amount, cv.Currency), cv.PartnerID)
			if cv.Manual != nil && cv.Manual.From != 0 {
				e.printf("It was partner %d's; their commission on it is rejected.\n", cv.Manual.From)
			}
			if m := r.Commission; m != nil {
				e.printf("Commission %s: %s.\n", strconv.FormatUint(m.ID, 10), commissionText(m))
			} else {
				e.printf("The partner's plan gives no commission on this payment.\n")
			}
			return nil
		},
	}
}

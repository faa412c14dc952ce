package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// linkJSON is one referral link.
type linkJSON struct {
	Code      string `json:"code"`
	Program   string `json:"program"`
	PartnerID uint64 `json:"partner_id"`
	Link      string `json:"link"`
	To        string `json:"to,omitempty"`
	Sub       string `json:"sub,omitempty"`
	CreatedAt string `json:"created_at"`
	// All-time figures of the link (link list only).
	Clicks      *int64 `json:"clicks,omitempty"`
	Conversions *int64 `json:"conversions,omitempty"`
}

func (e *cmdEnv) linkCmd() *cobra.Command {
	c := &cobra.Command{Use: "link", Short: "your referral links (partner)"}
	var lpf namePageFlags
	list := &cobra.Command{
		Use:   "list [SLUG] [--after CODE]",
		Short: "list your links (all programs without SLUG; at most 1,000 a call)",
		Args:  rangeArgs(0, 1, "SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := ""
			if len(args) == 1 {
				slug = args[0]
			}
			ls, next, err := e.srv.Store.LinkStatsPage(e.id.Actor(), slug, lpf.page())
			if err != nil {
				return about(err, "links of %q", slug)
			}
			out := make([]linkJSON, 0, len(ls))
			for _, l := range ls {
				out = append(out, linkJSON{Code: l.Code, Program: l.Program, PartnerID: l.PartnerID, Link: e.srv.link(l.Code), To: l.To, Sub: l.Sub, CreatedAt: l.CreatedAt.Format("2006-01-02T15:04:05Z07:00"),
					Clicks: &l.Clicks, Conversions: &l.Conversions})
			}
			if e.json {
				return printJSONListAfter(e, out, next)
			}
			if len(out) == 0 {
				e.printf("No links yet. Join a program first:\n    %s join %s\n", e.srv.sshHint(), e.exampleSlug())
				return nil
			}
			rows := make([][]string, 0, len(out))
			for _, l := range out {
				rows = append(rows, []string{l.Program, l.Code, l.Link, l.To, l.Sub,
					strconv.FormatInt(*l.Clicks, 10), strconv.FormatInt(*l.Conversions, 10)})
			}
			e.table([]string{"PROGRAM", "CODE", "LINK", "GOES TO", "SUB", "CLICKS", "CONVERSIONS"}, rows)
			e.printMoreAfter(strings.TrimSpace("link list "+slug), next)
			e.printf("\nAdd ?sub=CAMPAIGN to a link to tell your campaigns apart.\n")
			return nil
		},
	}
	lpf.register(list, "code")
	var to, sub string
	create := &cobra.Command{
		Use:   "create SLUG CODE [--to URL] [--sub CAMPAIGN]",
		Short: "make an extra link with your own code ([A-Za-z0-9_-], 3 to 40)",
		Args:  nargs("SLUG", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := e.srv.Store.CreateCampaignLink(e.id.Actor(), args[0], args[1], to, sub)
			if err != nil {
				return about(err, "link %q in %q", args[1], args[0])
			}
			j := linkJSON{Code: l.Code, Program: l.Program, PartnerID: l.PartnerID, Link: e.srv.link(l.Code), To: l.To, Sub: l.Sub, CreatedAt: l.CreatedAt.Format("2006-01-02T15:04:05Z07:00")}
			if e.json {
				return e.printJSON(j)
			}
			e.printf("Link created: %s\n", j.Link)
			return nil
		},
	}
	create.Flags().StringVar(&to, "to", "", "destination path or URL on the program's site")
	create.Flags().StringVar(&sub, "sub", "", "campaign sub-id its clicks carry (up to 64 characters)")
	c.AddCommand(list, create)
	return c
}

func (e *cmdEnv) inviteCmd() *cobra.Command {
	c := &cobra.Command{Use: "invite", Short: "invitations to join a program approved (merchant)"}
	c.AddCommand(&cobra.Command{
		Use:   "create SLUG",
		Short: "make a one-use invitation token",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			tok, err := e.srv.Store.CreateInvite(e.id.Actor(), slug)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				return e.printJSON(map[string]string{"program": slug, "token": tok})
			}
			e.printf("Invitation token (one use): %s\n", tok)
			e.printf("Send this to your partner (they run it with their own key):\n    %s join %s %s --name %s --email them@example.com\n",
				e.srv.sshHint(), sanitize.Line(slug), tok, sshArg("Their Name"))
			return nil
		},
	})
	return c
}

// couponJSON is one coupon.
type couponJSON struct {
	Program   string `json:"program"`
	Code      string `json:"code"`
	PartnerID uint64 `json:"partner_id"`
	Email     string `json:"email,omitempty"`
	CreatedAt string `json:"created_at"`
}

func (e *cmdEnv) couponCmd() *cobra.Command {
	c := &cobra.Command{Use: "coupon", Short: "coupon codes bound to partners (merchant)"}
	add := &cobra.Command{
		Use:   "add SLUG CODE PARTNER",
		Short: "bind a coupon code to a partner (PARTNER: partner id or email)",
		Args:  nargs("SLUG", "CODE", "PARTNER"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, code := args[0], args[1]
			p, err := e.findPartner(slug, args[2])
			if err != nil {
				return err
			}
			cp, err := e.srv.Store.AddCoupon(e.id.Actor(), slug, code, p.ID)
			if err != nil {
				return about(err, "coupon %q in %q", code, slug)
			}
			if e.json {
				return e.printJSON(couponJSON{Program: cp.Program, Code: cp.Code, PartnerID: cp.PartnerID, Email: p.Email, CreatedAt: cp.CreatedAt.Format("2006-01-02T15:04:05Z07:00")})
			}
			e.printf("Coupon %s now credits partner %d (%s).\n", sanitize.Line(cp.Code), p.ID, sanitize.Line(p.Email))
			return nil
		},
	}
	var cpf namePageFlags
	list := &cobra.Command{
		Use:   "list SLUG [--after CODE]",
		Short: "list the program's coupons (at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			cpf.after = strings.ToUpper(cpf.after)
			cs, next, err := e.srv.Store.CouponsPage(e.id.Actor(), slug, cpf.page())
			if err != nil {
				return about(err, "program %q", slug)
			}
			emails := map[uint64]string{}
			for _, cp := range cs {
				if _, ok := emails[cp.PartnerID]; ok {
					continue
				}
				if p, err := e.srv.Store.FindPartner(e.id.Actor(), slug, strconv.FormatUint(cp.PartnerID, 10)); err == nil {
					emails[cp.PartnerID] = p.Email
				}
			}
			out := make([]couponJSON, 0, len(cs))
			for _, cp := range cs {
				out = append(out, couponJSON{Program: cp.Program, Code: cp.Code, PartnerID: cp.PartnerID, Email: emails[cp.PartnerID], CreatedAt: cp.CreatedAt.Format("2006-01-02T15:04:05Z07:00")})
			}
			if e.json {
				return printJSONListAfter(e, out, next)
			}
			if len(out) == 0 {
				e.printf("No coupons yet.\n")
				return nil
			}
			rows := make([][]string, 0, len(out))
			for _, cp := range out {
				rows = append(rows, []string{cp.Code, strconv.FormatUint(cp.PartnerID, 10), cp.Email})
			}
			e.table([]string{"CODE", "PARTNER", "EMAIL"}, rows)
			e.printMoreAfter("coupon list "+slug, next)
			return nil
		},
	}
	cpf.register(list, "code")
	remove := &cobra.Command{
		Use:   "remove SLUG CODE",
		Short: "remove a coupon",
		Args:  nargs("SLUG", "CODE"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := e.srv.Store.RemoveCoupon(e.id.Actor(), args[0], args[1]); err != nil {
				return about(err, "coupon %q in %q", args[1], args[0])
			}
			if e.json {
				return e.printJSON(map[string]string{"program": args[0], "removed": args[1]})
			}
			e.printf("Coupon %s removed.\n", sanitize.Line(args[1]))
			return nil
		},
	}
	c.AddCommand(add, list, remove)
	return c
}

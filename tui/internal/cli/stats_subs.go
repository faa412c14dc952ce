package cli

import (
	"strconv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// subJSON is one campaign sub-id in stats --json: per link (code) of the
// partner's own for a partner, across partners for the merchant.
type subJSON struct {
	PartnerID   uint64 `json:"partner_id,omitempty"`
	Code        string `json:"code,omitempty"`
	Sub         string `json:"sub"`
	Clicks      int64  `json:"clicks"`
	Conversions int64  `json:"conversions"`
	Revenue     string `json:"revenue"`
	Commission  string `json:"commission"`
}

func renderSubs(st *store.Stats) []subJSON {
	out := make([]subJSON, 0, len(st.Subs))
	for _, s := range st.Subs {
		out = append(out, subJSON{PartnerID: s.PartnerID, Code: s.Code, Sub: s.Sub, Clicks: s.Clicks,
			Conversions: s.Conversions, Revenue: store.FormatMoney(s.Revenue, st.Currency),
			Commission: store.FormatMoney(s.Commission, st.Currency)})
	}
	return out
}

// printSubs prints the campaign breakdown of stats, when there is one.
func (e *cmdEnv) printSubs(st *store.Stats) {
	if len(st.Subs) == 0 {
		return
	}
	e.printf("\nCampaigns (sub-ids):\n")
	head := []string{"SUB", "CLICKS", "CONVERSIONS", "REVENUE", "COMMISSION"}
	if st.PartnerID != 0 {
		head = append([]string{"CODE"}, head...)
	}
	rows := make([][]string, 0, len(st.Subs))
	for _, s := range st.Subs {
		row := []string{sanitize.Line(s.Sub), strconv.FormatInt(s.Clicks, 10),
			strconv.FormatInt(s.Conversions, 10), money(s.Revenue, st.Currency), money(s.Commission, st.Currency)}
		if st.PartnerID != 0 {
			row = append([]string{sanitize.Line(s.Code)}, row...)
		}
		rows = append(rows, row)
	}
	e.table(head, rows)
}

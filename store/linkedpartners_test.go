package store

import (
	"fmt"
	"testing"
)

// linkedPartner is a test partner with its default code and two campaign
// links (camp0, camp1).
type linkedPartner struct {
	p     *Partner
	a     Actor
	codes []string
}

// linkedPartners joins n partners to program slug, each with a PayPal
// profile and two campaign links; their codes are the default code first.
func linkedPartners(t *testing.T, e *env, slug string, n int) []linkedPartner {
	t.Helper()
	var ms []linkedPartner
	for i := range n {
		p, a := e.partner(slug)
		if _, err := e.st.SetProfile(a, "paypal", fmt.Sprintf("pay%d@partners.test", i), ""); err != nil {
			t.Fatal(err)
		}
		m := linkedPartner{p: p, a: a, codes: []string{p.Code}}
		for j := range 2 {
			l, err := e.st.CreateCampaignLink(a, slug, fmt.Sprintf("%s-%d-%d", slug, i, j), "", fmt.Sprintf("camp%d", j))
			if err != nil {
				t.Fatal(err)
			}
			m.codes = append(m.codes, l.Code)
		}
		ms = append(ms, m)
	}
	return ms
}

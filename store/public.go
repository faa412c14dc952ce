package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Public returns the part of the program anyone who may join it may read:
// its terms and settings without provider secrets, API key or team.
func (p Program) Public() Program {
	p.Secrets = ProgramSecrets{}
	p.APIKeyHash, p.APIKeyHint, p.Admins = nil, "", nil
	return p
}

// ProgramFor reads a program as the actor may see it: whole for its admins
// (admin true), the public part (Program.Public) for its partners and, when
// the program is listed, for anyone. Others get ErrNotFound.
func (s *Store) ProgramFor(a Actor, slug string) (*Program, bool, error) {
	var p Program
	admin := false
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := get(tx.Bucket(bPrograms), []byte(slug), &p); err != nil {
			return fmt.Errorf("program %q: %w", slug, err)
		}
		if a.Admin || slices.Contains(p.Admins, a.UserID) {
			admin = true
			return nil
		}
		if _, err := membershipTx(tx, a, slug); err != nil && !p.Listed {
			return fmt.Errorf("program %q: %w", slug, ErrNotFound)
		}
		p = p.Public()
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return &p, admin, nil
}

// RateText renders a rate for people: "20%" or, for a fixed amount, the
// amount with its currency, "20.00 USD".
func RateText(r Rate, currency string) string {
	if r.Percent {
		return r.Value.String() + "%"
	}
	return FormatMoney(r.Value, currency) + " " + currency
}

// PlanText renders a commission plan for people, fixed amounts with their
// currency: "20%", "20.00 USD per sale", "20%, 25% from the 10th customer".
func PlanText(p Plan, currency string) string {
	base := RateText(p.Base, currency)
	if !p.Base.Percent {
		base += " per sale"
	}
	parts := []string{base}
	for _, t := range p.Tiers {
		r := RateText(t.Rate, currency)
		if !t.Rate.Percent {
			r += " per sale"
		}
		parts = append(parts, r+" from the "+nthWord(t.From)+" customer")
	}
	return strings.Join(parts, ", ")
}

// nthWord is n as an English ordinal: 1st, 2nd, 3rd, 11th, 22nd.
func nthWord(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// BareFixedRates lists the rates of a commission plan's text that are
// fixed amounts typed as bare whole numbers ("20" in "20" or "10:20"):
// each may be a percentage whose "%" was forgotten.
func BareFixedRates(text string) []string {
	var out []string
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if _, r, ok := strings.Cut(part, ":"); ok {
			part = strings.TrimSpace(r)
		}
		if part == "" || strings.ContainsAny(part, "%.") {
			continue
		}
		if _, err := strconv.ParseUint(part, 10, 64); err == nil {
			out = append(out, part)
		}
	}
	return out
}

// ValidSlug reports whether s has the form of a program slug
// ([a-z0-9-]{2,32}).
func ValidSlug(s string) bool { return slugRe.MatchString(s) }

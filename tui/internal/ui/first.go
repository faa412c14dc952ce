package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

// newFirstProgramForm is the "create your first program" form (SPEC 6.2)
// shown to an instance admin without programs. Every field is checked as
// it is typed; the commission with the same parser as `program set`.
func newFirstProgramForm(c *common.Common) *form.Form {
	currency := func(v string) string {
		if v = strings.ToUpper(strings.TrimSpace(v)); v == "" {
			return "USD"
		}
		return v
	}
	var fields []*form.Field
	fields = append(fields,
		&form.Field{Key: "slug", Label: "Slug", Hint: "2-32 of a-z, 0-9 and -; partners join with it", Validate: func(v string) error {
			if !slugPattern.MatchString(strings.TrimSpace(v)) {
				return errors.New("2 to 32 characters: a-z, 0-9 and -")
			}
			return nil
		}},
		&form.Field{Key: "name", Label: "Name", Hint: "shown to partners", Validate: func(v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("give the program a name")
			}
			return nil
		}},
		&form.Field{Key: "url", Label: "Website URL", Hint: "where referral links lead, https://…", Validate: func(v string) error {
			v = strings.TrimSpace(v)
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") || len(v) < 11 {
				return errors.New("an http:// or https:// address of your site")
			}
			return nil
		}},
		&form.Field{Key: "currency", Label: "Currency", Hint: "ISO 4217, e.g. USD, EUR, JPY", Validate: func(v string) error {
			if _, ok := store.CurrencyDecimals(currency(v)); !ok {
				return fmt.Errorf("%q is not a currency code such as USD or EUR", common.Clean(v))
			}
			return nil
		}},
	)
	fields = append(fields, &form.Field{Key: "commission", Label: "Commission", Hint: `e.g. 20%, 25.00 or "20%; 10:25%"`, Validate: func(v string) error {
		cur := currency(fieldValue(fields, "currency"))
		_, err := store.ParsePlan(v, cur)
		return err
	}})
	return form.New(c, "Create your first program", fields, map[string]string{"currency": "USD", "commission": "20%"})
}

// fieldValue reads a field's value while the form is being built.
func fieldValue(fields []*form.Field, k string) string {
	for _, f := range fields {
		if f.Key == k {
			return f.Value()
		}
	}
	return ""
}

func (a *App) firstKey(msg tea.KeyMsg) tea.Cmd {
	res, cmd := a.first.Update(msg)
	switch res {
	case form.Submitted:
		v := a.first.Values()
		in := store.ProgramInput{Slug: v["slug"], Name: v["name"], URL: v["url"], Currency: strings.ToUpper(v["currency"]), Commission: v["commission"]}
		if in.Currency == "" {
			in.Currency = "USD"
		}
		data, open := a.c.Data, a.o.OpenSignup
		return func() tea.Msg {
			p, key, err := data.CreateProgram(in, open)
			return createdMsg{p: p, apiKey: key, err: err}
		}
	case form.Cancelled:
		return common.Status("Fill in the form to create a program, or press ctrl+c to quit.")
	}
	return cmd
}

func (a *App) onCreated(msg createdMsg) tea.Cmd {
	if msg.err != nil {
		a.first.Err = common.ErrText(msg.err)
		return nil
	}
	e := entry{Slug: msg.p.Slug, Name: msg.p.Name, Role: "merchant", Accent: msg.p.Accent}
	a.entries = append(a.entries, e)
	cmd := a.open(e)
	a.notice = "API key (shown once, keep it secret): " + msg.apiKey
	return tea.Batch(cmd, common.Status("Program "+msg.p.Slug+" created."))
}

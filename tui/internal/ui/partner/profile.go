package partner

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
	"github.com/affogato-sh/affogato/store/sanitize"
)

type profile struct {
	sh     *shared
	width  int
	height int
	user   *store.User
	err    string
	form   *Form
}

type profileMsg struct {
	user *store.User
	err  error
}

type profileSavedMsg struct {
	user    *store.User
	changed []string
	err     error
}

func newProfile(sh *shared) *profile { return &profile{sh: sh} }

func (p *profile) Title() string { return "Profile" }
func (p *profile) Editing() bool { return p.form != nil }

func (p *profile) SetSize(w, h int) {
	p.width, p.height = w, h
	if p.form != nil {
		p.form.SetWidth(w)
	}
}

func (p *profile) Load() tea.Cmd {
	data := p.sh.data
	return func() tea.Msg {
		u, err := data.User(p.sh.ctx())
		return profileMsg{user: u, err: err}
	}
}

func (p *profile) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case profileMsg:
		if msg.err != nil {
			p.err = errText(msg.err)
			return p, nil
		}
		p.err, p.user = "", msg.user
	case profileSavedMsg:
		if msg.user != nil {
			p.user = msg.user
		}
		if msg.err != nil {
			return p, failure(msg.err)
		}
		if len(msg.changed) == 0 {
			return p, status("Nothing changed")
		}
		return p, status("Saved: " + strings.Join(msg.changed, ", "))
	case tea.KeyMsg:
		if p.form != nil {
			return p, p.updateForm(msg)
		}
		if key.Matches(msg, p.sh.keys.Edit) && p.user != nil {
			p.openForm()
		}
	default:
		if p.form != nil {
			_, cmd := p.form.Update(msg)
			return p, cmd
		}
	}
	return p, nil
}

// Profile form fields, in order.
const (
	fName = iota
	fEmail
	fMethod
	fPayEmail
	fCurrency
)

func (p *profile) openForm() {
	u := p.user
	method, payEmail, currency := "", "", ""
	if u.Payout != nil {
		method, payEmail, currency = u.Payout.Kind, u.Payout.Email, u.Payout.Currency
	}
	name := TextField("Name", u.Name, "Your Name", 100, store.ValidDisplayName)
	email := TextField("Email", u.Email, "you@example.com", store.MaxEmailLen, store.ValidEmail)
	var form *Form
	methodF := TextField("Payout method", method, "paypal or wise (empty: none yet)", 6, func(v string) error {
		switch strings.ToLower(v) {
		case "", "paypal", "wise":
			return nil
		}
		return errs.Invalid("type paypal or wise")
	})
	payF := TextField("Payout email", payEmail, "the PayPal or Wise account's email", store.MaxEmailLen, func(v string) error {
		if form == nil || form.Fields[fMethod].Value() == "" {
			if v != "" {
				return errs.Invalid("choose paypal or wise above first")
			}
			return nil
		}
		return store.ValidPayoutAddress(v)
	})
	curF := TextField("Wise currency", currency, "optional, e.g. EUR (Wise only)", 3, func(v string) error {
		if v == "" {
			return nil
		}
		if form != nil && strings.ToLower(form.Fields[fMethod].Value()) != "wise" {
			return errs.Invalid("a currency is for Wise only")
		}
		if !store.ValidCurrency(strings.ToUpper(v)) {
			return errs.Invalid("not an ISO 4217 currency code such as EUR")
		}
		return nil
	})
	form = NewForm(p.sh.st, p.sh.keys, name, email, methodF, payF, curF)
	form.SetWidth(p.width)
	p.form = form
}

func (p *profile) updateForm(msg tea.KeyMsg) tea.Cmd {
	res, cmd := p.form.Update(msg)
	switch res {
	case FormCancel:
		p.form = nil
		return nil
	case FormSubmit:
		f, u := p.form, p.user
		p.form = nil
		name, email := f.Fields[fName].Value(), f.Fields[fEmail].Value()
		method := strings.ToLower(f.Fields[fMethod].Value())
		payEmail, currency := f.Fields[fPayEmail].Value(), strings.ToUpper(f.Fields[fCurrency].Value())
		data := p.sh.data
		return func() tea.Msg {
			// One field at a time, as profile set does; each was checked as typed.
			var changed []string
			set := func(field, value, cur, label string) error {
				nu, err := data.SetProfile(p.sh.ctx(), field, value, cur)
				if err != nil {
					return err
				}
				u = nu
				changed = append(changed, label)
				return nil
			}
			var err error
			if name != u.Name {
				err = set("name", name, "", "name")
			}
			if err == nil && email != u.Email {
				err = set("email", email, "", "email")
			}
			old := store.PayoutMethod{}
			if u.Payout != nil {
				old = *u.Payout
			}
			if err == nil && method != "" && (method != old.Kind || payEmail != old.Email || currency != old.Currency) {
				err = set(method, payEmail, currency, "payout method")
			}
			return profileSavedMsg{user: u, changed: changed, err: err}
		}
	}
	return cmd
}

func (p *profile) ShortHelp() []key.Binding {
	k := p.sh.keys
	if p.form != nil {
		return []key.Binding{k.NextField, k.Submit, k.Back}
	}
	return []key.Binding{k.Edit}
}

func (p *profile) FullHelp() [][]key.Binding {
	k := p.sh.keys
	return [][]key.Binding{{k.Edit}, {k.NextField, k.PrevField, k.Submit, k.Back}}
}

func (p *profile) View() string {
	st := p.sh.st
	if p.form != nil {
		return st.Heading.Render("Edit your profile") + st.Dim.Render("  (checked as you type; enter saves, esc cancels)") +
			"\n\n" + p.form.View()
	}
	if p.err != "" {
		return st.Bad.Render(p.err)
	}
	u := p.user
	if u == nil {
		return st.Dim.Render("Loading…")
	}
	method := st.Warn.Render("none yet: e adds PayPal or Wise, so you can be paid")
	if m := u.Payout; m != nil {
		method = m.Kind + " " + sanitize.Line(m.Email)
		if m.Currency != "" {
			method += " (" + m.Currency + ")"
		}
	}
	row := func(label, value string) string {
		return st.CardLabel.Render(label+strings.Repeat(" ", max(0, 15-len(label)))) + value
	}
	lines := []string{
		st.Heading.Render("Your profile") + st.Dim.Render("  e edits"),
		"",
		row("Name", sanitize.Line(u.Name)),
		row("Email", sanitize.Line(u.Email)),
		row("Payout method", method),
	}
	if h := p.sh.hdr; h != nil {
		lines = append(lines, "", row("Partner id", itoa(h.Partner.ID)), row("Status", h.Partner.Status),
			row("Default code", sanitize.Line(h.Partner.Code)))
	}
	return strings.Join(lines, "\n")
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

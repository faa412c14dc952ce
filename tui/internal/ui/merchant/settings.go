package merchant

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// secretSettings are shown only as set / not set.
var secretSettings = map[string]bool{"stripe-secret": true, "paypal-client-id": true, "paypal-secret": true,
	"wise-token": true, "wise-profile": true, "paypal-base-url": true, "wise-base-url": true}

// settings is tab 7: every `program set` key as a form validated as it is
// typed, API key rotation (the new key shown once), invitations, the team.
type settings struct {
	base
	t      *table.Table
	prog   *store.ProgramView
	team   []store.User
	hooks  []store.Webhook
	edit   *form.Form
	editK  string
	shown  string // a key or join command shown once, until esc
	keyAPI key.Binding
	keyInv key.Binding
}

type settingsMsg struct {
	slug  string
	seq   int
	prog  *store.ProgramView
	team  []store.User
	hooks []store.Webhook
	err   error
}

func newSettings(c *common.Common, slug string) *settings {
	v := &settings{base: newBase(c, slug), keyAPI: keymap.Action("r", "rotate API key"), keyInv: keymap.Action("i", "invite")}
	v.t = table.New(c, []table.Column{{Title: "Setting", Width: 17}, {Title: "Value", Width: 20, Flex: true}})
	v.SetSize(c.Width, c.Height)
	return v
}

func (v *settings) Title() string   { return "Settings" }
func (v *settings) Init() tea.Cmd   { return v.load() }
func (v *settings) Reload() tea.Cmd { return v.load() }
func (v *settings) Capturing() bool { return v.ask.Active() || v.edit != nil }

func (v *settings) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.t.SetSize(w, max(h-5, 3))
}

func (v *settings) load() tea.Cmd {
	seq, slug, data, ctx := v.next(), v.slug, v.c.Data, v.c.Ctx
	return func() tea.Msg {
		p, err := data.Program(ctx, slug)
		if err != nil {
			return settingsMsg{slug: slug, seq: seq, err: err}
		}
		team, err := data.Team(slug)
		if err != nil {
			return settingsMsg{slug: slug, seq: seq, err: err}
		}
		hooks, err := data.Webhooks(slug)
		return settingsMsg{slug: slug, seq: seq, prog: p, team: team, hooks: hooks, err: err}
	}
}

// value is a setting's current value as shown.
func value(p *store.ProgramView, k string) string {
	if secretSettings[k] {
		if p.SecretsSet[k] {
			return "set"
		}
		return "not set"
	}
	yes := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	switch k {
	case "name":
		return p.Name
	case "url":
		return p.URL
	case "currency":
		return p.Currency
	case "commission":
		return p.Plan.String()
	case "recurring-months":
		return store.FormatRecurring(p.RecurringMonths)
	case "renewal-rate":
		if p.RenewalRate == nil {
			return ""
		}
		return p.RenewalRate.String()
	case "cookie-days":
		return strconv.Itoa(p.CookieDays)
	case "hold-days":
		return strconv.Itoa(p.HoldDays)
	case "min-payout":
		return store.FormatMoney(p.MinPayout, p.Currency)
	case "auto-approve":
		return yes(p.AutoApprove)
	case "listed":
		return yes(p.Listed)
	case "domains":
		return strings.Join(p.Domains, ",")
	case "attribution":
		return p.Attribution
	case "paid-ads":
		if p.ForbidPaidAds {
			return "forbid"
		}
		return "allow"
	case "accent":
		return p.Accent
	case "welcome":
		return p.Welcome
	case "terms":
		return p.Terms
	case "payout-schedule":
		if p.PayoutSchedule == "" {
			return "off"
		}
		return p.PayoutSchedule
	case "payout-auto-send":
		return yes(p.PayoutAutoSend)
	}
	return ""
}

func (v *settings) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case settingsMsg:
		if !v.fresh(msg.slug, msg.seq, msg.err) {
			return v, nil
		}
		v.prog, v.team, v.hooks = msg.prog, msg.team, msg.hooks
		rows := make([][]string, 0, len(store.ProgramSettingKeys))
		for _, k := range store.ProgramSettingKeys {
			val := common.Clean(value(v.prog, k))
			if secretSettings[k] {
				val = v.c.Styles.Secret.Render(val)
			}
			rows = append(rows, []string{k, val})
		}
		v.t.SetRows(rows)
		return v, nil
	case actionResult:
		if msg.slug != v.slug {
			return v, nil
		}
		if msg.err == nil && strings.HasPrefix(msg.text, "\x00") {
			v.shown = msg.text[1:]
			return v, tea.Batch(common.Status("Shown once: copy it now."), v.load())
		}
		return v, tea.Batch(report(msg), v.load())
	case tea.KeyMsg:
		return v, v.key(msg)
	}
	return v, nil
}

func (v *settings) key(msg tea.KeyMsg) tea.Cmd {
	if v.ask.Active() {
		return v.ask.Update(msg)
	}
	if v.edit != nil {
		res, cmd := v.edit.Update(msg)
		switch res {
		case form.Cancelled:
			v.edit = nil
		case form.Submitted:
			k, val, slug, data := v.editK, v.edit.Value("value"), v.slug, v.c.Data
			v.edit = nil
			return act(slug, func() (string, error) {
				if _, err := data.SetProgram(slug, k, val); err != nil {
					return "", err
				}
				return k + " saved.", nil
			})
		}
		return cmd
	}
	k := v.c.Keys
	switch {
	case v.shown != "" && key.Matches(msg, k.Back):
		v.shown = ""
		return nil
	case key.Matches(msg, k.Open) && v.prog != nil:
		if i := v.t.Cursor(); i >= 0 && i < len(store.ProgramSettingKeys) {
			v.openEdit(store.ProgramSettingKeys[i])
		}
		return nil
	case key.Matches(msg, v.keyAPI):
		slug, data := v.slug, v.c.Data
		v.ask.Ask("Rotate the API key? The old key stops working at once.", func() tea.Cmd {
			return act(slug, func() (string, error) {
				key, err := data.RotateAPIKey(slug)
				if err != nil {
					return "", err
				}
				return "\x00New API key (shown once, keep it secret): " + key, nil
			})
		})
		return nil
	case key.Matches(msg, v.keyInv):
		slug, data, hint := v.slug, v.c.Data, v.c.Hint("")
		return act(slug, func() (string, error) {
			tok, err := data.CreateInvite(slug)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("\x00Send this to your partner:\n  %s join %s %s --name \"'Their Name'\" --email them@example.com", hint, slug, tok), nil
		})
	}
	_, cmd := v.t.Update(msg)
	return cmd
}

func (v *settings) openEdit(k string) {
	prog := v.prog.Program
	initial := value(v.prog, k)
	hint := "enter saves, esc cancels"
	if secretSettings[k] {
		initial, hint = "", "the current value is never shown; enter an empty value to clear it"
	}
	v.editK = k
	v.edit = form.New(v.c, "Set "+k, []*form.Field{{
		Key: "value", Label: k, Hint: hint,
		Validate: func(val string) error { return store.CheckSetting(prog, k, val) },
	}}, map[string]string{"value": initial})
}

func (v *settings) ShortHelp() []key.Binding {
	k := v.c.Keys
	switch {
	case v.ask.Active():
		return v.ask.Help()
	case v.edit != nil:
		return v.edit.Help()
	case v.shown != "":
		return []key.Binding{k.Back}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit")), v.keyAPI, v.keyInv}
}

func (v *settings) FullHelp() [][]key.Binding {
	return [][]key.Binding{{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit setting")), v.keyAPI, v.keyInv}}
}

func (v *settings) View() string {
	s := v.c.Styles
	if v.loadErr != "" {
		return s.Bad.Render(v.loadErr)
	}
	if v.edit != nil {
		return v.edit.View(v.width)
	}
	if v.prog == nil {
		return s.Dim.Render("Loading…")
	}
	var b strings.Builder
	if v.shown != "" {
		b.WriteString(s.Warn.Render(v.shown) + "\n" + s.Dim.Render("esc hides it") + "\n\n")
	}
	head := s.Heading.Render("Settings") + s.Dim.Render(fmt.Sprintf("  API key %s… · ", v.prog.APIKeyHint))
	var team []string
	for _, u := range v.team {
		team = append(team, common.Clean(nameOr(u.Name, u.Email)))
	}
	head += s.Dim.Render("team: " + strings.Join(team, ", "))
	b.WriteString(common.Truncate(head, v.width) + "\n")
	b.WriteString(common.Truncate(s.Dim.Render(webhooksLine(v.hooks, v.c.Hint(""), v.slug)), v.width) + "\n")
	b.WriteString(v.t.View())
	return v.withAsk(b.String())
}

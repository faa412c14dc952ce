package partner

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

type links struct {
	sh      *shared
	width   int
	height  int
	rows    []store.LinkStat // the page on screen
	loading bool
	err     string
	tbl     *table.Table
	pg      table.Pager[string] // link codes: pages start after a code
	form    *form.Form
	ordered bool // the default link was put first (needs the header)
}

type linksMsg struct {
	page *store.LinkPage
	err  error
}

type linkCreatedMsg struct {
	link *store.Link
	err  error
}

func newLinks(sh *shared) *links {
	l := &links{sh: sh}
	l.tbl = table.New(sh.c, []table.Column{
		{Title: "CODE", Width: 18}, {Title: "CLICKS", Width: 7, Right: true}, {Title: "CONV", Width: 5, Right: true},
		{Title: "CAMPAIGN", Width: 14}, {Title: "GOES TO", Flex: true},
	})
	l.pg = table.NewPager[string](l.tbl)
	return l
}

func (l *links) Title() string { return "Links" }
func (l *links) Editing() bool { return l.form != nil }

func (l *links) SetSize(w, h int) {
	l.width, l.height = w, h
	l.tbl.SetSize(w, h-4) // the heading above, the URL line below
}

// Load reads the page on screen again (live updates, tab switches).
func (l *links) Load() tea.Cmd {
	l.loading = true
	data, after, limit := l.sh.data, l.pg.Cursor(), l.tbl.PageSize()
	return func() tea.Msg {
		p, err := data.Links(l.sh.ctx(), after, limit)
		return linksMsg{page: p, err: err}
	}
}

func (l *links) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case linksMsg:
		l.loading = false
		if msg.err != nil {
			l.err = errText(msg.err)
			return l, nil
		}
		l.err, l.rows = "", msg.page.Links
		l.pg.Got(msg.page.Next)
		l.refresh()
		return l, nil
	case linkCreatedMsg:
		if msg.err != nil {
			return l, failure(msg.err)
		}
		return l, tea.Batch(l.Load(), status("Link created: "+l.sh.data.Link(msg.link.Code)))
	case tea.KeyMsg:
		if l.form != nil {
			return l, l.updateForm(msg)
		}
		k := l.sh.keys
		switch {
		case key.Matches(msg, k.NewLink):
			l.openForm()
			return l, nil
		case key.Matches(msg, k.Copy):
			if r, ok := l.selected(); ok {
				url := l.sh.data.Link(r.Code)
				return l, tea.Batch(l.sh.copy(url), status("Copied "+url))
			}
			return l, nil
		}
		act, cmd := l.tbl.Update(msg)
		if l.pg.Turn(act) {
			return l, tea.Batch(cmd, l.Load())
		}
		return l, cmd
	default:
		if l.form != nil {
			_, cmd := l.form.Update(msg)
			return l, cmd
		}
	}
	return l, nil
}

func (l *links) selected() (store.LinkStat, bool) {
	i := l.tbl.Cursor()
	if i < 0 || i >= len(l.rows) {
		return store.LinkStat{}, false
	}
	return l.rows[i], true
}

func (l *links) refresh() {
	// The default link first on its page, then the others by code.
	l.ordered = l.sh.hdr != nil
	if h := l.sh.hdr; h != nil {
		for i, r := range l.rows {
			if r.Code == h.Partner.Code && i > 0 {
				def := r
				copy(l.rows[1:i+1], l.rows[:i])
				l.rows[0] = def
				break
			}
		}
	}
	rows := make([][]string, 0, len(l.rows))
	for _, r := range l.rows {
		code := sanitize.Line(r.Code)
		if l.sh.hdr != nil && r.Code == l.sh.hdr.Partner.Code {
			code += " *"
		}
		to := "website"
		if r.To != "" {
			to = sanitize.Line(r.To)
		}
		rows = append(rows, []string{code, fmt.Sprint(r.Clicks), fmt.Sprint(r.Conversions), sanitize.Line(r.Sub), to})
	}
	l.tbl.SetRows(rows)
}

func (l *links) openForm() {
	prog := store.Program{}
	if l.sh.hdr != nil {
		prog = l.sh.hdr.Program
	}
	site := hostOf(prog.URL)
	l.form = form.New(l.sh.c, "", []*form.Field{
		{Key: "code", Label: "Code", Placeholder: "spring-sale (3-40 of A-Z a-z 0-9 _ -)", Limit: 40, Validate: func(v string) error {
			return store.ValidLinkInput(v, "")
		}},
		{Key: "to", Label: "Deep link", Placeholder: "optional: /pricing or https://" + site + "/…", Limit: 500, Validate: func(v string) error {
			if v == "" {
				return nil
			}
			_, err := prog.Destination(v)
			return err
		}},
		{Key: "sub", Label: "Campaign", Placeholder: "optional sub-id, e.g. newsletter-may", Limit: 64, Validate: func(v string) error {
			return store.ValidLinkInput("sub", v)
		}},
	}, nil)
}

func (l *links) updateForm(msg tea.KeyMsg) tea.Cmd {
	res, cmd := l.form.Update(msg)
	switch res {
	case form.Cancelled:
		l.form = nil
		return nil
	case form.Submitted:
		v := l.form.Values()
		code, to, sub := v["code"], v["to"], v["sub"]
		l.form = nil
		data := l.sh.data
		return func() tea.Msg {
			link, err := data.CreateLink(l.sh.ctx(), code, to, sub)
			return linkCreatedMsg{link: link, err: err}
		}
	}
	return cmd
}

func (l *links) ShortHelp() []key.Binding {
	k := l.sh.keys
	if l.form != nil {
		return []key.Binding{k.NextField, k.Submit, k.Back}
	}
	return []key.Binding{k.NewLink, k.Copy, k.Up, k.Down}
}

func (l *links) FullHelp() [][]key.Binding {
	k := l.sh.keys
	return [][]key.Binding{{k.NewLink, k.Copy}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

func (l *links) View() string {
	st := l.sh.st
	if !l.ordered && l.sh.hdr != nil && len(l.rows) > 0 {
		l.refresh() // the header arrived after the links
	}
	if l.form != nil {
		return st.Heading.Render("New link") + st.Dim.Render("  (checked as you type; enter creates it, esc cancels)") +
			"\n\n" + l.form.View(l.width)
	}
	if l.err != "" {
		return st.Bad.Render(l.err)
	}
	var b strings.Builder
	b.WriteString(st.Heading.Render("Your links") + l.pg.PageNote(l.sh.c) + st.Dim.Render("  * default · add ?sub=CAMPAIGN to any link") + "\n")
	if len(l.rows) == 0 {
		if l.loading {
			return b.String() + st.Dim.Render("Loading…")
		}
		return b.String() + st.Dim.Render("No links yet: n makes one.")
	}
	b.WriteString(l.tbl.View())
	if r, ok := l.selected(); ok {
		b.WriteString("\n\n" + st.CardLabel.Render("URL ") + st.Title.Render(l.sh.data.Link(r.Code)))
		if l.tbl.HasNext {
			b.WriteString(st.Dim.Render("  (more below)"))
		}
	}
	return b.String()
}

package ui

import (
	"fmt"
	"strings"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/tabs"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Drawing the App: the header, the frame around the page, the picker and
// the full help (app.go holds its state and its updates).

// View draws the frame.
func (a *App) View() string {
	if a.bye != "" {
		return a.bye + "\n"
	}
	if a.unchanged && a.lastFrame != "" {
		return a.lastFrame
	}
	a.lastFrame = a.frame()
	return a.lastFrame
}

// frame is the screen without the goodbye.
// header is the console's header line, drawn again only when what it
// shows changed (a frame redrawn for new data keeps it).
func (a *App) header(w int, titles []string) string {
	k := fmt.Sprintf("%p\x00%d\x00%s\x00%s\x00%d\x00%s", a.c.Styles, w, a.cur.Name, a.cur.Role, a.active, strings.Join(titles, "\x00"))
	if k != a.hdrKey {
		a.hdrKey, a.hdr = k, tabs.Header(a.c, w, a.cur.Name, a.cur.Role, titles, a.active)
	}
	return a.hdr
}

func (a *App) frame() string {
	switch a.mode {
	case modeHome:
		return a.home.View()
	case modeSignup:
		return a.signup.View()
	}
	w := a.o.Width
	var header, body string
	var help []key.Binding
	k := a.c.Keys
	switch a.mode {
	case modeLoading:
		header = tabs.Header(a.c, w, "affogato", a.role(), nil, -1)
		body = a.c.Styles.Dim.Render("Loading…")
		if a.loadErr != "" {
			body = a.c.Styles.Bad.Render(a.loadErr)
		}
		help = []key.Binding{k.Quit}
	case modeFirst:
		header = tabs.Header(a.c, w, "affogato", a.role(), nil, -1)
		body = a.first.View(min(w, 100))
		help = append(a.first.Help(), k.ForceQuit)
	case modePicker:
		header = tabs.Header(a.c, w, "affogato", a.role(), nil, -1)
		body = a.pickerView()
		help = []key.Binding{k.Up, k.Down, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")), k.Help, k.Quit}
	default:
		titles := make([]string, len(a.tabs))
		for i, t := range a.tabs {
			titles[i] = t.Title()
		}
		header = a.header(w, titles)
		body = a.tabs[a.active].View()
		if a.notice != "" {
			body = a.c.Styles.Warn.Render(a.notice) + "\n" + body
		}
		help = a.tabs[a.active].ShortHelp()
		if !a.tabs[a.active].Capturing() {
			if len(a.entries) > 1 { // the picker key works only then (onKey)
				help = append(help, k.Picker)
			}
			help = append(help, k.Help, k.Quit)
		}
	}
	if a.help {
		body = a.fullHelp()
		help = []key.Binding{k.Back, k.Quit}
	}
	return header + "\n" + a.fit(body) + "\n" + a.foot.View(w, help)
}

// fit makes body exactly the content area: lines cut to the width, then
// padded or cut to the height.
// The last body fitted is kept: most frames redraw the same body (a
// message that changed only the header or nothing at all).
func (a *App) fit(body string) string {
	if body == a.fitIn && a.c.Width == a.fitW && a.c.Height == a.fitH && a.fitOut != "" {
		return a.fitOut
	}
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	for i, l := range lines {
		// A line of n bytes is at most n cells wide: only longer ones
		// are measured.
		if len(l) > a.c.Width && lipgloss.Width(l) > a.c.Width {
			lines[i] = cutANSI(l, a.c.Width)
		}
	}
	out := common.FitLines(strings.Join(lines, "\n"), a.c.Height)
	a.fitIn, a.fitW, a.fitH, a.fitOut = body, a.c.Width, a.c.Height, out
	return out
}

func (a *App) role() string {
	if a.o.Identity.Admin {
		return "instance admin"
	}
	return ""
}

func (a *App) pickerView() string {
	st := a.c.Styles
	var b strings.Builder
	b.WriteString(st.Heading.Render("Your programs") + st.Dim.Render("  (enter opens one)") + "\n\n")
	for i, e := range a.entries {
		line := fmt.Sprintf("%-24s %-10s %s", common.Truncate(common.Clean(e.Name), 24), e.Role, e.Slug)
		if i == a.picker {
			line = st.Selected.Render(common.Pad("› "+line, min(a.c.Width, 70)))
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func (a *App) fullHelp() string {
	k := a.c.Keys
	var groups [][]key.Binding
	if a.mode == modeConsole {
		groups = append(groups, a.tabs[a.active].FullHelp()...)
	}
	groups = append(groups, k.Navigation(), k.Global())
	st := a.c.Styles
	title := "Keys"
	if a.mode == modeConsole {
		title = "Keys · " + a.tabs[a.active].Title()
	}
	return st.Heading.Render(title) + "\n\n" + a.foot.Full(a.c.Width, groups) + "\n\n" +
		st.Dim.Render("Every money-moving or destructive action asks y/n first. Press ? or esc to close.")
}

// cutANSI cuts a styled line to width cells.
func cutANSI(s string, width int) string { return ansi.Truncate(s, width, "") }

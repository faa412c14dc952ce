package partner

import (
	"encoding/base64"
	"io"
	"reflect"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Env is what the portal tabs need from the session besides the frame's
// common context.
type Env struct {
	Store     *store.Store
	PublicURL string    // the HTTP listener's public base
	Out       io.Writer // the session, for OSC 52 copies; nil: no copying
}

// Tabs makes the six portal tabs for the dashboard frame, bound to the
// session's actor (c.Data) and program slug, in the frame's styles and
// keys (the program's accent).
func Tabs(c *common.Common, slug string, env Env) []common.Tab {
	sh := &shared{
		c:    c,
		data: NewData(env.Store, c.Data.Actor(), slug, env.PublicURL, c.Hint).following(c.Data.Since),
		st:   c.Styles,
		keys: c.Keys,
		now:  c.Now,
		copy: osc52(env.Out),
	}
	tabs := []Tab{newDashboard(sh), newLinks(sh), newAssets(sh), newEarnings(sh), newPayouts(sh), newProfile(sh)}
	out := make([]common.Tab, len(tabs))
	for i, t := range tabs {
		t.SetSize(c.Width, c.Height)
		out[i] = &frameTab{sh: sh, t: t}
	}
	return out
}

// osc52 copies text to the client's clipboard with an OSC 52 sequence
// written to out.
func osc52(out io.Writer) func(string) tea.Cmd {
	return func(text string) tea.Cmd {
		if out == nil {
			return nil
		}
		return func() tea.Msg {
			seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
			if _, err := io.WriteString(out, seq); err != nil {
				return common.StatusMsg{Text: "could not copy; select the URL shown", Err: true}
			}
			return nil
		}
	}
}

// frameTab adapts a portal tab to the frame's common.Tab.
type frameTab struct {
	sh *shared
	t  Tab
}

func (f *frameTab) loadHeader() tea.Cmd {
	d := f.sh.data
	return func() tea.Msg {
		h, err := d.Header(f.sh.ctx())
		return headerMsg{h: h, err: err}
	}
}

func (f *frameTab) Title() string   { return f.t.Title() }
func (f *frameTab) Init() tea.Cmd   { return tea.Batch(f.loadHeader(), f.t.Load()) }
func (f *frameTab) Reload() tea.Cmd { return tea.Batch(f.loadHeader(), f.t.Load()) }
func (f *frameTab) View() string    { return f.t.View() }
func (f *frameTab) Capturing() bool { return f.t.Editing() }

func (f *frameTab) SetSize(w, h int)          { f.t.SetSize(w, h) }
func (f *frameTab) ShortHelp() []key.Binding  { return f.t.ShortHelp() }
func (f *frameTab) FullHelp() [][]key.Binding { return f.t.FullHelp() }

func (f *frameTab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch m := msg.(type) {
	case headerMsg:
		if m.err == nil && !reflect.DeepEqual(f.sh.hdr, m.h) { // the same header keeps what was drawn
			f.sh.hdr = m.h
		}
		return f, nil
	}
	var cmd tea.Cmd
	f.t, cmd = f.t.Update(msg)
	return f, cmd
}

package tui

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/tui/internal/cli"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/merchant"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
)

// runCommand runs the session's command (package internal/cli).
func (s *Server) runCommand(sess ssh.Session, id *identity.Identity) {
	cli.Run(sess, &cli.Deps{
		Store:      s.st,
		Payouts:    s.cfg.Payouts,
		OpenSignup: s.cfg.OpenSignup,
		Log:        s.log,
		Hint:       s.sshHintAs,
		Link:       s.link,
		PublicURL:  s.cfg.PublicURL,
	}, id)
}

// activityReader records when the session last sent input (a key press).
type activityReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
	// closed is closed when the input ends: the client closed the channel
	// (a multiplexed connection can stay up without it).
	closed    chan struct{}
	closeOnce sync.Once
}

func newActivityReader(r io.Reader) *activityReader {
	a := &activityReader{r: r, closed: make(chan struct{})}
	a.last.Store(time.Now().UnixNano())
	return a
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	if err != nil {
		a.closeOnce.Do(func() { close(a.closed) })
	}
	return n, err
}

func (a *activityReader) idleFor() time.Duration {
	return time.Since(time.Unix(0, a.last.Load()))
}

// sessionRenderer is the session's own lipgloss renderer, with the colour
// profile the client's TERM (and COLORTERM) allows. It is what
// bubbletea.MakeRenderer builds for an emulated PTY minus its background
// colour query: that query reads the session input with no way to cancel
// the read, so a client that does not answer it (ssh -tt from a script, a
// dumb terminal) would see nothing until its first key press, which the
// query then swallows. The background is assumed dark.
func sessionRenderer(sess ssh.Session) *lipgloss.Renderer {
	pty, _, _ := sess.Pty()
	if pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := append(sess.Environ(), "TERM="+pty.Term)
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(sessionEnv(env)), termenv.WithUnsafe(), termenv.WithColorCache(true))
	r.SetHasDarkBackground(true)
	return r
}

// sessionEnv gives termenv the session's environment, not the server's.
type sessionEnv []string

func (e sessionEnv) Environ() []string { return e }

func (e sessionEnv) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

// liveEvery is the shortest time between two live reloads of a screen:
// 250 ms for up to 50 screens, and 250 ms more for each 50 more (1 s at
// 200), counting the screens open and the connections still in their
// handshake (screens about to open). Under a click load every open screen
// is signalled about every 100 ms; each reload draws its frame twice (the
// signal, then the data), and 200 screens at 250 ms took about as much
// CPU as the machine has, leaving little for the first frames of new
// sessions. When 200 clients dial at once, the first screens to open
// already reload at the pace of 200: their reloads took CPU from the
// handshakes of the others.
func (s *Server) liveEvery() time.Duration {
	n := s.programs.count() + int(max(0, s.opening.Load()))
	return time.Duration(1+max(0, n-1)/50) * 250 * time.Millisecond
}

// runScreen runs the dashboard for a terminal session.
func (s *Server) runScreen(sess ssh.Session, id *identity.Identity) {
	var prog *tea.Program
	var app *ui.App
	var frames *frameWriter
	handler := func(sess ssh.Session) *tea.Program {
		pty, _, _ := sess.Pty()
		frames = newFrameWriter(sess, pty.Window.Width, pty.Window.Height)
		app = ui.New(sess.Context(), ui.Options{
			Store:      s.st,
			Payouts:    s.cfg.Payouts,
			Identity:   id,
			Username:   sess.User(),
			OpenSignup: s.cfg.OpenSignup,
			Renderer:   sessionRenderer(sess),
			Width:      pty.Window.Width,
			Height:     pty.Window.Height,
			Hint:       s.sshHintAs,
			Link:       s.link,
			// The partner portal and the merchant's Assets tab.
			PartnerTabs: func(c *common.Common, slug string) []common.Tab {
				return partner.Tabs(c, slug, partner.Env{Store: s.st, PublicURL: s.cfg.PublicURL, Out: sess})
			},
			MerchantAssets: merchant.NewAssets,
			Signup:         s.signupScreen(sess, id),
			LiveEvery:      s.liveEvery,
		})
		in := newActivityReader(sess)
		// Frames go out as they are drawn (framewriter.go), not on
		// Bubble Tea's ticker.
		p := tea.NewProgram(framedModel{m: app, w: frames},
			tea.WithInput(in),
			tea.WithOutput(sess),
			tea.WithoutSignalHandler(),
			tea.WithoutRenderer(),
		)
		if !s.programs.add(p) {
			fmt.Fprintln(sess, "affogato is shutting down. Bye!")
			return nil
		}
		prog = p
		go s.watchIdle(sess, p, in)
		return p
	}
	bubbletea.MiddlewareWithProgramHandler(handler, termenv.Ascii)(func(ssh.Session) {
		if frames != nil {
			frames.finish(sess.Context().Err() != nil)
		}
		if prog != nil {
			s.programs.remove(prog)
		}
		if app != nil {
			app.Close()
		}
	})(sess)
}

// watchIdle ends the screen after cfg.IdleTimeout without a key press.
func (s *Server) watchIdle(sess ssh.Session, p *tea.Program, in *activityReader) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in idle watcher", "panic", r)
		}
	}()
	tick := s.cfg.IdleTimeout / 20
	tick = min(max(tick, 100*time.Millisecond), time.Minute)
	t := time.NewTicker(tick)
	defer t.Stop()
	inputEnded := in.closed
	var probe <-chan time.Time
	for {
		select {
		case <-sess.Context().Done():
			return
		case <-inputEnded:
			// Input ended: the client closed the channel, or only its
			// sending half (ssh -tt < /dev/null). Probe the channel from
			// now on; a closed one cannot carry the request.
			inputEnded = nil
			pt := time.NewTicker(250 * time.Millisecond)
			defer pt.Stop()
			probe = pt.C
		case <-probe:
			if _, err := sess.SendRequest("keepalive@affogato", true, nil); err != nil {
				// Nobody will see the screen again: end it and free its
				// session slot.
				p.Quit()
				return
			}
		case <-t.C:
			if in.idleFor() >= s.cfg.IdleTimeout {
				s.log.Info("ssh session idle, closing", "remote", sess.RemoteAddr().String())
				p.Send(ui.GoodbyeMsg{Text: fmt.Sprintf("Closed after %s without a key press. Bye!", s.cfg.IdleTimeout)})
				return
			}
		}
	}
}

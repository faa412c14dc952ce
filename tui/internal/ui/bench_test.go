package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/merchant"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// The dashboard benchmarks read a program seeded through the store's own
// write methods. With AFFOGATO_DASH_DATA set to a data directory made by
// `affogato seed` (make bench-dashboard: 10,000 partners, 1,000,000 clicks,
// 100,000 conversions, and a 10x smaller one), they read its program
// AFFOGATO_DASH_PROGRAM (default "seed"); without it they seed a small
// program here (200 partners, 20,000 clicks, 2,000 conversions).

var benchStore struct {
	once sync.Once
	st   *store.Store
	slug string
	err  error
}

func openBenchStore(b *testing.B) (*store.Store, string) {
	b.Helper()
	benchStore.once.Do(func() {
		if dir := os.Getenv("AFFOGATO_DASH_DATA"); dir != "" {
			benchStore.slug = os.Getenv("AFFOGATO_DASH_PROGRAM")
			if benchStore.slug == "" {
				benchStore.slug = "seed"
			}
			benchStore.st, benchStore.err = store.Open(dir, store.Options{})
			return
		}
		benchStore.st, benchStore.slug, benchStore.err = seedSmall()
	})
	if benchStore.err != nil {
		b.Fatal(benchStore.err)
	}
	return benchStore.st, benchStore.slug
}

// seedSmall seeds 200 partners, 20,000 clicks over 30 days and 2,000
// conversions in a temporary directory.
func seedSmall() (*store.Store, string, error) {
	dir, err := os.MkdirTemp("", "affogato-dash-bench")
	if err != nil {
		return nil, "", err
	}
	var mu sync.Mutex
	now := time.Now().UTC().AddDate(0, 0, -30)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st, err := store.Open(dir, store.Options{Now: clock, NoSync: true})
	if err != nil {
		return nil, "", err
	}
	au, err := st.CreateUser("Admin", "admin@x.test", "SHA256:admin", "ssh-ed25519 AAAA")
	if err != nil {
		return nil, "", err
	}
	admin := store.Actor{UserID: au.ID, Admin: true}
	if _, _, err := st.CreateProgram(admin, store.ProgramInput{Slug: "seed", Name: "Seed", URL: "https://seed.test", Commission: "20%"}, false); err != nil {
		return nil, "", err
	}
	var partners []*store.Partner
	for i := range 200 {
		u, err := st.CreateUser(fmt.Sprintf("Partner %d", i), fmt.Sprintf("p%d@x.test", i), fmt.Sprintf("SHA256:p%d", i), "ssh-ed25519 AAAA")
		if err != nil {
			return nil, "", err
		}
		p, err := st.Join(store.Actor{UserID: u.ID}, "seed", "")
		if err != nil {
			return nil, "", err
		}
		if p, err = st.SetPartnerStatus(admin, "seed", p.ID, store.PartnerApproved); err != nil {
			return nil, "", err
		}
		partners = append(partners, p)
	}
	order := 0
	for day := range 30 {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < 666; i += 8 {
					p := partners[(i*7+day)%len(partners)]
					c, err := st.RecordClick(context.Background(), store.ClickInput{Program: "seed", PartnerID: p.ID, Code: p.Code,
						IP: netip.AddrFrom4([4]byte{10, byte(day), byte(i >> 8), byte(i)})})
					if err != nil {
						errs <- err
						return
					}
					if i%10 == 0 {
						mu.Lock()
						order++
						o := order
						mu.Unlock()
						if _, _, err := st.RecordConversion("seed", store.ConversionInput{OrderID: "o" + strconv.Itoa(o), CustomerID: "c" + strconv.Itoa(o),
							Amount: "49.90", Currency: "USD", Kind: store.KindSale, ClickID: strconv.FormatUint(c.ID, 10)}); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return nil, "", err
		}
		mu.Lock()
		now = now.Add(24 * time.Hour)
		mu.Unlock()
	}
	return st, "seed", nil
}

func benchCommon(st *store.Store, w, h int) *common.Common {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	return &common.Common{
		Ctx: context.Background(), Data: common.NewData(st, store.Actor{Admin: true}, nil), Renderer: r,
		Styles: styles.New(r, ""), Keys: keymap.Default(), Width: w, Height: h - 2, Now: time.Now,
		Hint: func(string) string { return "ssh -p 23234 localhost" }, Link: func(c string) string { return "http://localhost:8080/r/" + c },
	}
}

// settle runs cmd and feeds its messages to the tab until nothing is left
// (loads are synchronous here), skipping timers.
func settle(t common.Tab, cmd tea.Cmd) common.Tab {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		if msg == nil {
			continue
		}
		var next tea.Cmd
		t, next = t.Update(msg)
		queue = append(queue, next)
	}
	return t
}

// BenchmarkDashboardTab measures each merchant tab's load (its store reads)
// and render at 120x40. Shared reads are dropped before each load: this is
// the cost of a read no other session made (store.StatsSince).
func BenchmarkDashboardTab(b *testing.B) {
	st, slug := openBenchStore(b)
	c := benchCommon(st, 120, 40)
	names := []string{"1-overview", "2-partners", "3-conversions", "4-commissions", "5-payouts", "7-settings"}
	idx := []int{0, 1, 2, 3, 4, 6}
	for i, name := range names {
		b.Run(name, func(b *testing.B) {
			var view string
			for b.Loop() {
				st.DropSharedReads()
				tab := merchant.Tabs(c, slug, merchant.Options{})[idx[i]]
				tab.SetSize(c.Width, c.Height)
				tab = settle(tab, tab.Init())
				view = tab.View()
			}
			if strings.Contains(view, "went wrong") || len(view) < 100 {
				b.Fatalf("tab %s did not load:\n%s", name, view)
			}
		})
	}
}

// countingWriter counts the bytes the program writes.
type countingWriter struct {
	mu  sync.Mutex
	n   int
	buf bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += len(p)
	w.buf.Write(p)
	return len(p), nil
}

func (w *countingWriter) state() (int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n, w.buf.String()
}

// BenchmarkDashboardSession runs the whole dashboard in a Bubble Tea program
// writing to a counter, as an SSH session would at 120x40 with 256
// colours, and reports the time to the first full frame (from the
// program's start: store reads for the session, the Overview load and the
// render), the bytes of that frame, of a switch to the Partners tab, and of
// one idle second.
func BenchmarkDashboardSession(b *testing.B) {
	st, slug := openBenchStore(b)
	var firstMS, firstBytes, switchBytes, idleBytes float64
	for b.Loop() {
		out := &countingWriter{}
		r := lipgloss.NewRenderer(out)
		r.SetColorProfile(termenv.ANSI256)
		id := &identity.Identity{Fingerprint: "SHA256:bench", User: &store.User{ID: 1 << 40, Name: "bench"}, Admin: true}
		ctx, cancel := context.WithCancel(context.Background())
		app := New(ctx, Options{Store: st, Identity: id, Username: slug, Renderer: r, Width: 120, Height: 40,
			Hint: func(string) string { return "ssh -p 23234 localhost" }, Link: func(c string) string { return "http://localhost:8080/r/" + c }})
		in, inW := io.Pipe()
		p := tea.NewProgram(app, tea.WithInput(in), tea.WithOutput(out), tea.WithoutSignalHandler())
		start := time.Now()
		done := make(chan struct{})
		go func() { _, _ = p.Run(); close(done) }()
		waitOut := func(want string) {
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if _, s := out.state(); strings.Contains(s, want) {
					return
				}
			}
			b.Fatalf("the screen never showed %q", want)
		}
		waitOut("Top partners by revenue")
		firstMS += float64(time.Since(start).Microseconds()) / 1000
		time.Sleep(300 * time.Millisecond) // the first frame's rows settle
		n0, _ := out.state()
		firstBytes += float64(n0)
		_, _ = inW.Write([]byte("2"))
		waitOut("in all")
		time.Sleep(300 * time.Millisecond)
		n1, _ := out.state()
		switchBytes += float64(n1 - n0)
		time.Sleep(time.Second)
		n2, _ := out.state()
		idleBytes += float64(n2 - n1)
		p.Quit()
		<-done
		cancel()
		app.Close()
		_ = inW.Close()
	}
	n := float64(b.N)
	b.ReportMetric(firstMS/n, "first-frame-ms")
	b.ReportMetric(firstBytes/n, "first-frame-bytes")
	b.ReportMetric(switchBytes/n, "tab-switch-bytes")
	b.ReportMetric(idleBytes/n, "idle-second-bytes")
}

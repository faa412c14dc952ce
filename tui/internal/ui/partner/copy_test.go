package partner

import (
	"bytes"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/charmbracelet/x/exp/teatest"
)

// lockedBuf collects what the portal writes to the session besides frames.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCopyOSC52: c on the Links tab puts the selected link on the
// client's clipboard (OSC 52) and shows it in full; on the Assets tab it
// copies the text with the partner's link filled in.
func TestCopyOSC52(t *testing.T) {
	f := NewFixture(t)
	out := &lockedBuf{}
	p := New(Config{Data: NewData(f.St, f.Eve, "acme", publicURL, hint), Styles: AsciiStyles("#FF5F87"), Keys: keymap.Default(),
		Width: 100, Height: 30, Out: out})
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "1 Dashboard", "Your link")
	tm.Send(keyMsg("2"))
	waitFor(t, tm, "spring-sale")
	tm.Send(keyMsg("c"))
	link := publicURL + "/r/" + f.EveP.Code
	waitFor(t, tm, "Copied "+link)
	tm.Send(keyMsg("3"))
	waitFor(t, tm, "Tweet")
	tm.Send(keyMsg("c"))
	waitFor(t, tm, "Copied Tweet")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	got := out.String()
	for _, want := range []string{link, "Widgets that work: " + link + " (use code " + f.EveP.Code + " at checkout)"} {
		seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(want)) + "\x07"
		if !strings.Contains(got, seq) {
			t.Errorf("no OSC 52 copy of %q in %q", want, got)
		}
	}
}

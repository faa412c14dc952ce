package ui

import (
	"strings"
	"testing"
)

// lastLine is the footer of a frame.
func lastLine(frame string) string {
	lines := strings.Split(strings.TrimRight(frame, "\n"), "\n")
	return lines[len(lines)-1]
}

// The footer's short help lists the picker key exactly when it works: when
// the session has more than one program, on merchant and partner pages alike.
func TestFooterPickerHelp(t *testing.T) {
	t.Run("partner-and-merchant-pages", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		id, _ := f.partnerIn(t)
		frame := driveKeys(t, f.appAs(id, 120, 40), 120, 40, step{"", "Your programs"}, step{"j\r", "Your link"})
		if foot := lastLine(frame); !strings.Contains(foot, "p programs") {
			t.Errorf("portal footer lacks %q: %q", "p programs", foot)
		}
		frame = driveKeys(t, f.appAs(id, 120, 40), 120, 40, step{"", "Your programs"}, step{"\r", "Overview"})
		if !strings.Contains(frame, "Beta Books") {
			t.Fatalf("did not open beta's console:\n%s", frame)
		}
		if foot := lastLine(frame); !strings.Contains(foot, "p programs") {
			t.Errorf("console footer lacks %q: %q", "p programs", foot)
		}
	})
	t.Run("one-program", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		frame := driveKeys(t, f.app(120, 40), 120, 40, step{"", "Overview"})
		if foot := lastLine(frame); strings.Contains(foot, "programs") || !strings.Contains(foot, "q quit") {
			t.Errorf("one-program footer should not offer the picker: %q", foot)
		}
	})
}

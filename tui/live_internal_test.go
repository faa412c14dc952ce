package tui

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Live reloads are spaced 250 ms more for every 50 open screens past 50.
func TestLiveEveryGrowsWithOpenScreens(t *testing.T) {
	s := &Server{}
	s.programs.init()
	for _, c := range []struct {
		open int
		want time.Duration
	}{{0, 250 * time.Millisecond}, {50, 250 * time.Millisecond}, {51, 500 * time.Millisecond}, {200, time.Second}, {201, 1250 * time.Millisecond}} {
		for s.programs.count() < c.open {
			s.programs.add(new(tea.Program))
		}
		if d := s.liveEvery(); d != c.want {
			t.Errorf("%d screens open: %s, want %s", c.open, d, c.want)
		}
	}
}

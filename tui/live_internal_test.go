package tui

import (
	"net"
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

// Connections in their handshake count as screens about to open, until
// their first session starts or they close.
func TestLiveEveryCountsOpeningConnections(t *testing.T) {
	s := &Server{}
	s.programs.init()
	var conns []*deadlineConn
	for range 150 {
		a, b := net.Pipe()
		defer b.Close()
		conns = append(conns, newDeadlineConn(a, time.Minute, &s.opening))
	}
	if d := s.liveEvery(); d != 750*time.Millisecond {
		t.Fatalf("150 connections dialling: %s, want 750ms", d)
	}
	for _, c := range conns[:100] {
		c.release()
		c.release() // once only
	}
	for _, c := range conns[100:] {
		_ = c.Close()
		_ = c.Close()
	}
	for range 100 {
		s.programs.add(new(tea.Program))
	}
	if d := s.liveEvery(); d != 500*time.Millisecond || s.opening.Load() != 0 {
		t.Fatalf("100 screens open, the rest closed: %s (%d opening), want 500ms (0)", d, s.opening.Load())
	}
}

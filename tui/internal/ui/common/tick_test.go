package common

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

type tickedMsg struct{}

func TestTickEndsWithItsSession(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := Tick(ctx, time.Hour, func(time.Time) tea.Msg { return tickedMsg{} })
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	cancel()
	select {
	case msg := <-done:
		if msg != nil {
			t.Fatalf("a tick of an ended session returned %#v, want no message", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a tick of an ended session still waits for its timer")
	}
}

func TestTickFires(t *testing.T) {
	cmd := Tick(context.Background(), time.Millisecond, func(time.Time) tea.Msg { return tickedMsg{} })
	if _, ok := cmd().(tickedMsg); !ok {
		t.Fatal("a tick of an open session did not return its message")
	}
}

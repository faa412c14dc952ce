package tui

import "time"

// Hooks for the external tests (package tui_test).

// SetHandshakeTimeout shortens the deadline before a connection's first session.
func SetHandshakeTimeout(s *Server, d time.Duration) { s.handshakeTimeout = d }

// SessionCount is the number of sessions open now.
func SessionCount(s *Server) int64 { return s.sessions.Load() }

// ScreenCount is the number of Bubble Tea programs running now.
func ScreenCount(s *Server) int { return s.programs.count() }

// OpeningCount is the number of connections still in their handshake.
func OpeningCount(s *Server) int64 { return s.opening.Load() }

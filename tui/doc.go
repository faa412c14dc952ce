// Package tui is affogato's SSH side: the wish server, the middleware that
// turns a proven SSH public key into an identity, and session start: a
// session with a command runs it (package internal/cli), a session with a
// terminal gets the Bubble Tea screens (package internal/ui). Every read
// and write goes through store methods that take the identity
// (store.Actor), so the commands and the screens share one set of
// permission checks.
package tui

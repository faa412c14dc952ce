// Package tui is affogato's SSH side: the wish server, the middleware that
// turns a proven SSH public key into an identity, the non-interactive
// commands (`ssh host COMMAND`), and the Bubble Tea screens shown to
// sessions with a terminal. Every read and write goes through store methods
// that take the identity (store.Actor), so the commands and the screens
// share one set of permission checks.
package tui

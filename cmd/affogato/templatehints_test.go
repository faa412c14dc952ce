package main

import (
	"fmt"
	"strings"
	"testing"
)

// fillTemplate is a template hint with its placeholders replaced, as a person
// fills them in before pasting: each pair is placeholder, value.
func fillTemplate(t *testing.T, line string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(line, pairs[i]) {
			t.Fatalf("template %q has no placeholder %q", line, pairs[i])
		}
		line = strings.Replace(line, pairs[i], pairs[i+1], 1)
	}
	return line
}

// labelled is the command printed after label on a line of out.
func labelled(t *testing.T, out, label string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if _, after, ok := strings.Cut(l, label); ok {
			return strings.TrimSpace(after)
		}
	}
	t.Fatalf("no %q line in:\n%s", label, out)
	return ""
}

// The hints that are templates (placeholders such as SLUG, COMMAND [ARGS],
// 'Your Name', https://…) work when pasted with the placeholders filled
// in, and the "More:" lines of paged lists work as printed.
func TestTemplateHintsPasteIntoAShell(t *testing.T) {
	s := startServer(t, serverOpts{})
	h := newHintRunner(t, s)
	admin := s.adminKey
	s.mustSSH(admin, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--listed", "--auto-approve")

	// The help an unknown key gets: one command, and a program's signup page.
	newcomer := newKey(t, "newcomer")
	help, errOut, code := s.ssh(newcomer)
	if code != 0 {
		t.Fatalf("ssh with no command: exit %d %s", code, errOut)
	}
	one := labelled(t, help, "Run one command:")
	out := h.mustPaste(newcomer, fillTemplate(t, one, "COMMAND [ARGS] [--json]", "program list --json"))
	if !strings.Contains(out, `"slug": "acme"`) {
		t.Errorf("the pasted one-command template listed:\n%s", out)
	}
	signup := labelled(t, help, "A program's signup page:")
	if want := fmt.Sprintf("ssh -p %d SLUG@127.0.0.1", s.sshPort); signup != want {
		t.Fatalf("signup page template %q, want %q", signup, want)
	}
	// Without a terminal the signup page is the help, for the program named.
	out = h.mustPaste(newcomer, fillTemplate(t, signup, "SLUG", "acme"))
	if strings.Contains(out, "no program") || !strings.Contains(out, "join") {
		t.Errorf("the pasted signup template answered:\n%s", out)
	}

	// The public list's join template.
	listed, _, _ := s.ssh(newcomer, "program", "list")
	h.mustPaste(newcomer, fillTemplate(t, h.hint(listed, " join SLUG "), "SLUG", "acme"))
	var partners []struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		Code  string `json:"code"`
	}
	s.sshJSON(admin, &partners, "partner", "list", "acme")
	if len(partners) != 1 || partners[0].Name != "Your Name" || partners[0].Email != "you@example.com" {
		t.Fatalf("the pasted join template made %+v", partners)
	}

	// Paged lists: the "More:" line continues where the page ended.
	mate := newKey(t, "mate")
	s.mustSSH(mate, "join", "acme", "--name", "Mo Mate", "--email", "mo@example.com")
	first := s.mustSSH(admin, "partner", "list", "acme", "--limit", "1")
	out = h.mustPaste(admin, labelled(t, first, "More:"))
	if !strings.Contains(out, "mo@example.com") || strings.Contains(out, "you@example.com") {
		t.Errorf("the pasted More line of partner list:\n%s", out)
	}
	for _, code := range []string{"zzzzzz-spring", "aa-autumn"} {
		s.mustSSH(newcomer, "link", "create", "acme", code)
	}
	first = s.mustSSH(newcomer, "link", "list", "--limit", "2")
	out = h.mustPaste(newcomer, labelled(t, first, "More:"))
	if !strings.Contains(out, "zzzzzz-spring") || strings.Contains(out, "aa-autumn") {
		t.Errorf("the pasted More line of link list:\n%s", out)
	}
}

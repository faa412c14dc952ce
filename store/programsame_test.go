package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestProgramReadSeesAChangeBeforeTheCommit reads a program as a
// conversion does before queueing, changes it, and reads it again inside
// a transaction: the second read must be the changed program, and an
// unchanged one must read the same as before.
func TestProgramReadSeesAChangeBeforeTheCommit(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{CookieDays: intp(7)})
	before, err := e.st.readProgram("acme")
	if err != nil {
		t.Fatal(err)
	}
	inTx := func() Program {
		t.Helper()
		var p Program
		if err := e.st.db.View(func(tx *bolt.Tx) error {
			var err error
			p, err = before.programTx(tx, "acme")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := inTx(); p.CookieDays != 7 || p.Slug != "acme" {
		t.Fatalf("unchanged program read as %+v", p)
	}
	if _, err := e.st.SetProgram(e.admin, "acme", "cookie-days", "9"); err != nil {
		t.Fatal(err)
	}
	if p := inTx(); p.CookieDays != 9 {
		t.Fatalf("after the change the program reads cookie days %d, want 9", p.CookieDays)
	}
	if p, err := e.st.readProgram("acme"); err != nil || p.prog.CookieDays != 9 {
		t.Fatalf("read again: %+v, %v", p.prog, err)
	}
}

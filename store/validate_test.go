package store

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
)

// escapeClasses is the one table of escape-sequence classes.
var escapeClasses = sanitizetest.Classes

func TestEmailAndPayoutAddressValidation(t *testing.T) {
	good := []string{"ann@x.test", "ann.lee+tag@mail.example.com", "o'brien@x.test", "a@b.co", "jürgen@bücher.example"}
	for _, s := range good {
		if err := ValidEmail(s); err != nil {
			t.Errorf("ValidEmail(%q) = %v", s, err)
		}
		if err := ValidPayoutAddress(s); err != nil {
			t.Errorf("ValidPayoutAddress(%q) = %v", s, err)
		}
	}
	bad := []string{"", "ann", "ann@", "@x.test", "Ann <ann@x.test>", "ann @x.test", "ann@x.test ",
		"ann@x.test\n", "a\xffb@x.test", "ann@x\u200b.test", strings.Repeat("a", 250) + "@x.test"}
	for _, ec := range escapeClasses {
		bad = append(bad, "ann"+ec.S+"@x.test", "ann@x.test"+ec.S)
	}
	for _, s := range bad {
		if err := ValidEmail(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidEmail(%q) = %v, want ErrInvalid", s, err)
		}
		if err := ValidPayoutAddress(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("ValidPayoutAddress(%q) = %v, want ErrInvalid", s, err)
		}
	}
	// Formula starters are refused for payout addresses, with a clear reason.
	for _, s := range []string{"=cmd|'/c calc'!A1@x.test", "+1@x.test", "-2+3@x.test", "=HYPERLINK(\"x\")@x.test"} {
		err := ValidPayoutAddress(s)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "formula") {
			t.Errorf("ValidPayoutAddress(%q) = %v, want a formula refusal", s, err)
		}
	}
	// Each class of character gets its own clear message.
	for s, want := range map[string]string{
		"a\u0085@x.test": "C1 control", "a\u202e@x.test": "direction-changing", "a\xff@x.test": "UTF-8",
		"a\x1b@x.test": "control character",
	} {
		if err := ValidEmail(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidEmail(%q) = %v, want %q in it", s, err, want)
		}
	}
}

// Every email and payout address a person can set is refused with a clear
// error when it holds an escape sequence, and nothing changes.
func TestEmailFieldsRefuseEscapes(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	_, pa := e.partner("acme")
	before, err := e.st.UserByID(pa.UserID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ec := range escapeClasses {
		addr := "ann" + ec.S + "@x.test"
		for _, field := range []string{"email", "paypal", "wise"} {
			if _, err := e.st.SetProfile(pa, field, addr, "EUR"); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: profile set %s accepted: %v", ec.Name, field, err)
			}
		}
		if _, err := e.st.CreateUser("Eve", addr, "SHA256:eve-"+ec.Name, "ssh-ed25519 AAAAeve"); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: create user accepted the email: %v", ec.Name, err)
		}
		if _, _, err := e.st.SignUp("Eve", addr, "SHA256:eve2-"+ec.Name, "ssh-ed25519 AAAAeve2", "acme", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: signup accepted the email: %v", ec.Name, err)
		}
		if _, _, err := e.st.RecordConversion("acme", ConversionInput{OrderID: "o-" + ec.Name, CustomerID: "c1",
			CustomerEmail: addr, Amount: "10.00", Currency: "USD", Kind: "sale"}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: conversion accepted the customer email: %v", ec.Name, err)
		}
	}
	for _, s := range []string{"=1+1@x.test", "+x@x.test", "-x@x.test", "@x@x.test"} {
		for _, field := range []string{"paypal", "wise"} {
			if _, err := e.st.SetProfile(pa, field, s, "EUR"); !errors.Is(err, ErrInvalid) {
				t.Errorf("profile set %s %q accepted: %v", field, s, err)
			}
		}
	}
	after, err := e.st.UserByID(pa.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Email != before.Email || after.Payout != nil {
		t.Errorf("refused input changed the user: %+v", after)
	}
}

func FuzzEmailValidators(f *testing.F) {
	for _, s := range []string{"ann@x.test", "=1@x.test", "a\u202e@x.test", "a\x9b@x.test", "Ann <a@x.test>", ""} {
		f.Add(s)
	}
	for _, ec := range escapeClasses {
		f.Add("a" + ec.S + "@x.test")
	}
	f.Fuzz(func(t *testing.T, s string) {
		errE, errP := ValidEmail(s), ValidPayoutAddress(s)
		if errE == nil {
			if !utf8.ValidString(s) || len(s) > MaxEmailLen || !strings.Contains(s, "@") {
				t.Fatalf("ValidEmail accepted %q", s)
			}
			for _, r := range s {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Fatalf("ValidEmail accepted %q with U+%04X", s, r)
				}
			}
		}
		if errP == nil {
			if errE != nil {
				t.Fatalf("payout address %q valid but not an email: %v", s, errE)
			}
			if strings.ContainsRune("=+-@", rune(s[0])) {
				t.Fatalf("payout address %q starts with a formula character", s)
			}
		}
		for _, err := range []error{errE, errP} {
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
		}
	})
}

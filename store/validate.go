package store

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxEmailLen is the longest email address accepted (RFC 5321 path limit).
const MaxEmailLen = 254

// CheckEmailText refuses text that would show as something other than what
// is stored: invalid UTF-8, control characters (C0, DEL, C1, also in their
// UTF-8 form), and invisible format characters such as bidi overrides and
// isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E/F, U+061C) and
// zero-width characters. field names the value in the error.
func CheckEmailText(field, s string) error {
	if !utf8.ValidString(s) {
		return invalid(field, "is not valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			return invalid(field, fmt.Sprintf("must not contain the control character U+%04X", r))
		case r >= 0x80 && r <= 0x9f:
			return invalid(field, fmt.Sprintf("must not contain the C1 control character U+%04X", r))
		case unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029:
			return invalid(field, fmt.Sprintf("must not contain the invisible or direction-changing character U+%04X", r))
		}
	}
	return nil
}

// ValidEmail checks an email address typed by a person (a profile email,
// a signup email): at most MaxEmailLen bytes, no control, bidi or other
// invisible characters, and a bare address (no display name, no
// comments) as net/mail reads it.
func ValidEmail(email string) error { return validAddress("email", email) }

// ValidPayoutAddress checks a payout address (a PayPal or Wise email): what
// ValidEmail checks, and it must not start with =, +, - or @, which a
// spreadsheet would take for a formula when the address reaches a CSV.
func ValidPayoutAddress(email string) error {
	if email != "" && strings.ContainsRune("=+-@", rune(email[0])) {
		return invalid("email", fmt.Sprintf("a payout address must not start with %q (a spreadsheet would run it as a formula)", email[:1]))
	}
	return validAddress("email", email)
}

func validAddress(field, email string) error {
	if email == "" {
		return invalid(field, "must not be empty")
	}
	if len(email) > MaxEmailLen {
		return invalid(field, fmt.Sprintf("is longer than %d bytes", MaxEmailLen))
	}
	if err := CheckEmailText(field, email); err != nil {
		return err
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return invalid(field, fmt.Sprintf("%q is not an email address", email))
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.ContainsFunc(email, unicode.IsSpace) {
		return invalid(field, fmt.Sprintf("%q is not an email address", email))
	}
	return nil
}

package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodesAndMessages(t *testing.T) {
	notFound := Sentinel(ENotFound, "not found")
	conflict := Sentinel(EConflict, "conflict")
	tests := []struct {
		name string
		err  error
		code Code
		msg  string
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("disk on fire"), EInternal, "internal error"},
		{"invalid", Invalid("amount must be positive"), EInvalid, "amount must be positive"},
		{"wrapped invalid", fmt.Errorf("record: %w", Invalid("bad")), EInvalid, "bad"},
		{"bare sentinel", notFound, ENotFound, "not found"},
		{"wrapped sentinel", fmt.Errorf("create program x: program \"x\" already exists: %w", conflict), EConflict, `program "x" already exists`},
		{"sentinel with one segment", fmt.Errorf("partner 3: %w", notFound), ENotFound, "partner 3"},
		{"errorf", Errorf(EForbidden, "only %s", "admins"), EForbidden, "only admins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
			if got := MessageOf(tt.err); got != tt.msg {
				t.Errorf("MessageOf = %q, want %q", got, tt.msg)
			}
		})
	}
}

func TestIsMatchesCode(t *testing.T) {
	notFound := Sentinel(ENotFound, "not found")
	if !errors.Is(fmt.Errorf("x: %w", NotFound("partner 3")), notFound) {
		t.Error("a NotFound error should match the not-found sentinel")
	}
	if errors.Is(Conflict("taken"), notFound) {
		t.Error("a Conflict error matched the not-found sentinel")
	}
	if !errors.Is(fmt.Errorf("x: %w", notFound), notFound) {
		t.Error("wrapped sentinel lost")
	}
	if errors.Is(errors.New("not found"), notFound) {
		t.Error("a plain error with the same text matched")
	}
}

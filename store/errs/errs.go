// Package errs is affogato's one error type for failures a person should
// read: an Error carries a Code (what kind of failure, mapped by each front
// door to an exit status, an HTTP status or a screen message) and a Message
// written for the person at the other end. It follows benbjohnson/wtf's
// Error{Code, Message}.
//
// The store's sentinel errors (store.ErrNotFound, …) are *Error values made
// with Sentinel, so errors.Is(err, store.ErrNotFound) keeps working and
// CodeOf finds the code of any error wrapping one.
package errs

import (
	"errors"
	"fmt"
	"strings"
)

// Code is the kind of a failure.
type Code string

// The codes. Fronts map them: invalid → exit 1 / HTTP 400 or 422,
// not_found → 404, forbidden → 403, conflict → 409, unauthorized → 401,
// unavailable → 503, internal → 500 (message not shown).
const (
	EInvalid      Code = "invalid"
	ENotFound     Code = "not_found"
	EForbidden    Code = "forbidden"
	EConflict     Code = "conflict"
	EUnauthorized Code = "unauthorized"
	EUnavailable  Code = "unavailable"
	EInternal     Code = "internal"
)

// Error is a failure with a code and a message for people.
type Error struct {
	Code    Code
	Message string
	// sentinel marks the store's bare sentinels, whose Message is only
	// their name: MessageOf then reads the words wrapped around them.
	sentinel bool
}

// Error returns the message (or the code when there is none).
func (e *Error) Error() string {
	if e.Message == "" {
		return string(e.Code)
	}
	return e.Message
}

// Is makes errors.Is(err, target) true when target is an *Error of the same
// code: errors.Is(errs.NotFound("partner 3"), store.ErrNotFound) holds.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinel makes a sentinel error of code whose text is name (as
// store.ErrNotFound = errs.Sentinel(errs.ENotFound, "not found")).
func Sentinel(code Code, name string) *Error {
	return &Error{Code: code, Message: name, sentinel: true}
}

// Errorf makes an *Error of code with a formatted message.
func Errorf(code Code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// Invalid is an EInvalid error: bad input, nothing changed.
func Invalid(msg string) *Error { return &Error{Code: EInvalid, Message: msg} }

// NotFound is an ENotFound error.
func NotFound(msg string) *Error { return &Error{Code: ENotFound, Message: msg} }

// Forbidden is an EForbidden error.
func Forbidden(msg string) *Error { return &Error{Code: EForbidden, Message: msg} }

// Conflict is an EConflict error.
func Conflict(msg string) *Error { return &Error{Code: EConflict, Message: msg} }

// Unauthorized is an EUnauthorized error.
func Unauthorized(msg string) *Error { return &Error{Code: EUnauthorized, Message: msg} }

// Internal is an EInternal error; its message is logged, never shown.
func Internal(msg string) *Error { return &Error{Code: EInternal, Message: msg} }

// CodeOf is the code of the first *Error in err's chain: "" for nil,
// EInternal for errors that carry no code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// MessageOf is the message for people of the first *Error in err's chain.
// For a sentinel wrapped with context ("create program x: program \"x\"
// already exists: conflict") it is the words right before the sentinel
// ("program \"x\" already exists"), or the sentinel's own name when there
// are none. Errors without a code give "internal error": their text is for
// the log, not for users.
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "internal error"
	}
	if !e.sentinel {
		return e.Error()
	}
	if seg := segmentBefore(err.Error(), e.Message); seg != "" {
		return seg
	}
	return e.Message
}

// segmentBefore is the ": "-separated segment of msg right before its
// suffix name, or "".
func segmentBefore(msg, name string) string {
	if !strings.HasSuffix(msg, name) {
		return ""
	}
	msg = strings.TrimSuffix(strings.TrimSuffix(msg, name), ": ")
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.TrimSpace(msg)
}

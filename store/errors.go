package store

import "github.com/affogato-sh/affogato/store/errs"

// Sentinel errors that the front doors map to HTTP status codes or
// messages. They are *errs.Error values: errs.CodeOf and errs.MessageOf
// read them (and the words wrapped around them), and errors.Is(err,
// ErrNotFound) also holds for an errs.NotFound("…") made anywhere.
var (
	// ErrNotFound means the record asked for does not exist (or is not
	// visible to the one asking).
	ErrNotFound error = errs.Sentinel(errs.ENotFound, "not found")
	// ErrConflict means the write contradicts what the ledger already holds.
	ErrConflict error = errs.Sentinel(errs.EConflict, "conflict")
	// ErrForbidden means the actor may not do this.
	ErrForbidden error = errs.Sentinel(errs.EForbidden, "not allowed")
	// ErrInvalid means a value is malformed or out of range.
	ErrInvalid error = errs.Sentinel(errs.EInvalid, "invalid")
	// ErrClosed means the store was closed.
	ErrClosed error = errs.Sentinel(errs.EUnavailable, "store closed")
)

// InvalidError carries the field at fault and wraps ErrInvalid.
type InvalidError struct {
	Field string
	Msg   string
}

func (e *InvalidError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// As lets errors.As (and so errs.CodeOf / errs.MessageOf) see an
// InvalidError as an *errs.Error of code invalid with its full message.
func (e *InvalidError) As(target any) bool {
	if t, ok := target.(**errs.Error); ok {
		*t = errs.Invalid(e.Error())
		return true
	}
	return false
}

func invalid(field, msg string) error { return &InvalidError{Field: field, Msg: msg} }

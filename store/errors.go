package store

import "errors"

// Sentinel errors that the front doors map to HTTP status codes or messages.
var (
	// ErrNotFound means the record asked for does not exist (or is not
	// visible to the one asking).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write contradicts what the ledger already holds.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the actor may not do this.
	ErrForbidden = errors.New("not allowed")
	// ErrInvalid means a value is malformed or out of range.
	ErrInvalid = errors.New("invalid")
	// ErrClosed means the store was closed.
	ErrClosed = errors.New("store closed")
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

func invalid(field, msg string) error { return &InvalidError{Field: field, Msg: msg} }

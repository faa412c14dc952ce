package store

import (
	"errors"
	"syscall"

	berrors "go.etcd.io/bbolt/errors"

	"github.com/affogato-sh/affogato/store/errs"
)

// ErrStorage means the data directory refused a write (the disk is full,
// the file system is read-only, an I/O error): the transaction was rolled
// back and nothing changed. errors.Is(err, ErrStorage) holds for a
// *StorageError.
var ErrStorage error = errs.Sentinel(errs.EUnavailable, "storage failure")

// StorageError is a write the data directory refused, with a message for
// people ("the data disk is full …") and the system error underneath.
type StorageError struct {
	Msg string
	Err error
}

func (e *StorageError) Error() string { return e.Msg + " (" + e.Err.Error() + ")" }

// Unwrap gives the system error, so errors.Is(err, syscall.ENOSPC) holds.
func (e *StorageError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrStorage) true.
func (e *StorageError) Is(target error) bool { return target == ErrStorage }

// As lets errs.CodeOf / errs.MessageOf see it as code unavailable with its
// message for people.
func (e *StorageError) As(target any) bool {
	if t, ok := target.(**errs.Error); ok {
		*t = &errs.Error{Code: errs.EUnavailable, Message: e.Msg}
		return true
	}
	return false
}

// storageReason names what the disk refused, for an error message.
func storageReason(err error) (string, bool) {
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return "the data disk is full", true
	case errors.Is(err, syscall.EDQUOT):
		return "the disk quota is used up", true
	case errors.Is(err, syscall.EROFS), errors.Is(err, berrors.ErrDatabaseReadOnly):
		return "the data directory is read-only", true
	case errors.Is(err, syscall.EIO):
		return "the data disk reported an I/O error", true
	}
	return "", false
}

// storageErr turns a failed commit caused by the disk into a
// *StorageError with a clear message; other errors pass unchanged.
func storageErr(err error) error {
	var msg string
	switch {
	case err == nil:
		return nil
	case errors.As(err, new(*StorageError)):
		return err
	case errors.Is(err, syscall.ENOSPC):
		msg = "the server's data disk is full: nothing was saved; free some space and try again"
	case errors.Is(err, syscall.EDQUOT):
		msg = "the server's disk quota is used up: nothing was saved"
	case errors.Is(err, syscall.EROFS), errors.Is(err, berrors.ErrDatabaseReadOnly):
		msg = "the server's data directory is read-only: nothing was saved"
	case errors.Is(err, syscall.EIO):
		msg = "the server's data disk reported an I/O error: nothing was saved"
	default:
		return err
	}
	return &StorageError{Msg: msg, Err: err}
}

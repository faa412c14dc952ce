package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/affogato-sh/affogato/store/errs"
)

func TestStorageErrors(t *testing.T) {
	for errno, want := range map[syscall.Errno]string{
		syscall.ENOSPC: "disk is full", syscall.EROFS: "read-only", syscall.EDQUOT: "quota", syscall.EIO: "I/O error",
	} {
		err := fmt.Errorf("record conversion: commit: %w", storageErr(fmt.Errorf("write db: %w", errno)))
		if !errors.Is(err, ErrStorage) || !errors.Is(err, errno) {
			t.Errorf("%v: not ErrStorage and %v: %v", errno, errno, err)
		}
		if errs.CodeOf(err) != errs.EUnavailable || !strings.Contains(errs.MessageOf(err), want) ||
			!strings.Contains(errs.MessageOf(err), "nothing was saved") {
			t.Errorf("%v: code %s, message %q", errno, errs.CodeOf(err), errs.MessageOf(err))
		}
	}
	other := errors.New("boom")
	if storageErr(other) != other || storageErr(nil) != nil {
		t.Error("other errors must pass unchanged")
	}
}

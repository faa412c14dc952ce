package store

import (
	"fmt"
	"strings"

	"github.com/affogato-sh/affogato/store/errs"
)

// FlagUnderReview replaces a commission's fraud flags in what its partner
// reads: the partner learns that the commission is held for review, never
// which rule caught it.
const FlagUnderReview = "under_review"

// FlaggedError refuses to approve a commission with fraud flags without an
// explicit override. It matches ErrConflict.
type FlaggedError struct {
	ID    uint64
	Flags []string
}

func (e *FlaggedError) Error() string {
	return fmt.Sprintf("commission %d has fraud flags (%s): approving it needs an explicit override",
		e.ID, strings.Join(e.Flags, ", "))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *FlaggedError) Is(target error) bool { return target == ErrConflict }

// As lets errs.CodeOf and errs.MessageOf see a FlaggedError as a conflict
// with its whole message.
func (e *FlaggedError) As(target any) bool {
	if t, ok := target.(**errs.Error); ok {
		*t = errs.Conflict(e.Error())
		return true
	}
	return false
}

// forPartner hides from a partner how the ledger judged their commission:
// the fraud flags of a pending commission become FlagUnderReview (other
// statuses show none), and the record of an override goes.
func (c *Commission) forPartner() {
	if len(c.Flags) > 0 && c.Status == CommissionPending {
		c.Flags = []string{FlagUnderReview}
	} else {
		c.Flags = []string{}
	}
	c.OverrodeFlags = false
	c.DecidedBy = 0
}

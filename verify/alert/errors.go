package alert

import (
	"errors"
	"fmt"

	"github.com/liuhen/liuhen/internal/fielderr"
)

// Errors of the package. Wrapped errors say which value was wrong.
var (
	// ErrNotFound: no finding has the id asked for.
	ErrNotFound = errors.New("no such finding")
	// ErrConflict: the finding's state does not allow the change asked
	// for, such as resolving a resolved finding.
	ErrConflict = errors.New("finding is not in a state that allows this")
	// ErrInvalid: a bad filter, reason or setting. It reaches the caller
	// inside a *fielderr.Error that names the field and says what to do;
	// fielderr.All lists every one.
	ErrInvalid = errors.New("invalid value")
)

// invalid returns the error of a bad field, wrapping ErrInvalid.
func invalid(field, format string, args ...any) error {
	return fielderr.New(ErrInvalid, field, fmt.Sprintf(format, args...))
}

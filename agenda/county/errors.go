package county

import (
	"errors"
	"fmt"
)

// ErrInvalidOptions is wrapped by every error about bad Options; callers
// map it to "bad usage" (CLI exit status 2).
var ErrInvalidOptions = errors.New("invalid county options")

// ErrCountyExists is returned by Generate when the database already holds
// an org unit with the county's code or one of the codes it would write.
// Nothing is written then.
var ErrCountyExists = errors.New("county already exists")

// An OptionError names the option that is wrong and says how to fix it.
type OptionError struct {
	Option string // "decisions", "townships", "share NO_QUORUM", ...
	Reason string
}

func (e *OptionError) Error() string { return e.Option + ": " + e.Reason }

// Unwrap returns ErrInvalidOptions, so errors.Is(err, ErrInvalidOptions)
// holds for every OptionError.
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }

func optionErr(option, format string, args ...any) error {
	return &OptionError{Option: option, Reason: fmt.Sprintf(format, args...)}
}

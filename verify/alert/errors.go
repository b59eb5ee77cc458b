package alert

import "errors"

// Errors of the package. Wrapped errors say which value was wrong.
var (
	// ErrNotFound: no finding has the id asked for.
	ErrNotFound = errors.New("no such finding")
	// ErrConflict: the finding's state does not allow the change asked
	// for, such as resolving a resolved finding.
	ErrConflict = errors.New("finding is not in a state that allows this")
	// ErrInvalid: a bad filter, reason or setting; the error says which.
	ErrInvalid = errors.New("invalid value")
)

// A FieldError names one bad input and what to do about it; it wraps
// ErrInvalid.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// fieldErrors lists every *FieldError inside err (one, or several joined).
func fieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		var fe *FieldError
		switch u := e.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		default:
			if errors.As(e, &fe) {
				out = append(out, fe)
			}
		}
	}
	walk(err)
	return out
}

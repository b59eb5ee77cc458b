// Package fielderr provides the error that names one bad field of an input
// (a query parameter, a body field, a setting) and says how to fix it, and
// finds every such error in an error tree, so that all of them can be told
// at once.
package fielderr

import "github.com/liuhen/liuhen/internal/problem"

// An Error says which field is wrong and what to do about it.
type Error struct {
	Field  string // "limit", "codes", "from", "webhook_url", ...
	Reason string // what is wrong and how to fix it
	Err    error  // the sentinel the owning package documents; may be nil
}

// New returns an *Error of field wrapping sentinel.
func New(sentinel error, field, reason string) *Error {
	return &Error{Field: field, Reason: reason, Err: sentinel}
}

func (e *Error) Error() string { return e.Field + ": " + e.Reason }

// Unwrap returns the sentinel, so errors.Is(err, sentinel) holds.
func (e *Error) Unwrap() error { return e.Err }

// All lists every *Error inside err, which may be a single one or several
// joined with errors.Join, and wrapped, in the order they were joined.
func All(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(e error) {
		switch u := e.(type) {
		case *Error:
			out = append(out, u)
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// Problems lists every *Error inside err as the fields of a problem
// document (problem.BadRequest).
func Problems(err error) []problem.FieldError {
	all := All(err)
	out := make([]problem.FieldError, len(all))
	for i, e := range all {
		out[i] = problem.FieldError{Field: e.Field, Reason: e.Reason}
	}
	return out
}

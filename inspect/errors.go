package inspect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
)

var (
	// ErrInvalid means a request is not acceptable. Errors matching it are
	// *InputError values listing every bad field.
	ErrInvalid = errors.New("invalid input")

	// ErrNotFound means the agenda item, or the token, asked for does not
	// exist.
	ErrNotFound = errors.New("not found")

	// ErrUnknownToken means an inspector token is unknown, expired or
	// revoked. It matches access.ErrUnknownToken.
	ErrUnknownToken = fmt.Errorf("unknown, expired or revoked inspector token: %w",
		access.ErrUnknownToken)

	// ErrNotSwept means a has_findings query came before any sweep of the
	// findings had completed: there is nothing yet to answer it from.
	ErrNotSwept = errors.New("the findings have not been swept yet")
)

// InputError lists every bad field of a request and what to do about each.
// It matches ErrInvalid.
type InputError struct {
	Fields []problem.FieldError
}

func (e *InputError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *InputError) Unwrap() error { return ErrInvalid }

// fieldErrors collects bad fields; err returns nil when there are none.
type fieldErrors []problem.FieldError

func (fe *fieldErrors) add(field, reason string) {
	*fe = append(*fe, problem.FieldError{Field: field, Reason: reason})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &InputError{Fields: fe}
}

// inputError is one bad field as an *InputError.
func inputError(field, reason string) error {
	var fe fieldErrors
	fe.add(field, reason)
	return fe.err()
}

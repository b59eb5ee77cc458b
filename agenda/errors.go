package agenda

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
)

var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("not found")

	// ErrConflict means the record would duplicate one that exists, such as
	// a second org unit with the same code. Errors matching it are
	// *ConflictError values naming the field.
	ErrConflict = errors.New("conflict")

	// ErrInvalid means the input is not acceptable. Errors matching it are
	// *ValidationError values that list every bad field.
	ErrInvalid = errors.New("invalid input")

	// ErrNoOpenRecording means an agenda item was marked while its meeting
	// is not being recorded.
	ErrNoOpenRecording = errors.New("the meeting is not being recorded: " +
		"start publishing the meeting before marking agenda items")

	// ErrNoOpenIndexPoint means the end of an agenda item was marked before
	// its start.
	ErrNoOpenIndexPoint = errors.New("the agenda item has no open index point " +
		"in the current recording: mark its start first")

	// ErrUnknownToken means a publish token is unknown or expired. It matches
	// access.ErrUnknownToken, as the access.TokenLookup contract asks.
	ErrUnknownToken = fmt.Errorf("unknown or expired publish token: %w",
		access.ErrUnknownToken)
)

// ValidationError lists every field of an input that is not acceptable and
// what is wrong with it. It matches ErrInvalid.
type ValidationError struct {
	Fields []problem.FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

// ConflictError names the field whose value is already taken. It matches
// ErrConflict.
type ConflictError struct {
	Field  string
	Reason string
}

func (e *ConflictError) Error() string {
	if e.Field == "" {
		return "conflict: " + e.Reason
	}
	return "conflict: " + e.Field + " " + e.Reason
}

func (e *ConflictError) Unwrap() error { return ErrConflict }

// fieldErrors collects the bad fields of one input.
type fieldErrors []problem.FieldError

func (f *fieldErrors) add(field, reason string) {
	*f = append(*f, problem.FieldError{Field: field, Reason: reason})
}

// err returns a *ValidationError, or nil when no field is bad.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}

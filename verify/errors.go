package verify

import (
	"errors"
	"fmt"

	"github.com/liuhen/liuhen/internal/fielderr"
)

// ErrInvalidOptions is wrapped by every error about bad Options: an unknown
// finding code, org unit or format, or a period that ends before it starts.
// Callers map it to "bad usage" (HTTP 400, CLI exit status 2).
var ErrInvalidOptions = errors.New("invalid verify options")

// Errors about one option; each wraps ErrInvalidOptions and reaches the
// caller inside an *OptionError that names the option. ErrOutOfScope: the
// unit or the period leaves out the meeting asked for, and every decision
// linked to it.
var (
	ErrUnknownCode    = fmt.Errorf("%w: unknown finding code", ErrInvalidOptions)
	ErrNoRule         = fmt.Errorf("%w: no rule left to run", ErrInvalidOptions)
	ErrUnknownUnit    = fmt.Errorf("%w: unknown org unit", ErrInvalidOptions)
	ErrUnknownMeeting = fmt.Errorf("%w: unknown meeting", ErrInvalidOptions)
	ErrOutOfScope     = fmt.Errorf("%w: meeting outside the unit or period", ErrInvalidOptions)
	ErrBadPeriod      = fmt.Errorf("%w: bad period", ErrInvalidOptions)
	ErrBadYear        = fmt.Errorf("%w: year out of range", ErrBadPeriod)
	ErrUnknownFormat  = fmt.Errorf("%w: unknown report format", ErrInvalidOptions)
	ErrBadOption      = fmt.Errorf("%w: bad value", ErrInvalidOptions)
)

// ErrObjectMissing is what an ObjectChecker returns (possibly wrapped) when
// no object has the key asked for; the adapter over the evidence store
// translates the store's own not-found error into it.
var ErrObjectMissing = errors.New("object missing")

// ErrObjectUnreadable is what an ObjectChecker's Rehash returns (possibly
// wrapped) when the store holds an object under the key but cannot read
// its bytes back: they are damaged where the store keeps them. It is a
// finding about that segment, not a failure of the run.
var ErrObjectUnreadable = errors.New("object unreadable")

// ErrStoreUnavailable is what an ObjectChecker returns (possibly wrapped)
// when the evidence store did not answer in time; the check may succeed
// later. The HTTP handler answers it with 503 and Retry-After.
var ErrStoreUnavailable = errors.New("evidence store unavailable")

// ErrNoObjectChecker is returned by Run when the RECORDING_TAMPERED rule is
// selected but no ObjectChecker was given.
var ErrNoObjectChecker = errors.New("no object checker for RECORDING_TAMPERED")

// An OptionError says which option is wrong (Field: "codes", "unit",
// "from", "to", "format", ...) and what to do about it (Reason); its Err is
// one of the sentinels above.
type OptionError = fielderr.Error

// OptionErrors lists every *OptionError inside err, which may be a single
// one or several joined with errors.Join (and wrapped).
func OptionErrors(err error) []*OptionError { return fielderr.All(err) }

package viewing

import "errors"

// Errors of the package; match them with errors.Is.
var (
	// ErrNotFound means the recording does not exist, or has no viewing copy
	// yet.
	ErrNotFound = errors.New("not found")

	// ErrNoSource means the recording has no stored segment to make a copy
	// from, and none is on its way (see ErrNotReady). Trying again does not
	// help, so the job gives up at once.
	ErrNoSource = errors.New("recording has no stored segments")

	// ErrNotReady means segments of the recording are still on their way
	// to the evidence store: its sessions wrote more than are catalogued, or
	// some wait in the spool (MinIO was down). The job waits for them
	// without spending an attempt.
	ErrNotReady = errors.New("segments are still being stored; the copy waits for them")

	// ErrSourceIncomplete means the catalogue lists the track's segments with
	// a gap in their sequence: a segment may still be on its way from the
	// capture spool. The job tries again later.
	ErrSourceIncomplete = errors.New("segment sequence has a gap")

	// ErrSourceChanged means a master segment read back from the evidence
	// store has another size or SHA-256 than its catalogue row: it was
	// replaced or damaged. No copy is made from it; run `liuhen verify
	// --rehash`.
	ErrSourceChanged = errors.New("master segment does not match its catalogued SHA-256")

	// ErrBadSource means an input file could not be read or decoded as the
	// Matroska/WebM segments Liuhen writes.
	ErrBadSource = errors.New("input is not a readable media segment")

	// ErrTranscode means FFmpeg's libraries failed while filtering, encoding
	// or muxing; the message names the step.
	ErrTranscode = errors.New("transcoding failed")

	// ErrConfig means a Config field is out of range; the message names it.
	ErrConfig = errors.New("bad viewing-copy configuration")
)

package evidence

import "errors"

// Errors of the export. Each is wrapped with the decision or agenda item
// and what to do, so match them with errors.Is.
var (
	// ErrNotFound means the decision or agenda item to export does not
	// exist. A Catalog returns an error matching it for an unknown id.
	ErrNotFound = errors.New("does not exist")

	// ErrIncomplete means the subject exists but has nothing a bundle could
	// hold yet: a decision linked to no agenda item, an item without index
	// points, a stretch no stored segment overlaps, a recording still
	// being recorded.
	ErrIncomplete = errors.New("cannot be exported")

	// ErrObjectMissing is what an Objects implementation returns (wrapped)
	// when no object is stored under a key.
	ErrObjectMissing = errors.New("object not found")

	// ErrSegmentMissing means a segment the catalogue lists is not in the
	// evidence store.
	ErrSegmentMissing = errors.New("segment missing from the evidence store")

	// ErrSegmentMismatch means a stored segment's bytes or size are not
	// the ones catalogued when it was recorded: the export refuses it.
	ErrSegmentMismatch = errors.New("segment does not match its catalogued SHA-256")

	// ErrUnavailable is what an Objects implementation returns (wrapped)
	// when the evidence store does not answer; the export may succeed later.
	ErrUnavailable = errors.New("the evidence store is unreachable")
)

// Errors of signing keys.
var (
	// ErrKeyExists means keygen was asked to write over an existing key.
	ErrKeyExists = errors.New("signing key file already exists")

	// ErrNoKey means the signing key file does not exist.
	ErrNoKey = errors.New("no signing key file")

	// ErrBadKey means a key file or a public key given on the command line
	// cannot be read as an Ed25519 key.
	ErrBadKey = errors.New("not an Ed25519 key")
)

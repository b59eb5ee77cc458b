package evidence

import (
	"context"
	"io"
)

// A Catalog reads what the database holds about the subject of a bundle.
// Its methods are called one after the other, never at once.
type Catalog interface {
	// DecisionItem returns the id of the agenda item decision id is linked
	// to, 0 when it is linked to none. An unknown decision is an error
	// matching ErrNotFound.
	DecisionItem(ctx context.Context, id int64) (int64, error)
	// AgendaItem returns what a bundle of agenda item id is made of: the
	// records (the item, its meeting and the meeting's body, the decisions
	// linked to the item, their matters and the item's, the recordings its
	// index points name), its index points, and every catalogued segment,
	// of every track, of those recordings. An unknown item is an error
	// matching ErrNotFound.
	AgendaItem(ctx context.Context, id int64) (Item, error)
}

// Item is what the catalogue holds about one agenda item.
type Item struct {
	ID          int64
	MeetingID   int64
	Records     []Record
	IndexPoints []IndexPoint
	Recordings  []Recording
	Segments    []Segment
}

// Record is one database record the bundle holds as JSON, under
// records/{kind}-{id}.json. Value is marshalled with encoding/json.
type Record struct {
	Kind  string
	ID    int64
	Value any
}

// The kinds of record.
const (
	RecordMeeting    = "meeting"
	RecordBody       = "body"
	RecordAgendaItem = "agenda-item"
	RecordDecision   = "decision"
	RecordMatter     = "matter"
	RecordRecording  = "recording"
)

// IndexPoint is a stretch of a recording, in milliseconds of its media
// time, in which the agenda item was discussed. EndMs is nil while the
// item is still being discussed.
type IndexPoint struct {
	RecordingID int64
	StartMs     int64
	EndMs       *int64
}

// Recording is a recording an index point names, with its state:
// "recording" while it goes on, else "finished" or "interrupted".
type Recording struct {
	ID    int64
	State string
}

// stateRecording is the state of a recording that goes on.
const stateRecording = "recording"

// Segment is the catalogue entry of one stored master segment.
type Segment struct {
	RecordingID  int64
	TrackID      int64
	Seq          int
	ObjectKey    string
	SHA256       [32]byte // computed while the segment was recorded
	Size         int64
	MediaStartMs int64 // on the recording's timeline
	MediaEndMs   int64
}

// Objects reads segments from the evidence store. Both methods return an
// error matching ErrObjectMissing when no object is stored under key, and
// one matching ErrUnavailable when the store does not answer.
type Objects interface {
	// Stat describes the object stored under key.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Open returns the object's bytes, exactly as stored.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// ObjectInfo is what the evidence store says of an object.
type ObjectInfo struct {
	Size int64
	// SHA256 is the digest the store checked on receipt; HasSHA256 is
	// false when the object was stored without one.
	SHA256    [32]byte
	HasSHA256 bool
}

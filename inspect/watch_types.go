package inspect

import (
	"time"

	"github.com/liuhen/liuhen/verify"
)

// Watch is what the watch page of an agenda item shows: the item and its
// meeting, the meeting's items as chapters of the recording, the
// recording it plays with its segments' hashes, and the verifier's verdict
// on the decisions taken at the meeting.
type Watch struct {
	AgendaItem ItemRef       `json:"agenda_item"`
	Meeting    MeetingRef    `json:"meeting"`
	Body       BodyRef       `json:"body"`
	Unit       UnitRef       `json:"unit"`
	Matter     *MatterRef    `json:"matter"`
	HeldAt     time.Time     `json:"held_at"`
	Decisions  []DecisionRef `json:"decisions"` // linked to this item
	// Chapters are the meeting's agenda items in order, each with where it
	// lies in the played recording.
	Chapters   []Chapter      `json:"chapters"`
	Recordings []RecordingRef `json:"recordings"` // every recording of the meeting
	// Playback is the recording the page plays: the one holding the item's
	// first index point, else the meeting's latest with a viewing copy,
	// else its latest; nil when the meeting has none.
	Playback     *Playback    `json:"playback"`
	Verification Verification `json:"verification"`
}

// Chapter is an agenda item of the meeting. StartMs and EndMs are its
// first index point in the played recording; nil when it has none there.
type Chapter struct {
	AgendaItem  ItemRef      `json:"agenda_item"`
	Matter      string       `json:"matter"`
	IndexPoints []IndexPoint `json:"index_points"`
	StartMs     *int64       `json:"start_ms"`
	EndMs       *int64       `json:"end_ms"`
}

// Playback is the recording the watch page plays. Its viewing copy keeps
// the recording's timeline, so an index point's start_ms is the same
// position in the copy. StartMs is where the watched item starts (0 when
// it has no index point in this recording).
type Playback struct {
	RecordingRef
	StartMs     int64        `json:"start_ms"`
	EndMs       *int64       `json:"end_ms"`
	ViewingCopy *ViewingCopy `json:"viewing_copy"`
	Tracks      []Track      `json:"tracks"`
}

// ViewingCopy is the recording's MP4 for browsers. URL, valid until
// URLExpiresAt, is a presigned link to the evidence store, which answers
// range requests, so the player seeks without downloading the whole copy.
type ViewingCopy struct {
	State        string     `json:"state"`
	ObjectKey    string     `json:"object_key,omitempty"`
	SHA256       string     `json:"sha256,omitempty"`
	Size         int64      `json:"size,omitempty"`
	DurationMs   int64      `json:"duration_ms,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	URL          string     `json:"url,omitempty"`
	URLExpiresAt *time.Time `json:"url_expires_at,omitempty"`
}

// Track is one publisher's stream of the recording, with its segments.
type Track struct {
	ID              int64     `json:"id"`
	State           string    `json:"state"`
	AudioCodec      string    `json:"audio_codec"`
	VideoCodec      string    `json:"video_codec"`
	EndReason       string    `json:"end_reason"`
	SegmentsWritten *int      `json:"segments_written"`
	Segments        []Segment `json:"segments"`
}

// Segment is one stored segment: the evidence master's object, the
// SHA-256 computed while it was written, and where it lies.
type Segment struct {
	Seq          int       `json:"seq"`
	ObjectKey    string    `json:"object_key"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	MediaStartMs int64     `json:"media_start_ms"`
	MediaEndMs   int64     `json:"media_end_ms"`
	WallStart    time.Time `json:"wall_start"`
	WallEnd      time.Time `json:"wall_end"`
	Gaps         []Gap     `json:"gaps"`
}

// Gap is a stretch of a segment without media the publisher sent.
type Gap struct {
	Kind        string `json:"kind"`
	StartMs     int64  `json:"start_ms"`
	EndMs       int64  `json:"end_ms"`
	LostPackets int    `json:"lost_packets"`
}

// Verification states of a watch page.
const (
	VerifyPass        = "pass"         // no decision of the meeting has findings
	VerifyFail        = "fail"         // some have; Findings lists them
	VerifyNoDecisions = "no_decisions" // no decision is linked to the meeting's items
	VerifyUnavailable = "unavailable"  // the verifier could not run; Message says why
)

// Verification is the verifier's verdict (verify.Run, every rule, objects
// checked for presence and size) on the decisions linked to the meeting's
// agenda items.
type Verification struct {
	Status    string                  `json:"status"`
	Message   string                  `json:"message,omitempty"`
	CheckedAt time.Time               `json:"checked_at"`
	Decisions []verify.DecisionResult `json:"decisions"`
	Findings  []verify.Finding        `json:"findings"`
}

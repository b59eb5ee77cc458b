// Package capture records meeting rooms that publish over WHIP: one session
// per publisher, RTP through pion's interceptors, frames remuxed without
// re-encoding into self-contained segments that are handed to the evidence
// store and catalogued in the database.
package capture

import (
	"context"
	"net/http"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/access"
)

// Catalog keeps the rows that describe recordings. The agenda store
// implements it.
type Catalog interface {
	// MeetingExists reports whether the meeting is known.
	MeetingExists(ctx context.Context, meetingID int64) (bool, error)
	// OpenTrack adds a publisher's track to the meeting's open recording,
	// opening a recording first when the meeting has none.
	OpenTrack(ctx context.Context, meetingID int64, sessionID, audioCodec, videoCodec string,
		now time.Time) (agenda.TrackRef, error)
	// AddSegment records a segment that is safely stored.
	AddSegment(ctx context.Context, trackID int64, seg agenda.SegmentRow) error
	// CloseTrack ends a track with the state "finished" or "interrupted",
	// why, and how many segments its session wrote; the recording ends
	// with its last open track.
	CloseTrack(ctx context.Context, trackID int64, end agenda.TrackEnd) error
}

// ObjectStore keeps evidence objects. PutFile must have the store verify
// sum on receipt and refuse the object when the bytes do not match.
type ObjectStore interface {
	PutFile(ctx context.Context, key, path string, sum [32]byte, contentType string) error
}

// Authenticator tells who sent a request; an error means the request
// carries no valid credentials.
type Authenticator interface {
	Authenticate(r *http.Request) (access.Principal, error)
}

var _ access.LiveSessions = (*Server)(nil)

// Track states as the catalog stores them.
const (
	stateFinished    = "finished"
	stateInterrupted = "interrupted"
)

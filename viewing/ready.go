package viewing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Spool tells which segments of a track still wait in a recorder's spool
// to be stored; capture.Server is one. PendingSegments is called from the
// copy workers while the recorder runs.
type Spool interface {
	PendingSegments(trackID int64) int
}

// Waits of a recording that is not ready. A recording whose tracks wrote
// more segments than are catalogued waits at most notReadyPatience after
// it ended for them, then its copy is made from what is stored (or fails
// when nothing is): a segment set aside as unstorable never comes. One
// whose segments wait in this process's spool waits as long as they do.
const (
	snoozeNotReady   = 30 * time.Second
	notReadyPatience = 24 * time.Hour
)

// trackCount is what the catalogue says of one track of a recording.
type trackCount struct {
	id         int64
	written    *int // segments its session wrote; nil when unknown (a crash)
	catalogued int
}

// checkReady returns an error matching ErrNotReady when segments of the
// recording are still on their way to the evidence store: written by its
// sessions but not catalogued, or waiting in spool.
func (m *maker) checkReady(ctx context.Context, recordingID int64) error {
	tracks, recent, err := m.store.trackCounts(ctx, recordingID)
	if err != nil {
		return err
	}
	for _, t := range tracks {
		if m.spool != nil {
			if n := m.spool.PendingSegments(t.id); n > 0 {
				return fmt.Errorf("recording %d: track %d has %d segments waiting in the "+
					"spool: %w", recordingID, t.id, n, ErrNotReady)
			}
		}
		if recent && t.written != nil && *t.written > t.catalogued {
			return fmt.Errorf("recording %d: track %d wrote %d segments, %d are catalogued: "+
				"%w", recordingID, t.id, *t.written, t.catalogued, ErrNotReady)
		}
	}
	return nil
}

// trackCounts returns the recording's tracks with their written and
// catalogued segments, and whether the recording ended less than
// notReadyPatience ago (or has not ended). A recording that does not
// exist has no tracks.
func (s *store) trackCounts(ctx context.Context, recordingID int64) ([]trackCount, bool,
	error) {
	var recent bool
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(ended_at > now() - $2::interval, true)
		FROM recordings WHERE id = $1`, recordingID, notReadyPatience).Scan(&recent)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read recording %d: %w", recordingID, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.segments_written,
			(SELECT count(*) FROM segments g WHERE g.track_id = t.id)
		FROM tracks t WHERE t.recording_id = $1 ORDER BY t.id`, recordingID)
	if err != nil {
		return nil, false, fmt.Errorf("count segments of recording %d: %w", recordingID, err)
	}
	tracks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (trackCount, error) {
		var t trackCount
		err := row.Scan(&t.id, &t.written, &t.catalogued)
		return t, err
	})
	if err != nil {
		return nil, false, fmt.Errorf("count segments of recording %d: %w", recordingID, err)
	}
	return tracks, recent, nil
}

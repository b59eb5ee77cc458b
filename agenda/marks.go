package agenda

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The actions of Mark.
const (
	MarkStart = "start"
	MarkEnd   = "end"
)

const indexPointColumns = `ip.id, ip.agenda_item_id, ip.recording_id, ip.start_ms, ip.end_ms,
	ip.created_at`

// MaxOffsetMs bounds an index point's offsets: no meeting is recorded for
// more than 48 hours in one recording.
const MaxOffsetMs = 48 * 60 * 60 * 1000

func scanIndexPoint(row pgx.Row) (IndexPoint, error) {
	var p IndexPoint
	err := row.Scan(&p.ID, &p.AgendaItemID, &p.RecordingID, &p.StartMs, &p.EndMs, &p.CreatedAt)
	return p, err
}

// Mark records, at the wall-clock instant at, that the discussion of an
// agenda item starts or ends in its meeting's open recording. "start" opens
// an index point at at's offset from the recording's time zero (starting an
// item that is already open returns its open point); "end" closes the
// item's latest open point. An unknown item is ErrNotFound; a meeting that
// is not being recorded is ErrNoOpenRecording; an end without a start is
// ErrNoOpenIndexPoint.
func (s *Store) Mark(ctx context.Context, itemID int64, action string, at time.Time) (
	IndexPoint, error) {
	if action != MarkStart && action != MarkEnd {
		var fe fieldErrors
		fe.add("action", `must be "start" or "end"`)
		return IndexPoint{}, fmt.Errorf("mark agenda item %d: %w", itemID, fe.err())
	}
	var p IndexPoint
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		recordingID, zero, err := lockForMark(ctx, tx, itemID)
		if err != nil {
			return err
		}
		offset := max(at.Sub(zero).Milliseconds(), 0)
		if action == MarkStart {
			p, err = startIndexPoint(ctx, tx, itemID, recordingID, offset)
		} else {
			p, err = endIndexPoint(ctx, tx, itemID, recordingID, offset)
		}
		return err
	})
	if err != nil {
		return IndexPoint{}, fmt.Errorf("mark agenda item %d: %w", itemID, err)
	}
	return p, nil
}

// lockForMark locks the item against concurrent marks and its meeting's open
// recording against closing, and returns the recording and its time zero.
func lockForMark(ctx context.Context, tx pgx.Tx, itemID int64) (int64, time.Time, error) {
	var meetingID int64
	err := tx.QueryRow(ctx, `SELECT meeting_id FROM agenda_items WHERE id = $1 FOR UPDATE`,
		itemID).Scan(&meetingID)
	if err != nil {
		return 0, time.Time{}, notFound(err)
	}
	var recordingID int64
	var zero time.Time
	err = tx.QueryRow(ctx, `SELECT id, started_at FROM recordings
		WHERE meeting_id = $1 AND state = 'recording' FOR SHARE`, meetingID).
		Scan(&recordingID, &zero)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, fmt.Errorf("meeting %d: %w", meetingID, ErrNoOpenRecording)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("find open recording: %w", err)
	}
	return recordingID, zero, nil
}

func startIndexPoint(ctx context.Context, tx pgx.Tx, itemID, recordingID, startMs int64) (
	IndexPoint, error) {
	p, err := scanIndexPoint(tx.QueryRow(ctx, `SELECT `+indexPointColumns+` FROM index_points ip
		WHERE ip.agenda_item_id = $1 AND ip.recording_id = $2 AND ip.end_ms IS NULL
		ORDER BY ip.start_ms DESC, ip.id DESC LIMIT 1`, itemID, recordingID))
	if err == nil || !errors.Is(err, pgx.ErrNoRows) {
		return p, err
	}
	p, err = scanIndexPoint(tx.QueryRow(ctx, `
		INSERT INTO index_points AS ip (agenda_item_id, recording_id, start_ms)
		VALUES ($1, $2, $3) RETURNING `+indexPointColumns, itemID, recordingID, startMs))
	if err != nil {
		return IndexPoint{}, fmt.Errorf("add index point: %w", err)
	}
	return p, nil
}

func endIndexPoint(ctx context.Context, tx pgx.Tx, itemID, recordingID, endMs int64) (
	IndexPoint, error) {
	p, err := scanIndexPoint(tx.QueryRow(ctx, `
		UPDATE index_points AS ip SET end_ms = GREATEST($3, ip.start_ms)
		WHERE ip.id = (SELECT id FROM index_points
			WHERE agenda_item_id = $1 AND recording_id = $2 AND end_ms IS NULL
			ORDER BY start_ms DESC, id DESC LIMIT 1)
		RETURNING `+indexPointColumns, itemID, recordingID, endMs))
	if errors.Is(err, pgx.ErrNoRows) {
		return IndexPoint{}, ErrNoOpenIndexPoint
	}
	if err != nil {
		return IndexPoint{}, fmt.Errorf("end index point: %w", err)
	}
	return p, nil
}

// AddIndexPoint ties the stretch [startMs, endMs) of a recording of the
// item's meeting to the item, for index points set afterwards from the
// recording. endMs nil leaves the stretch open. An unknown item is
// ErrNotFound; an unknown recording, or one of another meeting, is a
// *ValidationError.
func (s *Store) AddIndexPoint(ctx context.Context, itemID, recordingID int64, startMs int64,
	endMs *int64) (IndexPoint, error) {
	var fe fieldErrors
	fe.checkID("recording_id", recordingID)
	if startMs < 0 {
		fe.add("start_ms", "must not be negative")
	}
	if endMs != nil && *endMs < startMs {
		fe.add("end_ms", "must not be before start_ms")
	}
	if err := fe.err(); err != nil {
		return IndexPoint{}, fmt.Errorf("add index point: %w", err)
	}
	// TODO(index-bounds): offsets past the recording's end are accepted; the
	// verifier reports them as not covered. Checking them against the stored
	// segments here would refuse them at once.
	p, err := scanIndexPoint(s.pool.QueryRow(ctx, `
		INSERT INTO index_points AS ip (agenda_item_id, recording_id, start_ms, end_ms)
		SELECT ai.id, r.id, $3, $4 FROM agenda_items ai
		JOIN recordings r ON r.meeting_id = ai.meeting_id AND r.id = $2
		WHERE ai.id = $1
		RETURNING `+indexPointColumns, itemID, recordingID, startMs, endMs))
	if errors.Is(err, pgx.ErrNoRows) {
		return IndexPoint{}, fmt.Errorf("add index point: %w",
			s.explainIndexPoint(ctx, itemID, recordingID))
	}
	if err != nil {
		return IndexPoint{}, fmt.Errorf("add index point: %w", err)
	}
	return p, nil
}

// explainIndexPoint says why AddIndexPoint inserted nothing.
func (s *Store) explainIndexPoint(ctx context.Context, itemID, recordingID int64) error {
	var itemMeeting, recMeeting *int64
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT meeting_id FROM agenda_items WHERE id = $1),
		(SELECT meeting_id FROM recordings WHERE id = $2)`, itemID, recordingID).
		Scan(&itemMeeting, &recMeeting)
	var fe fieldErrors
	switch {
	case err != nil:
		return err
	case itemMeeting == nil:
		return fmt.Errorf("agenda item %d: %w", itemID, ErrNotFound)
	case recMeeting == nil:
		fe.add("recording_id", missingReason("recording_id"))
	default:
		fe.add("recording_id", fmt.Sprintf("is a recording of meeting %d, "+
			"not of the item's meeting %d", *recMeeting, *itemMeeting))
	}
	return fe.err()
}

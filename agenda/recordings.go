package agenda

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// errRecordingRace means another transaction opened or closed the meeting's
// recording while OpenTrack ran; OpenTrack tries again.
var errRecordingRace = errors.New("open recording changed concurrently")

// openTrackAttempts bounds OpenTrack's retries after errRecordingRace.
const openTrackAttempts = 5

// OpenTrack adds a publisher's track to the meeting's open recording,
// opening a recording that starts at now when there is none. The meeting
// counts as started only once a segment is stored (AddSegment): a publisher
// that never sends media leaves no trace on the meeting. The track belongs
// to the store's recorder, if any (see As). An unknown meeting is
// ErrNotFound; a session id already used is a *ConflictError.
func (s *Store) OpenTrack(ctx context.Context, meetingID int64, sessionID, audioCodec,
	videoCodec string, now time.Time) (TrackRef, error) {
	var fe fieldErrors
	fe.checkText("session_id", sessionID, maxName, false)
	fe.checkText("audio_codec", audioCodec, maxName, true)
	fe.checkText("video_codec", videoCodec, maxName, true)
	if err := fe.err(); err != nil {
		return TrackRef{}, fmt.Errorf("open track: %w", err)
	}
	for range openTrackAttempts {
		ref, err := s.openTrackOnce(ctx, meetingID, sessionID, audioCodec, videoCodec, now)
		if !errors.Is(err, errRecordingRace) {
			return ref, err
		}
	}
	return TrackRef{}, fmt.Errorf("open track for meeting %d: %w", meetingID, errRecordingRace)
}

func (s *Store) openTrackOnce(ctx context.Context, meetingID int64, sessionID, audioCodec,
	videoCodec string, now time.Time) (TrackRef, error) {
	ref := TrackRef{MeetingID: meetingID}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		ref.RecordingID, ref.Zero, err = openRecording(ctx, tx, meetingID, now)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO tracks (recording_id, session_id, audio_codec, video_codec, state,
				started_at, recorder_id)
			VALUES ($1, $2, $3, $4, 'recording', $5, $6) RETURNING id`,
			ref.RecordingID, sessionID, audioCodec, videoCodec, now, s.recorderID).
			Scan(&ref.TrackID)
		if err != nil {
			return fmt.Errorf("add track: %w", translate(err))
		}
		return nil
	})
	if err != nil {
		return TrackRef{}, fmt.Errorf("open track for meeting %d: %w", meetingID, err)
	}
	return ref, nil
}

// openRecording finds the meeting's open recording, locking it against
// closing, or opens one. The partial unique index recordings_open_idx lets
// only one of concurrent openers insert; the others get errRecordingRace.
func openRecording(ctx context.Context, tx pgx.Tx, meetingID int64, now time.Time) (
	int64, time.Time, error) {
	var id int64
	var zero time.Time
	err := tx.QueryRow(ctx, `SELECT id, started_at FROM recordings
		WHERE meeting_id = $1 AND state = 'recording' FOR SHARE`, meetingID).Scan(&id, &zero)
	if err == nil {
		return id, zero, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, fmt.Errorf("find open recording: %w", err)
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO recordings (meeting_id, state, started_at) VALUES ($1, 'recording', $2)
		ON CONFLICT (meeting_id) WHERE state = 'recording' DO NOTHING
		RETURNING id, started_at`, meetingID, now).Scan(&id, &zero)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, time.Time{}, errRecordingRace
	case isForeignKeyViolation(err):
		return 0, time.Time{}, fmt.Errorf("meeting %d: %w", meetingID, ErrNotFound)
	case err != nil:
		return 0, time.Time{}, fmt.Errorf("open recording: %w", err)
	}
	return id, zero, nil
}

func isForeignKeyViolation(err error) bool {
	var ve *ValidationError
	return err != nil && errors.As(translate(err), &ve)
}

// AddSegment catalogues a stored segment of a track. Adding the same
// segment again (same seq, key, hash and size) does nothing, so that a
// retried upload may record it twice; a different segment under a taken seq
// or key is a *ConflictError. An unknown track is ErrNotFound. Segments may
// arrive after their track closed, from the local spool.
func (s *Store) AddSegment(ctx context.Context, trackID int64, seg SegmentRow) error {
	if err := checkSegment(seg); err != nil {
		return fmt.Errorf("add segment to track %d: %w", trackID, err)
	}
	kinds, starts, ends, lost := gapColumns(seg.Gaps)
	// The segment, its gaps and the meeting's actual start (the wall-clock
	// start of the first media stored for it) in one statement.
	tag, err := s.pool.Exec(ctx, `
		WITH g AS (
			INSERT INTO segments (track_id, seq, object_key, sha256, size_bytes,
				media_start_ms, media_end_ms, wall_start, wall_end)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (track_id, seq) DO NOTHING
			RETURNING id, track_id, wall_start
		), gp AS (
			INSERT INTO segment_gaps (segment_id, kind, start_ms, end_ms, lost_packets)
			SELECT g.id, x.kind, x.start_ms, x.end_ms, x.lost
			FROM g, unnest($10::text[], $11::bigint[], $12::bigint[], $13::int[])
				AS x(kind, start_ms, end_ms, lost)
			ON CONFLICT DO NOTHING
		), m AS (
			UPDATE meetings m SET started_at = g.wall_start
			FROM g JOIN tracks t ON t.id = g.track_id JOIN recordings r ON r.id = t.recording_id
			WHERE m.id = r.meeting_id AND (m.started_at IS NULL OR m.started_at > g.wall_start)
		)
		SELECT 1 FROM g`,
		trackID, seg.Seq, seg.ObjectKey, seg.SHA256[:], seg.Size,
		seg.MediaStart.Milliseconds(), seg.MediaEnd.Milliseconds(), seg.WallStart, seg.WallEnd,
		kinds, starts, ends, lost)
	switch {
	case isForeignKeyViolation(err):
		return fmt.Errorf("add segment: track %d: %w", trackID, ErrNotFound)
	case err != nil:
		return fmt.Errorf("add segment to track %d: %w", trackID, translate(err))
	case tag.RowsAffected() == 0:
		return s.checkSameSegment(ctx, trackID, seg)
	}
	return nil
}

func checkSegment(seg SegmentRow) error {
	var fe fieldErrors
	if seg.Seq < 0 || seg.Seq > 1<<31-1 {
		fe.add("seq", "must be between 0 and 2147483647")
	}
	fe.checkText("object_key", seg.ObjectKey, maxLongText, false)
	if seg.Size <= 0 {
		fe.add("size", "must be positive")
	}
	if seg.MediaStart < 0 || seg.MediaEnd < seg.MediaStart {
		fe.add("media_end", "must not be before media_start, which must not be negative")
	}
	if seg.WallStart.IsZero() || seg.WallEnd.Before(seg.WallStart) {
		fe.add("wall_end", "must not be before wall_start, which is required")
	}
	for _, g := range seg.Gaps {
		if g.StartMs < 0 || g.EndMs < g.StartMs || g.Lost < 0 {
			fe.add("gaps", "each gap must end at or after a non-negative start, "+
				"with a non-negative count of lost packets")
			break
		}
	}
	return fe.err()
}

// checkSameSegment accepts a repeated AddSegment of the segment stored
// under the same seq and refuses a different one.
func (s *Store) checkSameSegment(ctx context.Context, trackID int64, seg SegmentRow) error {
	var same bool
	err := s.pool.QueryRow(ctx, `SELECT object_key = $3 AND sha256 = $4 AND size_bytes = $5
		FROM segments WHERE track_id = $1 AND seq = $2`,
		trackID, seg.Seq, seg.ObjectKey, seg.SHA256[:], seg.Size).Scan(&same)
	if err != nil {
		return fmt.Errorf("add segment to track %d: %w", trackID, err)
	}
	if !same {
		return fmt.Errorf("add segment to track %d: %w", trackID, &ConflictError{
			Field: "seq", Reason: fmt.Sprintf("%d is already stored with other content", seg.Seq)})
	}
	return nil
}

// TrackEnd is how a track ended.
type TrackEnd struct {
	State  string // StateFinished or StateInterrupted
	Reason string // why, in a few words, for people reading the catalogue
	// Segments is how many segments the track's session wrote, stored or
	// not; -1 when unknown.
	Segments int
	// MediaEnd is where the last segment the session wrote ends on the
	// recording's timeline; 0 when it wrote none or it is unknown.
	MediaEnd time.Duration
	// At is when the session stopped taking media: the DELETE, the loss
	// of the publisher or the stop of the server, not when its last
	// segment was stored.
	At time.Time
}

// CloseTrack ends a track as "finished" or "interrupted". When it was the
// last open track of its recording, the recording ends too: "interrupted"
// if any of its tracks that wrote segments was, else "finished", when the
// last of its tracks ended (their At, not when CloseTrack runs, which may
// be long after when uploads were slow); its open index points end where
// its media ends, and the meeting gets ended_at when the recording holds
// segments. Closing a closed track does nothing.
func (s *Store) CloseTrack(ctx context.Context, trackID int64, end TrackEnd) error {
	var fe fieldErrors
	if end.State != StateFinished && end.State != StateInterrupted {
		fe.add("state", `must be "finished" or "interrupted"`)
	}
	fe.checkText("reason", end.Reason, maxName, true)
	if end.MediaEnd < 0 {
		fe.add("media_end", "must not be negative")
	}
	if err := fe.err(); err != nil {
		return fmt.Errorf("close track %d: %w", trackID, err)
	}
	var written *int
	if end.Segments >= 0 {
		written = &end.Segments
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var recordingID int64
		err := tx.QueryRow(ctx, `SELECT r.id
			FROM tracks t JOIN recordings r ON r.id = t.recording_id
			WHERE t.id = $1 FOR UPDATE OF r`, trackID).Scan(&recordingID)
		if err != nil {
			return notFound(err)
		}
		_, err = tx.Exec(ctx, `UPDATE tracks SET state = $2, ended_at = GREATEST($3, started_at),
				end_reason = $4, segments_written = $5, media_end_ms = NULLIF($6, 0)
			WHERE id = $1 AND state = 'recording'`, trackID, end.State, end.At, end.Reason, written,
			end.MediaEnd.Milliseconds())
		if err != nil {
			return fmt.Errorf("end track: %w", err)
		}
		return endRecordingIfIdle(ctx, tx, recordingID, end.At)
	})
	if err != nil {
		return fmt.Errorf("close track %d: %w", trackID, err)
	}
	return nil
}

// endRecordingIfIdle ends a recording none of whose tracks is still open,
// with its open index points and its meeting. The recording ends when the
// last of its tracks ended (at when none says). Its open index points end
// where its media ends: at the end of its last segment, written or stored,
// and never after the recording's end on its timeline.
func endRecordingIfIdle(ctx context.Context, tx pgx.Tx, recordingID int64, at time.Time) error {
	_, err := tx.Exec(ctx, `
		WITH t AS (
			SELECT max(t.ended_at) AS ended_at,
				GREATEST(max(t.media_end_ms), max(s.media_end_ms)) AS media_end_ms
			FROM tracks t LEFT JOIN segments s ON s.track_id = t.id
			WHERE t.recording_id = $1
		), r AS (
			UPDATE recordings r SET ended_at = GREATEST(COALESCE(t.ended_at, $2), r.started_at),
				state = CASE WHEN EXISTS (SELECT 1 FROM tracks t
					WHERE t.recording_id = r.id AND t.state = 'interrupted'
					AND (t.segments_written IS NULL OR t.segments_written > 0))
					THEN 'interrupted' ELSE 'finished' END
			FROM t
			WHERE r.id = $1 AND r.state = 'recording' AND NOT EXISTS (
				SELECT 1 FROM tracks WHERE recording_id = r.id AND state = 'recording')
			RETURNING r.id, r.meeting_id, r.started_at, r.ended_at, t.media_end_ms
		), ip AS (
			UPDATE index_points ip SET end_ms = GREATEST(ip.start_ms, LEAST(r.media_end_ms,
				(extract(epoch FROM r.ended_at - r.started_at) * 1000)::bigint))
			FROM r WHERE ip.recording_id = r.id AND ip.end_ms IS NULL
		)
		UPDATE meetings m SET ended_at = GREATEST(r.ended_at, m.started_at)
		FROM r WHERE m.id = r.meeting_id AND m.started_at IS NOT NULL`, recordingID, at)
	if err != nil {
		return fmt.Errorf("end recording %d: %w", recordingID, err)
	}
	return nil
}

// RecordingSummary returns the recordings of a meeting, oldest first, each
// with its tracks and a summary of their stored segments. An unknown meeting
// is ErrNotFound.
func (s *Store) RecordingSummary(ctx context.Context, meetingID int64) ([]Recording, error) {
	recs, err := s.recordingsOf(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("summarize recordings: %w", err)
	}
	if len(recs) > 0 {
		return recs, nil
	}
	ok, err := s.MeetingExists(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("summarize recordings: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("summarize recordings: meeting %d: %w", meetingID, ErrNotFound)
	}
	return recs, nil
}

// recordingsOf reads a meeting's recordings and their tracks in one
// snapshot, so that a publisher joining meanwhile cannot bring a track of
// a recording the first query did not see.
func (s *Store) recordingsOf(ctx context.Context, meetingID int64) ([]Recording, error) {
	var recs []Recording
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		recs, err = recordingsIn(ctx, tx, meetingID)
		return err
	})
	return recs, err
}

func recordingsIn(ctx context.Context, q querier, meetingID int64) ([]Recording, error) {
	rows, err := q.Query(ctx, `SELECT id, meeting_id, state, started_at, ended_at
		FROM recordings WHERE meeting_id = $1 ORDER BY started_at, id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("load recordings: %w", err)
	}
	recs, err := collect(rows, func(row pgx.Row) (Recording, error) {
		r := Recording{Tracks: []Track{}}
		err := row.Scan(&r.ID, &r.MeetingID, &r.State, &r.StartedAt, &r.EndedAt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("load recordings: %w", err)
	}
	tracks, err := tracksOf(ctx, q, meetingID)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]int, len(recs))
	for i, r := range recs {
		byID[r.ID] = i
	}
	for _, t := range tracks {
		i, ok := byID[t.RecordingID]
		if !ok {
			return nil, fmt.Errorf("load tracks: track %d of recording %d, which is not "+
				"among the meeting's recordings", t.ID, t.RecordingID)
		}
		recs[i].Tracks = append(recs[i].Tracks, t)
	}
	if recs == nil {
		recs = []Recording{}
	}
	return recs, nil
}

// tracksOf loads the tracks of all recordings of a meeting with their
// segment counts, sizes and last segment.
func tracksOf(ctx context.Context, q querier, meetingID int64) ([]Track, error) {
	rows, err := q.Query(ctx, `
		SELECT t.id, t.recording_id, t.session_id, t.audio_codec, t.video_codec, t.state,
			t.started_at, t.ended_at, agg.n, agg.bytes, agg.media_end, last.sha256, last.wall_end
		FROM tracks t JOIN recordings r ON r.id = t.recording_id
		CROSS JOIN LATERAL (SELECT count(*) AS n, COALESCE(sum(size_bytes), 0)::bigint AS bytes,
			COALESCE(max(media_end_ms), 0) AS media_end
			FROM segments WHERE track_id = t.id) agg
		LEFT JOIN LATERAL (SELECT sha256, wall_end FROM segments
			WHERE track_id = t.id ORDER BY seq DESC LIMIT 1) last ON true
		WHERE r.meeting_id = $1 ORDER BY t.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("load tracks: %w", err)
	}
	tracks, err := collect(rows, func(row pgx.Row) (Track, error) {
		var t Track
		var sum []byte
		err := row.Scan(&t.ID, &t.RecordingID, &t.SessionID, &t.AudioCodec, &t.VideoCodec,
			&t.State, &t.StartedAt, &t.EndedAt, &t.Segments, &t.Bytes, &t.MediaEndMs,
			&sum, &t.LastSegmentAt)
		t.LastSegmentSHA256 = hex.EncodeToString(sum)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("load tracks: %w", err)
	}
	return tracks, nil
}

// gapColumns turns gaps into the arrays AddSegment unnests.
func gapColumns(gaps []SegmentGap) (kinds []string, starts, ends []int64, lost []int32) {
	for _, g := range gaps {
		kind := "audio"
		if g.Video {
			kind = "video"
		}
		kinds = append(kinds, kind)
		starts, ends = append(starts, g.StartMs), append(ends, g.EndMs)
		lost = append(lost, int32(min(g.Lost, 1<<30)))
	}
	return kinds, starts, ends, lost
}

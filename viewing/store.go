package viewing

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Copy states, as the viewing_copies table and the API spell them.
const (
	StateQueued  = "queued"  // waiting for a worker, or for its next attempt
	StateRunning = "running" // a worker is making it
	StateDone    = "done"    // stored; ObjectKey, SHA256 and Size are set
	StateFailed  = "failed"  // every attempt failed; LastError says why
)

// Copy is a recording's viewing copy as the API shows it.
type Copy struct {
	RecordingID int64      `json:"recording_id"`
	MeetingID   int64      `json:"meeting_id"`
	TrackID     *int64     `json:"track_id,omitempty"`
	State       string     `json:"state"`
	ObjectKey   string     `json:"object_key,omitempty"`
	SHA256      string     `json:"sha256,omitempty"`
	Size        int64      `json:"size,omitempty"`
	DurationMs  int64      `json:"duration_ms,omitempty"`
	Sources     []Source   `json:"sources"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	// URL lets its holder download the copy until URLExpiresAt; set when
	// the copy is done.
	URL          string     `json:"url,omitempty"`
	URLExpiresAt *time.Time `json:"url_expires_at,omitempty"`
}

// Source is a master segment a copy was made from, with the SHA-256 its
// bytes had when they were read.
type Source struct {
	ObjectKey string `json:"object_key"`
	SHA256    string `json:"sha256"`
}

// store keeps viewing_copies and reads the catalogue a copy is made from.
type store struct{ pool *pgxpool.Pool }

// sweepBatch bounds how many recordings one sweep queues.
const sweepBatch = 100

// claimEnded adds a queued row for every recording that ended (finished or
// interrupted) and has none, oldest first, and returns their ids and
// lengths. Run it in the transaction that inserts their jobs, so that a
// row exists exactly when a job does.
func claimEnded(ctx context.Context, tx pgx.Tx) ([]endedRecording, error) {
	rows, err := tx.Query(ctx, `
		WITH ins AS (
			INSERT INTO viewing_copies (recording_id, state)
			SELECT r.id, 'queued' FROM recordings r
			WHERE r.state IN ('finished', 'interrupted') AND NOT EXISTS (
				SELECT 1 FROM viewing_copies v WHERE v.recording_id = r.id)
			ORDER BY r.id LIMIT $1
			ON CONFLICT (recording_id) DO NOTHING
			RETURNING recording_id
		)
		SELECT r.id, COALESCE(r.ended_at - r.started_at, interval '0')
		FROM ins JOIN recordings r ON r.id = ins.recording_id ORDER BY r.id`, sweepBatch)
	if err != nil {
		return nil, fmt.Errorf("queue ended recordings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (endedRecording, error) {
		var e endedRecording
		err := row.Scan(&e.id, &e.length)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("queue ended recordings: %w", err)
	}
	return out, nil
}

type endedRecording struct {
	id     int64
	length time.Duration
}

// markRunning records that attempt of job has started, adding the row if
// the job was queued by other means than the sweep.
func (s *store) markRunning(ctx context.Context, recordingID, jobID int64, attempt int) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO viewing_copies (recording_id, state, job_id, attempts, started_at)
		VALUES ($1, 'running', $2, $3, now())
		ON CONFLICT (recording_id) DO UPDATE SET state = 'running', job_id = $2,
			attempts = $3, started_at = now(), updated_at = now()`,
		recordingID, jobID, attempt)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("start viewing copy: recording %d: %w", recordingID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("start viewing copy of recording %d: %w", recordingID, err)
	}
	return nil
}

// finishedCopy is what a successful attempt stores.
type finishedCopy struct {
	trackID   int64
	key       string
	sum       [32]byte
	size      int64
	duration  time.Duration
	sources   []string
	sourceSum [][]byte
}

func (s *store) markDone(ctx context.Context, recordingID int64, c finishedCopy) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE viewing_copies SET state = 'done', track_id = $2, object_key = $3, sha256 = $4,
			size_bytes = $5, duration_ms = $6, source_keys = $7, source_sha256 = $8,
			last_error = '', finished_at = now(), updated_at = now()
		WHERE recording_id = $1`,
		recordingID, c.trackID, c.key, c.sum[:], c.size, c.duration.Milliseconds(),
		c.sources, c.sourceSum)
	if err != nil {
		return fmt.Errorf("record viewing copy of recording %d: %w", recordingID, err)
	}
	return nil
}

// markFailed records a failed attempt: the copy waits for its next attempt
// (queued) unless this was the last one (failed).
func (s *store) markFailed(ctx context.Context, recordingID int64, cause error,
	final bool) error {
	state := StateQueued
	if final {
		state = StateFailed
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE viewing_copies SET state = $2, last_error = $3, updated_at = now(),
			finished_at = CASE WHEN $2 = 'failed' THEN now() END
		WHERE recording_id = $1`, recordingID, state, cause.Error())
	if err != nil {
		return fmt.Errorf("record failed viewing copy of recording %d: %w", recordingID, err)
	}
	return nil
}

// source is what a copy is made from: the first track of a recording that
// stored segments, and those segments in order.
type source struct {
	meetingID int64
	trackID   int64
	segments  []sourceSegment
	end       time.Duration // where the last segment ends on the timeline
}

type sourceSegment struct {
	seq  int
	key  string
	sum  [32]byte
	size int64
}

// TODO(tracks): a copy shows only the recording's first track with
// segments; a meeting with several publishers needs their pictures tiled
// and their sound mixed (one filter graph with an input per track).
func (s *store) loadSource(ctx context.Context, recordingID int64) (source, error) {
	var src source
	var trackID *int64
	err := s.pool.QueryRow(ctx, `
		SELECT r.meeting_id, (SELECT t.id FROM tracks t WHERE t.recording_id = r.id
			AND EXISTS (SELECT 1 FROM segments g WHERE g.track_id = t.id) ORDER BY t.id LIMIT 1)
		FROM recordings r WHERE r.id = $1`, recordingID).Scan(&src.meetingID, &trackID)
	if errors.Is(err, pgx.ErrNoRows) {
		return src, fmt.Errorf("load recording %d: %w", recordingID, ErrNotFound)
	}
	if err != nil {
		return src, fmt.Errorf("load recording %d: %w", recordingID, err)
	}
	if trackID == nil {
		return src, fmt.Errorf("recording %d: %w", recordingID, ErrNoSource)
	}
	src.trackID = *trackID
	if err := s.loadSegments(ctx, &src); err != nil {
		return src, fmt.Errorf("load segments of recording %d: %w", recordingID, err)
	}
	return src, nil
}

func (s *store) loadSegments(ctx context.Context, src *source) error {
	rows, err := s.pool.Query(ctx, `SELECT seq, object_key, sha256, size_bytes, media_end_ms
		FROM segments WHERE track_id = $1 ORDER BY seq`, src.trackID)
	if err != nil {
		return err
	}
	var endMs int64
	src.segments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (sourceSegment, error) {
		var g sourceSegment
		var sum []byte
		var end int64
		if err := row.Scan(&g.seq, &g.key, &sum, &g.size, &end); err != nil {
			return g, err
		}
		copy(g.sum[:], sum)
		endMs = max(endMs, end)
		return g, nil
	})
	if err != nil {
		return err
	}
	for i, g := range src.segments {
		if g.seq != i {
			return fmt.Errorf("track %d: segment %d is not catalogued: %w",
				src.trackID, i, ErrSourceIncomplete)
		}
	}
	src.end = time.Duration(endMs) * time.Millisecond
	return nil
}

// recordingMeeting returns the meeting and state of a recording;
// ErrNotFound when there is none.
func (s *store) recordingMeeting(ctx context.Context, recordingID int64) (int64, string,
	error) {
	var meeting int64
	var state string
	err := s.pool.QueryRow(ctx, `SELECT meeting_id, state FROM recordings WHERE id = $1`,
		recordingID).Scan(&meeting, &state)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", fmt.Errorf("recording %d: %w", recordingID, ErrNotFound)
	}
	if err != nil {
		return 0, "", fmt.Errorf("look up recording %d: %w", recordingID, err)
	}
	return meeting, state, nil
}

// get returns a recording's viewing copy; ErrNotFound when it has none.
func (s *store) get(ctx context.Context, recordingID int64) (Copy, error) {
	var c Copy
	var key *string
	var sum []byte
	var size, duration *int64
	var keys []string
	var sums [][]byte
	err := s.pool.QueryRow(ctx, `
		SELECT v.recording_id, r.meeting_id, v.track_id, v.state, v.object_key, v.sha256,
			v.size_bytes, v.duration_ms, v.source_keys, v.source_sha256, v.attempts,
			v.last_error, v.created_at, v.updated_at, v.started_at, v.finished_at
		FROM viewing_copies v JOIN recordings r ON r.id = v.recording_id
		WHERE v.recording_id = $1`, recordingID).Scan(&c.RecordingID, &c.MeetingID,
		&c.TrackID, &c.State, &key, &sum, &size, &duration, &keys, &sums, &c.Attempts,
		&c.LastError, &c.CreatedAt, &c.UpdatedAt, &c.StartedAt, &c.FinishedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("viewing copy of recording %d: %w", recordingID, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("load viewing copy of recording %d: %w", recordingID, err)
	}
	c.ObjectKey, c.SHA256 = deref(key), hex.EncodeToString(sum)
	c.Size, c.DurationMs = deref(size), deref(duration)
	c.Sources = make([]Source, len(keys))
	for i, k := range keys {
		c.Sources[i] = Source{ObjectKey: k, SHA256: hex.EncodeToString(sums[i])}
	}
	return c, nil
}

func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503" // foreign_key_violation
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

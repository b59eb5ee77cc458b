package inspect

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/verify"
)

// Objects is what the watch page needs of the evidence store: the
// verifier's checks, and presigned links to viewing copies.
type Objects interface {
	verify.ObjectChecker
	PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error)
}

// LinkTTL is how long a viewing copy's link stays valid.
const LinkTTL = time.Hour

// verifyTimeout bounds the verifier's run for one watch page.
const verifyTimeout = 20 * time.Second

// Watcher gathers the data of watch pages.
type Watcher struct {
	pool    *pgxpool.Pool
	objects Objects
	logger  *slog.Logger
}

// NewWatcher returns a watcher over the database and the evidence store.
func NewWatcher(pool *pgxpool.Pool, objects Objects, logger *slog.Logger) *Watcher {
	return &Watcher{pool: pool, objects: objects, logger: logger.With("component", "watch")}
}

// Watch returns the watch page of agenda item id; an unknown item is
// ErrNotFound. The verifier's verdict is VerifyUnavailable, rather than an
// error, when the verifier or the store fails.
func (w *Watcher) Watch(ctx context.Context, id int64) (Watch, error) {
	v, err := w.header(ctx, id)
	if err != nil {
		return Watch{}, err
	}
	if v.Chapters, err = w.chapters(ctx, v.Meeting.ID); err != nil {
		return Watch{}, err
	}
	if v.Recordings, err = w.recordings(ctx, v.Meeting.ID); err != nil {
		return Watch{}, err
	}
	if err := w.playback(ctx, &v); err != nil {
		return Watch{}, err
	}
	v.Verification = w.verify(ctx, v.Meeting.ID)
	return v, nil
}

const watchHeaderSQL = `
SELECT ai.id, ai.seq, ai.title, m.id, m.title, m.planned_start, m.started_at, m.ended_at,
    b.id, b.name, b.kind, u.id, u.code, u.name,
    mt.id, mt.code, mt.name, mt.category, mt.major_class,
    COALESCE(m.started_at, m.planned_start),
    COALESCE((SELECT json_agg(json_build_object('id', d.id, 'title', d.title,
            'decided_at', d.decided_at, 'reference', d.reference,
            'changed_at', COALESCE(d.updated_at, d.created_at)) ORDER BY d.id)
        FROM decisions d WHERE d.agenda_item_id = ai.id), '[]')
FROM agenda_items ai
JOIN meetings m ON m.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = m.body_id
JOIN org_units u ON u.id = b.org_unit_id
LEFT JOIN matters mt ON mt.id = ai.matter_id
WHERE ai.id = $1`

func (w *Watcher) header(ctx context.Context, id int64) (Watch, error) {
	var v Watch
	var mt matterRow
	err := w.pool.QueryRow(ctx, watchHeaderSQL, id).Scan(&v.AgendaItem.ID, &v.AgendaItem.Seq,
		&v.AgendaItem.Title, &v.Meeting.ID, &v.Meeting.Title, &v.Meeting.PlannedStart,
		&v.Meeting.StartedAt, &v.Meeting.EndedAt, &v.Body.ID, &v.Body.Name, &v.Body.Kind,
		&v.Unit.ID, &v.Unit.Code, &v.Unit.Name,
		&mt.id, &mt.code, &mt.name, &mt.category, &mt.majorClass, &v.HeldAt, &v.Decisions)
	if errors.Is(err, pgx.ErrNoRows) {
		return Watch{}, fmt.Errorf("agenda item %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Watch{}, fmt.Errorf("read agenda item %d: %w", id, err)
	}
	if mt.id != nil {
		v.Matter = &MatterRef{ID: *mt.id, Code: *mt.code, Name: *mt.name,
			Category: *mt.category, MajorClass: *mt.majorClass}
	}
	return v, nil
}

func (w *Watcher) chapters(ctx context.Context, meeting int64) ([]Chapter, error) {
	rows, err := w.pool.Query(ctx, `
		SELECT ai.id, ai.seq, ai.title, COALESCE(mt.name, ''),
			COALESCE((SELECT json_agg(json_build_object('recording_id', ip.recording_id,
					'start_ms', ip.start_ms, 'end_ms', ip.end_ms) ORDER BY ip.start_ms, ip.id)
				FROM index_points ip WHERE ip.agenda_item_id = ai.id), '[]')
		FROM agenda_items ai LEFT JOIN matters mt ON mt.id = ai.matter_id
		WHERE ai.meeting_id = $1 ORDER BY ai.seq`, meeting)
	if err != nil {
		return nil, fmt.Errorf("read agenda of meeting %d: %w", meeting, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Chapter, error) {
		var c Chapter
		err := r.Scan(&c.AgendaItem.ID, &c.AgendaItem.Seq, &c.AgendaItem.Title, &c.Matter,
			&c.IndexPoints)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read agenda of meeting %d: %w", meeting, err)
	}
	return out, nil
}

func (w *Watcher) recordings(ctx context.Context, meeting int64) ([]RecordingRef, error) {
	rows, err := w.pool.Query(ctx, `
		SELECT r.id, r.state, r.started_at, r.ended_at, COALESCE(v.state, '')
		FROM recordings r LEFT JOIN viewing_copies v ON v.recording_id = r.id
		WHERE r.meeting_id = $1 ORDER BY r.id`, meeting)
	if err != nil {
		return nil, fmt.Errorf("read recordings of meeting %d: %w", meeting, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RecordingRef, error) {
		var rec RecordingRef
		err := r.Scan(&rec.ID, &rec.State, &rec.StartedAt, &rec.EndedAt, &rec.ViewingCopy)
		return rec, err
	})
	if err != nil {
		return nil, fmt.Errorf("read recordings of meeting %d: %w", meeting, err)
	}
	return append(make([]RecordingRef, 0, len(out)), out...), nil
}

// playback chooses the recording to play, places the chapters in it and
// reads its viewing copy and segments.
func (w *Watcher) playback(ctx context.Context, v *Watch) error {
	rec, ok := choosePlayback(*v)
	if !ok {
		return nil
	}
	p := &Playback{RecordingRef: rec}
	for i := range v.Chapters {
		c := &v.Chapters[i]
		for _, ip := range c.IndexPoints {
			if ip.RecordingID == rec.ID {
				c.StartMs, c.EndMs = &ip.StartMs, ip.EndMs
				break
			}
		}
		if c.AgendaItem.ID == v.AgendaItem.ID && c.StartMs != nil {
			p.StartMs, p.EndMs = *c.StartMs, c.EndMs
		}
	}
	var err error
	if p.ViewingCopy, err = w.viewingCopy(ctx, rec.ID); err != nil {
		return err
	}
	if p.Tracks, err = w.tracks(ctx, rec.ID); err != nil {
		return err
	}
	v.Playback = p
	return nil
}

func choosePlayback(v Watch) (RecordingRef, bool) {
	byID := map[int64]RecordingRef{}
	for _, r := range v.Recordings {
		byID[r.ID] = r
	}
	for _, c := range v.Chapters {
		if c.AgendaItem.ID == v.AgendaItem.ID && len(c.IndexPoints) > 0 {
			if r, ok := byID[c.IndexPoints[0].RecordingID]; ok {
				return r, true
			}
		}
	}
	for i := len(v.Recordings) - 1; i >= 0; i-- {
		if v.Recordings[i].ViewingCopy == "done" {
			return v.Recordings[i], true
		}
	}
	if len(v.Recordings) == 0 {
		return RecordingRef{}, false
	}
	return v.Recordings[len(v.Recordings)-1], true
}

// viewingCopy reads the recording's copy and, when it is done, links it.
// A link that cannot be made leaves URL empty and says why in LastError.
//
// TODO(watch-proxy): the link is presigned on MinIO, which the inspector's
// browser must reach; a route of Liuhen's that streams the copy with
// Range support would keep MinIO internal.
func (w *Watcher) viewingCopy(ctx context.Context, recording int64) (*ViewingCopy, error) {
	c := &ViewingCopy{}
	var key *string
	var sum []byte
	var size, duration *int64
	err := w.pool.QueryRow(ctx, `SELECT state, object_key, sha256, size_bytes, duration_ms,
			last_error FROM viewing_copies WHERE recording_id = $1`, recording).
		Scan(&c.State, &key, &sum, &size, &duration, &c.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read viewing copy of recording %d: %w", recording, err)
	}
	if key == nil || c.State != "done" {
		return c, nil
	}
	c.ObjectKey, c.SHA256, c.Size, c.DurationMs = *key, hex.EncodeToString(sum), *size, *duration
	u, err := w.objects.PresignGet(ctx, c.ObjectKey, LinkTTL)
	if err != nil {
		w.logger.Error("link viewing copy", "key", c.ObjectKey, "err", err)
		c.LastError = fmt.Sprintf("the copy cannot be linked now (%v); try again later", err)
		return c, nil
	}
	expires := time.Now().Add(LinkTTL).UTC().Truncate(time.Second)
	c.URL, c.URLExpiresAt = u.String(), &expires
	return c, nil
}

package inspect

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/liuhen/liuhen/verify"
)

// tracks reads a recording's tracks with their segments and gaps.
func (w *Watcher) tracks(ctx context.Context, recording int64) ([]Track, error) {
	rows, err := w.pool.Query(ctx, `
		SELECT t.id, t.state, t.audio_codec, t.video_codec, t.end_reason, t.segments_written,
			COALESCE((SELECT json_agg(json_build_object('seq', g.seq,
					'object_key', g.object_key, 'sha256', encode(g.sha256, 'hex'),
					'size', g.size_bytes, 'media_start_ms', g.media_start_ms,
					'media_end_ms', g.media_end_ms, 'wall_start', g.wall_start,
					'wall_end', g.wall_end,
					'gaps', COALESCE((SELECT json_agg(json_build_object('kind', x.kind,
							'start_ms', x.start_ms, 'end_ms', x.end_ms,
							'lost_packets', x.lost_packets) ORDER BY x.start_ms, x.kind)
						FROM segment_gaps x WHERE x.segment_id = g.id), '[]')) ORDER BY g.seq)
				FROM segments g WHERE g.track_id = t.id), '[]')
		FROM tracks t WHERE t.recording_id = $1 ORDER BY t.id`, recording)
	if err != nil {
		return nil, fmt.Errorf("read tracks of recording %d: %w", recording, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Track, error) {
		var t Track
		err := r.Scan(&t.ID, &t.State, &t.AudioCodec, &t.VideoCodec, &t.EndReason,
			&t.SegmentsWritten, &t.Segments)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("read tracks of recording %d: %w", recording, err)
	}
	return append(make([]Track, 0, len(out)), out...), nil
}

// verify runs every rule of the verifier on the decisions linked to the
// meeting's agenda items. verify.Run chooses decisions by unit and period,
// not by id, so it runs over every unit for the period those decisions
// span, and the report is cut down to them.
func (w *Watcher) verify(ctx context.Context, meeting int64) Verification {
	v := Verification{CheckedAt: time.Now().UTC(), Decisions: []verify.DecisionResult{},
		Findings: []verify.Finding{}}
	ids, from, to, err := w.meetingDecisions(ctx, meeting)
	if err != nil {
		return w.unavailable(v, meeting, err)
	}
	if len(ids) == 0 {
		v.Status = VerifyNoDecisions
		v.Message = "no decision is linked to this meeting's agenda items; the verifier " +
			"checks decisions, so link them to see its verdict"
		return v
	}
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	rep, err := verify.Run(ctx, w.pool, w.objects, verify.Options{From: from, To: to})
	if err != nil {
		return w.unavailable(v, meeting, err)
	}
	for _, d := range rep.Decisions {
		if ids[d.ID] {
			v.Decisions = append(v.Decisions, d)
		}
	}
	for _, f := range rep.Findings {
		if ids[f.DecisionID] {
			v.Findings = append(v.Findings, f)
		}
	}
	v.Status = VerifyPass
	if len(v.Findings) > 0 {
		v.Status = VerifyFail
	}
	return v
}

func (w *Watcher) unavailable(v Verification, meeting int64, err error) Verification {
	w.logger.Error("verify meeting for its watch page", "meeting", meeting, "err", err)
	v.Status = VerifyUnavailable
	v.Message = fmt.Sprintf("the verifier could not run now (%v); try again later, or run "+
		"liuhen verify", err)
	return v
}

// meetingDecisions returns the decisions linked to the meeting's items and
// the period [from, to) of their decided_at.
func (w *Watcher) meetingDecisions(ctx context.Context, meeting int64) (map[int64]bool,
	time.Time, time.Time, error) {
	rows, err := w.pool.Query(ctx, `SELECT d.id, d.decided_at FROM decisions d
		JOIN agenda_items ai ON ai.id = d.agenda_item_id WHERE ai.meeting_id = $1`, meeting)
	if err != nil {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("read decisions of meeting %d: %w",
			meeting, err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	var from, to time.Time
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, from, to, fmt.Errorf("read decisions of meeting %d: %w", meeting, err)
		}
		ids[id] = true
		if from.IsZero() || at.Before(from) {
			from = at
		}
		if end := at.Add(time.Microsecond); end.After(to) {
			to = end
		}
	}
	if err := rows.Err(); err != nil {
		return nil, from, to, fmt.Errorf("read decisions of meeting %d: %w", meeting, err)
	}
	return ids, from, to, nil
}

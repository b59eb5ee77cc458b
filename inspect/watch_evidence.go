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
// meeting's agenda items (verify.Options.Meeting).
func (w *Watcher) verify(ctx context.Context, meeting int64) Verification {
	v := Verification{CheckedAt: time.Now().UTC(), Decisions: []verify.DecisionResult{},
		Findings: []verify.Finding{}}
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	rep, err := verify.Run(ctx, w.pool, w.objects, verify.Options{Meeting: meeting})
	if err != nil {
		return w.unavailable(v, meeting, err)
	}
	if rep.Checked == 0 {
		v.Status = VerifyNoDecisions
		v.Message = "no decision is linked to this meeting's agenda items; the verifier " +
			"checks decisions, so link them to see its verdict"
		return v
	}
	v.Decisions, v.Findings = rep.Decisions, rep.Findings
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

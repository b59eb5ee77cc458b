package agenda

import (
	"context"
	"encoding/hex"
	"fmt"
)

// StoredSegment is a catalogued segment with the recording and track it
// belongs to.
type StoredSegment struct {
	ID             int64  `json:"id"`
	RecordingID    int64  `json:"recording_id"`
	RecordingState string `json:"recording_state"`
	TrackID        int64  `json:"track_id"`
	Seq            int    `json:"seq"`
	ObjectKey      string `json:"object_key"`
	SHA256         string `json:"sha256"`
	Size           int64  `json:"size"`
	MediaStartMs   int64  `json:"media_start_ms"`
	MediaEndMs     int64  `json:"media_end_ms"`
	// Gaps are the stretches where the segment lacks media the publisher
	// sent.
	Gaps []SegmentGap `json:"gaps"`
}

// MeetingSegments lists every stored segment of a meeting's recordings, in
// recording, track and sequence order.
func (s *Store) MeetingSegments(ctx context.Context, meetingID int64) ([]StoredSegment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT g.id, r.id, r.state, t.id, g.seq, g.object_key, g.sha256, g.size_bytes,
		       g.media_start_ms, g.media_end_ms
		FROM recordings r
		JOIN tracks t ON t.recording_id = r.id
		JOIN segments g ON g.track_id = t.id
		WHERE r.meeting_id = $1
		ORDER BY r.id, t.id, g.seq`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list segments of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	var out []StoredSegment
	for rows.Next() {
		var g StoredSegment
		var sum []byte
		if err := rows.Scan(&g.ID, &g.RecordingID, &g.RecordingState, &g.TrackID, &g.Seq, &g.ObjectKey,
			&sum, &g.Size, &g.MediaStartMs, &g.MediaEndMs); err != nil {
			return nil, fmt.Errorf("list segments of meeting %d: %w", meetingID, err)
		}
		g.SHA256 = hex.EncodeToString(sum)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list segments of meeting %d: %w", meetingID, err)
	}
	return out, s.attachGaps(ctx, out)
}

// attachGaps fills in the gaps of segs.
func (s *Store) attachGaps(ctx context.Context, segs []StoredSegment) error {
	index := make(map[int64]*StoredSegment, len(segs))
	ids := make([]int64, len(segs))
	for i := range segs {
		index[segs[i].ID], ids[i] = &segs[i], segs[i].ID
	}
	rows, err := s.pool.Query(ctx, `SELECT segment_id, kind = 'video', start_ms, end_ms,
			lost_packets
		FROM segment_gaps WHERE segment_id = ANY($1) ORDER BY segment_id, start_ms`, ids)
	if err != nil {
		return fmt.Errorf("list segment gaps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var g SegmentGap
		if err := rows.Scan(&id, &g.Video, &g.StartMs, &g.EndMs, &g.Lost); err != nil {
			return fmt.Errorf("list segment gaps: %w", err)
		}
		index[id].Gaps = append(index[id].Gaps, g)
	}
	return rows.Err()
}

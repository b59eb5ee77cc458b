package agenda

import (
	"context"
	"encoding/hex"
	"fmt"
)

// StoredSegment is a catalogued segment with the recording and track it
// belongs to.
type StoredSegment struct {
	RecordingID    int64  `json:"recording_id"`
	RecordingState string `json:"recording_state"`
	TrackID        int64  `json:"track_id"`
	Seq            int    `json:"seq"`
	ObjectKey      string `json:"object_key"`
	SHA256         string `json:"sha256"`
	Size           int64  `json:"size"`
	MediaStartMs   int64  `json:"media_start_ms"`
	MediaEndMs     int64  `json:"media_end_ms"`
}

// MeetingSegments lists every stored segment of a meeting's recordings, in
// recording, track and sequence order.
func (s *Store) MeetingSegments(ctx context.Context, meetingID int64) ([]StoredSegment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT r.id, r.state, t.id, g.seq, g.object_key, g.sha256, g.size_bytes,
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
		if err := rows.Scan(&g.RecordingID, &g.RecordingState, &g.TrackID, &g.Seq, &g.ObjectKey,
			&sum, &g.Size, &g.MediaStartMs, &g.MediaEndMs); err != nil {
			return nil, fmt.Errorf("list segments of meeting %d: %w", meetingID, err)
		}
		g.SHA256 = hex.EncodeToString(sum)
		out = append(out, g)
	}
	return out, rows.Err()
}

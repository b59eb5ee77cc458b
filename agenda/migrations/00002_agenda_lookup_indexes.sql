-- +goose Up

-- PostgreSQL does not index foreign keys by itself. These serve the lookups
-- the agenda package makes on every meeting page and every mark: the
-- recordings of a meeting, the tracks of a recording, the index points of a
-- recording (closed when it ends), the meetings of a body, and decisions
-- by date range.
CREATE INDEX recordings_meeting_idx ON recordings (meeting_id);
CREATE INDEX tracks_recording_idx ON tracks (recording_id);
CREATE INDEX index_points_recording_idx ON index_points (recording_id);
CREATE INDEX meetings_body_idx ON meetings (body_id);
CREATE INDEX decisions_decided_at_idx ON decisions (decided_at);

-- +goose Down
DROP INDEX recordings_meeting_idx, tracks_recording_idx, index_points_recording_idx,
    meetings_body_idx, decisions_decided_at_idx;

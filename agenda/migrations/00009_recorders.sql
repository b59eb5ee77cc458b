-- +goose Up

-- Which recorder (a running `liuhen serve`) records a track: recorder_id
-- is drawn from recorder_ids when the server starts, and the server holds
-- a PostgreSQL advisory lock on it while it runs (agenda.ClaimRecorder).
-- A server that starts interrupts only the open tracks whose recorder's
-- lock is free, so several servers may share one database. It is kept per
-- track, not per recording, because publishers of one meeting may reach
-- different servers. NULL for tracks opened before this migration.
-- media_end_ms is where the last segment the track's session wrote ends
-- on the recording's timeline; open index points end there.
CREATE SEQUENCE recorder_ids AS integer CYCLE;
ALTER TABLE tracks
    ADD COLUMN recorder_id integer,
    ADD COLUMN media_end_ms bigint CHECK (media_end_ms >= 0);
CREATE INDEX tracks_open_recorder_idx ON tracks (recorder_id) WHERE state = 'recording';

-- +goose Down
DROP INDEX tracks_open_recorder_idx;
ALTER TABLE tracks DROP COLUMN recorder_id, DROP COLUMN media_end_ms;
DROP SEQUENCE recorder_ids;

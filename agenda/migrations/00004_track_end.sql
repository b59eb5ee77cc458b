-- +goose Up

-- How a track ended: why (end_reason), and how many segments its session
-- wrote (segments_written; NULL when unknown, after a crash). A catalogue
-- with fewer segments than were written has lost some, even at the end.
ALTER TABLE tracks
    ADD COLUMN end_reason text NOT NULL DEFAULT '',
    ADD COLUMN segments_written integer CHECK (segments_written >= 0);

-- +goose Down
ALTER TABLE tracks DROP COLUMN end_reason, DROP COLUMN segments_written;

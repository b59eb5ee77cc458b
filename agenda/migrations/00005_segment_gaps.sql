-- +goose Up

-- Where a segment lacks media the publisher sent (lost packets, a network
-- blackout), on the recording's timeline. A recording records its gaps so
-- that nobody takes a gap for an edit, or an edit for a gap.
CREATE TABLE segment_gaps (
    segment_id   bigint NOT NULL REFERENCES segments (id),
    kind         text NOT NULL CHECK (kind IN ('audio', 'video')),
    start_ms     bigint NOT NULL,
    end_ms       bigint NOT NULL,
    lost_packets integer NOT NULL CHECK (lost_packets >= 0),
    PRIMARY KEY (segment_id, kind, start_ms),
    CHECK (end_ms >= start_ms)
);

-- +goose Down
DROP TABLE segment_gaps;

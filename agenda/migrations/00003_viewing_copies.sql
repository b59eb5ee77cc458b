-- +goose Up

-- A viewing copy is one H.264/AAC MP4 made from a recording's master
-- segments so that any browser plays it. It is derived, never evidence: it
-- names the masters it came from (their keys and SHA-256 as they were read)
-- and is stored under its own key prefix. One row per recording; attempts
-- counts the tries of the background job that makes it.
CREATE TABLE viewing_copies (
    id            bigserial PRIMARY KEY,
    recording_id  bigint NOT NULL UNIQUE REFERENCES recordings (id),
    track_id      bigint REFERENCES tracks (id),
    state         text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    object_key    text UNIQUE,
    sha256        bytea CHECK (length(sha256) = 32),
    size_bytes    bigint CHECK (size_bytes > 0),
    duration_ms   bigint CHECK (duration_ms >= 0),
    source_keys   text[] NOT NULL DEFAULT '{}',
    source_sha256 bytea[] NOT NULL DEFAULT '{}',
    job_id        bigint,
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    CHECK (cardinality(source_keys) = cardinality(source_sha256)),
    CHECK (state <> 'done' OR (object_key IS NOT NULL AND sha256 IS NOT NULL
        AND size_bytes IS NOT NULL AND duration_ms IS NOT NULL AND finished_at IS NOT NULL))
);
CREATE INDEX viewing_copies_state_idx ON viewing_copies (state);

-- +goose Down
DROP TABLE viewing_copies;

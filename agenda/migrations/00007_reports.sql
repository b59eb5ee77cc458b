-- +goose Up

-- Compliance reports as issued: each is an object in the evidence store,
-- written once under object lock, and this row holds what it covers and
-- the SHA-256 computed before it was stored. trigger says who asked for
-- it: someone, on demand, or the daily, weekly or monthly schedule, which
-- issues a report of one period and format once.
CREATE TABLE IF NOT EXISTS reports (
    id          bigserial PRIMARY KEY,
    trigger     text NOT NULL CHECK (trigger IN ('on_demand', 'daily', 'weekly', 'monthly')),
    unit_code   text NOT NULL DEFAULT '',
    period_from timestamptz,
    period_to   timestamptz,
    format      text NOT NULL CHECK (format IN ('html', 'pdf', 'csv', 'json')),
    object_key  text NOT NULL UNIQUE,
    sha256      bytea NOT NULL CHECK (length(sha256) = 32),
    size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
    checked     integer NOT NULL,
    passed      integer NOT NULL,
    findings    integer NOT NULL,
    issued_by   text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (period_to IS NULL OR period_from IS NULL OR period_to > period_from)
);
CREATE UNIQUE INDEX IF NOT EXISTS reports_scheduled_idx ON reports (trigger, unit_code, period_from, format)
    WHERE trigger <> 'on_demand';
CREATE INDEX IF NOT EXISTS reports_unit_idx ON reports (unit_code, created_at);

-- +goose Down
DROP TABLE reports;

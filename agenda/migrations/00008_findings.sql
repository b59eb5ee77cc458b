-- +goose Up

-- Findings as kept by the periodic sweep of verify/alert. One row per
-- fingerprint: the rule (code), the decision and the evidence the finding
-- points at (meeting, agenda item, recording, object key), so that the
-- same fault found again by a later sweep is the same row. first_seen and
-- last_seen are the sweeps that found it first and last; opened_at the
-- last time it became open (found, or found again after it was gone);
-- absent_since the first sweep since then that did not find it. The other
-- columns copy the verifier's finding as last seen.
CREATE TABLE findings (
    id               bigserial PRIMARY KEY,
    fingerprint      text NOT NULL UNIQUE,
    code             text NOT NULL,
    severity         text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    decision_id      bigint NOT NULL REFERENCES decisions (id),
    decision_title   text NOT NULL,
    matter_code      text NOT NULL,
    unit_code        text NOT NULL,
    meeting_id       bigint,
    agenda_item_id   bigint,
    recording_id     bigint,
    object_key       text NOT NULL DEFAULT '',
    message          text NOT NULL,
    message_zh       text NOT NULL,
    state            text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
    state_actor      text NOT NULL,
    state_reason     text NOT NULL DEFAULT '',
    state_changed_at timestamptz NOT NULL,
    first_seen       timestamptz NOT NULL,
    last_seen        timestamptz NOT NULL,
    opened_at        timestamptz NOT NULL,
    absent_since     timestamptz,
    CHECK (last_seen >= first_seen)
);
CREATE INDEX findings_state_idx ON findings (state, opened_at DESC);
CREATE INDEX findings_decision_idx ON findings (decision_id);
CREATE INDEX findings_unit_idx ON findings (unit_code);

-- Every change of a finding's state, with who made it and why: the
-- verifier (opened, reopened, resolved when no longer found) or a person
-- (acknowledged, resolved).
CREATE TABLE finding_events (
    id         bigserial PRIMARY KEY,
    finding_id bigint NOT NULL REFERENCES findings (id),
    kind       text NOT NULL CHECK (kind IN ('opened', 'reopened', 'acknowledged', 'resolved')),
    from_state text CHECK (from_state IN ('open', 'acknowledged', 'resolved')),
    to_state   text NOT NULL CHECK (to_state IN ('open', 'acknowledged', 'resolved')),
    actor      text NOT NULL,
    reason     text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX finding_events_finding_idx ON finding_events (finding_id, id);

-- A warning of one opened or reopened finding to one webhook, sent by a
-- River job: queued until an attempt is answered 2xx (delivered) or the
-- attempts are spent (given_up, with the last error).
CREATE TABLE finding_deliveries (
    id           bigserial PRIMARY KEY,
    finding_id   bigint NOT NULL REFERENCES findings (id),
    event_id     bigint NOT NULL REFERENCES finding_events (id),
    webhook_url  text NOT NULL,
    state        text NOT NULL CHECK (state IN ('queued', 'delivered', 'given_up')),
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_status  integer,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    UNIQUE (event_id, webhook_url),
    CHECK ((state = 'queued') = (finished_at IS NULL))
);
CREATE INDEX finding_deliveries_finding_idx ON finding_deliveries (finding_id);

-- Every attempt of a delivery: the HTTP status it was answered with, or
-- the error when there was no answer (a timeout, a refused connection).
CREATE TABLE finding_delivery_attempts (
    delivery_id bigint NOT NULL REFERENCES finding_deliveries (id),
    attempt     integer NOT NULL CHECK (attempt >= 1),
    started_at  timestamptz NOT NULL,
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    status_code integer,
    error       text NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, attempt)
);

-- +goose Down
DROP TABLE finding_delivery_attempts;
DROP TABLE finding_deliveries;
DROP TABLE finding_events;
DROP TABLE findings;

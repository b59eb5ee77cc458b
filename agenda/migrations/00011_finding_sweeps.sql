-- +goose Up

-- Every sweep of verify/alert that completed: when its verifier began
-- (every change committed before then is judged by it), when it finished
-- writing the findings table, the rules that ran (RECORDING_TAMPERED is
-- left out while the evidence store cannot be reached, and its findings
-- stay as an earlier sweep left them), and what it counted. The inspectors'
-- search answers has_findings from the findings table "as of" the last of
-- these; until a sweep has completed it refuses to, rather than say "no
-- findings". Findings kept before this table existed are dated by the
-- first sweep after it.
CREATE TABLE finding_sweeps (
    id          bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    codes       text[] NOT NULL,
    checked     integer NOT NULL CHECK (checked >= 0),
    found       integer NOT NULL CHECK (found >= 0),
    opened      integer NOT NULL CHECK (opened >= 0),
    reopened    integer NOT NULL CHECK (reopened >= 0),
    escalated   integer NOT NULL CHECK (escalated >= 0),
    resolved    integer NOT NULL CHECK (resolved >= 0),
    queued      integer NOT NULL CHECK (queued >= 0),
    CHECK (finished_at >= started_at)
);

-- has_findings looks up the findings of an agenda item's decisions that
-- still stand; resolved ones, most of a long-kept table, are left out.
CREATE INDEX findings_standing_idx ON findings (decision_id)
    WHERE state IN ('open', 'acknowledged');

-- +goose Down
DROP INDEX findings_standing_idx;
DROP TABLE finding_sweeps;

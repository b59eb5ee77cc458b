-- +goose Up

-- A finding whose severity falls while it is open or acknowledged (a
-- meeting's recorded start is cleared again) gets a "deescalated" event,
-- which warns no one. warned_severity is the highest severity a warning of
-- the finding was queued at since it last opened (NULL: none), so that an
-- escalation warns only above it: a finding that falls and rises again is
-- told in its events, and warned of once. Findings kept before this
-- migration are counted as warned of at their current severity when a
-- warning was queued since they last opened; a fall before it went
-- unrecorded, so such a finding may be warned of once more.
ALTER TABLE finding_events DROP CONSTRAINT finding_events_kind_check,
    ADD CONSTRAINT finding_events_kind_check
        CHECK (kind IN ('opened', 'reopened', 'escalated', 'deescalated', 'acknowledged',
                        'resolved'));
ALTER TABLE findings ADD COLUMN warned_severity text
    CHECK (warned_severity IN ('low', 'medium', 'high'));
UPDATE findings f SET warned_severity = f.severity
WHERE EXISTS (SELECT 1 FROM finding_deliveries d
              WHERE d.finding_id = f.id AND d.created_at >= f.opened_at);
ALTER TABLE finding_sweeps ADD COLUMN deescalated integer NOT NULL DEFAULT 0
    CHECK (deescalated >= 0);

-- +goose Down
ALTER TABLE finding_sweeps DROP COLUMN deescalated;
ALTER TABLE findings DROP COLUMN warned_severity;
DELETE FROM finding_events WHERE kind = 'deescalated';
ALTER TABLE finding_events DROP CONSTRAINT finding_events_kind_check,
    ADD CONSTRAINT finding_events_kind_check
        CHECK (kind IN ('opened', 'reopened', 'escalated', 'acknowledged', 'resolved'));

-- +goose Up

-- A finding whose severity rises while it is open or acknowledged (a
-- meeting's planned start becomes its recorded start, and a decision
-- dated before it becomes a high DECIDED_BEFORE_MEETING) gets an
-- "escalated" event, which sends a warning like an opening does. (Version
-- 13 is taken: databases of the old numbering hold reports under it.)
ALTER TABLE finding_events DROP CONSTRAINT finding_events_kind_check,
    ADD CONSTRAINT finding_events_kind_check
        CHECK (kind IN ('opened', 'reopened', 'escalated', 'acknowledged', 'resolved'));

-- +goose Down
-- The old constraint has no room for escalations: their events, and the
-- warnings they sent, go.
DELETE FROM finding_delivery_attempts WHERE delivery_id IN (
    SELECT d.id FROM finding_deliveries d JOIN finding_events e ON e.id = d.event_id
    WHERE e.kind = 'escalated');
DELETE FROM finding_deliveries WHERE event_id IN (
    SELECT id FROM finding_events WHERE kind = 'escalated');
DELETE FROM finding_events WHERE kind = 'escalated';
ALTER TABLE finding_events DROP CONSTRAINT finding_events_kind_check,
    ADD CONSTRAINT finding_events_kind_check
        CHECK (kind IN ('opened', 'reopened', 'acknowledged', 'resolved'));

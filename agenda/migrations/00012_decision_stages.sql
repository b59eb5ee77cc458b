-- +goose Up

-- The earlier stages of a decision: the agenda items at which the bodies
-- that take a matter up before the deciding one (required_body_kinds but
-- the last; a village's two committees before its representatives) took
-- it up. The deciding item stays decisions.agenda_item_id; the verifier
-- (STAGE_SKIPPED) checks that every earlier kind has an item here, at a
-- meeting of the unit's body of that kind held before the deciding one,
-- and in the order of the list.
CREATE TABLE decision_stages (
    decision_id    bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    agenda_item_id bigint NOT NULL REFERENCES agenda_items (id),
    PRIMARY KEY (decision_id, agenda_item_id)
);
CREATE INDEX decision_stages_item_idx ON decision_stages (agenda_item_id);

-- +goose Down
DROP TABLE decision_stages;

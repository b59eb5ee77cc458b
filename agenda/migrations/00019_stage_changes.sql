-- +goose Up

-- A decision's earlier stages (decision_stages) are part of it: STAGE_SKIPPED
-- judges them, and the API and the import write them with the decision. A
-- write that adds or removes one is therefore a write of the decision: it
-- moves the decision's updated_at (migration 17), so that the inspectors'
-- search marks it "not yet checked" until the next sweep, as it marks a
-- decision edited. Touching the decision's row also takes its row lock, so a
-- write of its stages and a write of its deciding item made at the same time
-- wait for each other, and the check of migration 18 at the commit of the
-- second sees what the first wrote. Statement triggers: one UPDATE per
-- statement, however many stages it writes.
-- +goose StatementBegin
CREATE FUNCTION decision_stages_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE decisions d SET updated_at = clock_timestamp()
    WHERE d.id IN (SELECT decision_id FROM stage_rows);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION decision_stages_touch_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A stage moved to another decision changes both decisions.
    UPDATE decisions d SET updated_at = clock_timestamp()
    WHERE d.id IN (SELECT decision_id FROM old_rows
                   UNION SELECT decision_id FROM new_rows);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER decision_stages_touch_insert AFTER INSERT ON decision_stages
    REFERENCING NEW TABLE AS stage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION decision_stages_touch();
CREATE TRIGGER decision_stages_touch_update AFTER UPDATE ON decision_stages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION decision_stages_touch_update();
CREATE TRIGGER decision_stages_touch_delete AFTER DELETE ON decision_stages
    REFERENCING OLD TABLE AS stage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION decision_stages_touch();

-- +goose Down
DROP TRIGGER decision_stages_touch_delete ON decision_stages;
DROP TRIGGER decision_stages_touch_update ON decision_stages;
DROP TRIGGER decision_stages_touch_insert ON decision_stages;
DROP FUNCTION decision_stages_touch_update();
DROP FUNCTION decision_stages_touch();

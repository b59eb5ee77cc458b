-- +goose Up

-- A decision's earlier stages (decision_stages) never hold the agenda item
-- that decided it (decisions.agenda_item_id). The API and the import refuse
-- such a write with a message of their own; these triggers keep the rule
-- for any other writer, and for two writes at the same time that each
-- alone keep it. They run at commit, so that a write may change the
-- deciding item and the stages in either order.
-- +goose StatementBegin
CREATE FUNCTION decision_stage_not_deciding() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    decision bigint;
    item bigint;
BEGIN
    IF TG_TABLE_NAME = 'decisions' THEN
        decision := NEW.id;
    ELSE
        decision := NEW.decision_id;
    END IF;
    SELECT d.agenda_item_id INTO item FROM decisions d
    JOIN decision_stages ds ON ds.decision_id = d.id AND ds.agenda_item_id = d.agenda_item_id
    WHERE d.id = decision;
    IF FOUND THEN
        RAISE EXCEPTION 'decision % lists agenda item %, the one that decided it, as an earlier stage',
            decision, item
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_stage_not_deciding';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER decision_stage_not_deciding
    AFTER INSERT OR UPDATE ON decision_stages DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION decision_stage_not_deciding();
CREATE CONSTRAINT TRIGGER decision_deciding_not_stage
    AFTER UPDATE OF agenda_item_id ON decisions DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.agenda_item_id IS DISTINCT FROM OLD.agenda_item_id)
    EXECUTE FUNCTION decision_stage_not_deciding();

-- +goose Down
DROP TRIGGER decision_deciding_not_stage ON decisions;
DROP TRIGGER decision_stage_not_deciding ON decision_stages;
DROP FUNCTION decision_stage_not_deciding();

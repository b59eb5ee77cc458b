-- +goose Up

-- When each decision was last written (registered, linked to another
-- agenda item, edited), so that the inspectors' search can tell a decision
-- changed after the last sweep of the findings began ("not yet checked")
-- from one that sweep judged. A new row takes the default; the trigger
-- keeps it on every UPDATE that changes the row, whoever writes it (the API,
-- an import, SQL by hand). It is the time of the write, not of its commit:
-- a change written just before a sweep began and committed after the
-- sweep's snapshot counts as checked though it was not. Rows written before
-- this column have NULL: created_at stands for it.
ALTER TABLE decisions ADD COLUMN updated_at timestamptz;
ALTER TABLE decisions ALTER COLUMN updated_at SET DEFAULT clock_timestamp();

-- +goose StatementBegin
CREATE FUNCTION decisions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER decisions_touch BEFORE UPDATE ON decisions
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION decisions_touch();

-- +goose Down
DROP TRIGGER decisions_touch ON decisions;
DROP FUNCTION decisions_touch();
ALTER TABLE decisions DROP COLUMN updated_at;

-- +goose Up

-- A kept finding copies its decision's unit code (findings.unit_code), by
-- which the findings API, the warnings page and `liuhen findings --unit`
-- choose the findings of a unit and the units below it. A sweep copies the
-- code again only into the findings it sees again, so a renamed unit
-- (PATCH /org-units/{id}) would lose its resolved findings, and its open
-- ones until the next sweep, to a code no unit has. The rename carries the
-- code into its findings in the same transaction. Issued reports keep the
-- code they were issued for: they are evidence, and never change.
-- +goose StatementBegin
CREATE FUNCTION org_units_rename_findings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE findings SET unit_code = NEW.code WHERE unit_code = OLD.code;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER org_units_rename_findings AFTER UPDATE OF code ON org_units
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code)
    EXECUTE FUNCTION org_units_rename_findings();

-- +goose Down
DROP TRIGGER org_units_rename_findings ON org_units;
DROP FUNCTION org_units_rename_findings();

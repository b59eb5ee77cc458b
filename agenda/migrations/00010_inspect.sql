-- +goose Up

-- What inspectors (纪检监察, auditors) need: a search index over agenda
-- items, inspector tokens, and an audit trail of what they searched, watched
-- and exported. The inspect package reads and writes these tables.

-- pg_trgm is trusted (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- search_bigram_keys gives a key for every pair of adjacent characters of
-- lower(t): a 31-bit hash, so never negative. Chinese has no spaces, and a
-- two-character query such as 道路 yields no trigram, so two-character
-- queries are answered from these keys instead of the trigram index.
-- +goose StatementBegin
CREATE FUNCTION search_bigram_keys(t text) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    c text[] := string_to_array(lower(t), NULL);
    k int[] := '{}';
BEGIN
    FOR i IN 1 .. cardinality(c) - 1 LOOP
        k[i] := hashtext(c[i] || c[i + 1]) & 2147483647;
    END LOOP;
    RETURN k;
END $$;
-- +goose StatementEnd

-- search_facet_key gives the key of a filter value such as 'kind:party_committee':
-- below -2^30, apart from the bigram keys (>= 0) and the unit keys (-id).
CREATE FUNCTION search_facet_key(facet text) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT -1073741824 - (hashtext(facet) & 1073741823)
$$;

-- One row per agenda item, kept by the triggers below: what the search
-- filters and sorts by. doc holds the item's title, its matter's name, its
-- meeting's title and its decisions' titles, one a line, in lower case (so
-- that LIKE, cheaper than ILIKE, ignores case); keys holds the
-- bigram keys of doc, -id of the item's unit and of every unit above it,
-- and the facet keys of its body kind, matter category and 三重一大 class,
-- so that one GIN index answers a text and its filters together. (Unit
-- keys take ids below 2^30.)
CREATE TABLE search_items (
    agenda_item_id bigint PRIMARY KEY REFERENCES agenda_items (id) ON DELETE CASCADE,
    meeting_id     bigint NOT NULL,
    seq            integer NOT NULL,
    org_unit_id    bigint NOT NULL,
    held_at        timestamptz NOT NULL,
    doc            text NOT NULL,
    keys           int[] NOT NULL
);
CREATE INDEX search_items_held_idx ON search_items (held_at DESC, meeting_id DESC, seq);
CREATE INDEX search_items_keys_idx ON search_items USING gin (keys);
CREATE INDEX search_items_doc_idx ON search_items USING gin (doc gin_trgm_ops);

-- search_items_refresh recomputes the rows of the agenda items ids, in one
-- statement whatever their number. It first locks their rows, in order, in
-- a statement of its own: a transaction refreshing the same item (two
-- decisions linked to it at once) waits there until the other commits, and
-- its next statement then sees what the other wrote.
-- +goose StatementBegin
CREATE FUNCTION search_items_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
PERFORM 1 FROM search_items WHERE agenda_item_id = ANY (ids)
    ORDER BY agenda_item_id FOR UPDATE;
WITH RECURSIVE items AS (
    SELECT ai.id, ai.seq, ai.title, ai.matter_id, m.id AS meeting_id, m.title AS meeting_title,
        COALESCE(m.started_at, m.planned_start) AS held_at, b.kind, b.org_unit_id
    FROM agenda_items ai
    JOIN meetings m ON m.id = ai.meeting_id
    JOIN meeting_bodies b ON b.id = m.body_id
    WHERE ai.id = ANY (ids)
), up (unit, anc, depth) AS (
    SELECT DISTINCT org_unit_id, org_unit_id, 0 FROM items
    UNION ALL
    SELECT up.unit, u.parent_id, up.depth + 1
    FROM up JOIN org_units u ON u.id = up.anc
    WHERE u.parent_id IS NOT NULL AND up.depth < 16
), unit_keys AS (
    SELECT unit, array_agg(-anc::int) AS keys FROM up GROUP BY unit
), docs AS (
    SELECT i.*, mt.category, mt.major_class,
        lower(concat_ws(E'\n', i.title, mt.name, i.meeting_title,
            (SELECT string_agg(d.title, E'\n' ORDER BY d.id) FROM decisions d
             WHERE d.agenda_item_id = i.id))) AS doc
    FROM items i LEFT JOIN matters mt ON mt.id = i.matter_id
)
INSERT INTO search_items AS s (agenda_item_id, meeting_id, seq, org_unit_id, held_at, doc, keys)
SELECT d.id, d.meeting_id, d.seq, d.org_unit_id, d.held_at, d.doc,
    search_bigram_keys(d.doc) || uk.keys || array_remove(ARRAY[
        search_facet_key('kind:' || d.kind), search_facet_key('category:' || d.category),
        search_facet_key('class:' || d.major_class)], NULL)
FROM docs d JOIN unit_keys uk ON uk.unit = d.org_unit_id
ON CONFLICT (agenda_item_id) DO UPDATE SET meeting_id = EXCLUDED.meeting_id,
    seq = EXCLUDED.seq, org_unit_id = EXCLUDED.org_unit_id, held_at = EXCLUDED.held_at,
    doc = EXCLUDED.doc, keys = EXCLUDED.keys;
END $$;
-- +goose StatementEnd

-- The triggers run once per statement, with the rows it changed, so that a
-- bulk import refreshes its items in one go.
-- +goose StatementBegin
CREATE FUNCTION search_items_on_agenda_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_items_refresh(ARRAY(SELECT id FROM new_rows));
    ELSE
        PERFORM search_items_refresh(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.title, n.seq, n.meeting_id, n.matter_id)
                IS DISTINCT FROM (o.title, o.seq, o.meeting_id, o.matter_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION search_items_on_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM search_items_refresh(ARRAY(
            SELECT agenda_item_id FROM new_rows WHERE agenda_item_id IS NOT NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM search_items_refresh(ARRAY(
            SELECT agenda_item_id FROM old_rows WHERE agenda_item_id IS NOT NULL));
    ELSE
        PERFORM search_items_refresh(ARRAY(
            SELECT x FROM new_rows n JOIN old_rows o ON o.id = n.id,
                LATERAL (VALUES (n.agenda_item_id), (o.agenda_item_id)) v (x)
            WHERE x IS NOT NULL AND (n.title, n.agenda_item_id)
                IS DISTINCT FROM (o.title, o.agenda_item_id)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION search_items_on_meetings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_items_refresh(ARRAY(
        SELECT ai.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN agenda_items ai ON ai.meeting_id = n.id
        WHERE (n.title, n.body_id, n.planned_start, n.started_at)
            IS DISTINCT FROM (o.title, o.body_id, o.planned_start, o.started_at)));
    RETURN NULL;
END $$;

CREATE FUNCTION search_items_on_bodies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_items_refresh(ARRAY(
        SELECT ai.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN meetings m ON m.body_id = n.id JOIN agenda_items ai ON ai.meeting_id = m.id
        WHERE (n.kind, n.org_unit_id) IS DISTINCT FROM (o.kind, o.org_unit_id)));
    RETURN NULL;
END $$;

CREATE FUNCTION search_items_on_matters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_items_refresh(ARRAY(
        SELECT ai.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN agenda_items ai ON ai.matter_id = n.id
        WHERE (n.name, n.category, n.major_class)
            IS DISTINCT FROM (o.name, o.category, o.major_class)));
    RETURN NULL;
END $$;

CREATE FUNCTION search_items_on_org_units() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_items_refresh(ARRAY(
        WITH RECURSIVE moved AS (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.parent_id IS DISTINCT FROM o.parent_id
        ), below (id, depth) AS (
            SELECT id, 0 FROM moved
            UNION ALL
            SELECT u.id, below.depth + 1 FROM below JOIN org_units u ON u.parent_id = below.id
            WHERE below.depth < 16
        )
        SELECT ai.id FROM below JOIN meeting_bodies b ON b.org_unit_id = below.id
        JOIN meetings m ON m.body_id = b.id JOIN agenda_items ai ON ai.meeting_id = m.id));
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER search_items_insert AFTER INSERT ON agenda_items
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_agenda_items();
CREATE TRIGGER search_items_update AFTER UPDATE ON agenda_items
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_agenda_items();
CREATE TRIGGER search_items_insert AFTER INSERT ON decisions
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_decisions();
CREATE TRIGGER search_items_update AFTER UPDATE ON decisions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_decisions();
CREATE TRIGGER search_items_delete AFTER DELETE ON decisions
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_decisions();
CREATE TRIGGER search_items_update AFTER UPDATE ON meetings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_meetings();
CREATE TRIGGER search_items_update AFTER UPDATE ON meeting_bodies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_bodies();
CREATE TRIGGER search_items_update AFTER UPDATE ON matters
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_matters();
CREATE TRIGGER search_items_update AFTER UPDATE ON org_units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_items_on_org_units();

SELECT search_items_refresh(ARRAY(SELECT id FROM agenda_items));

-- An inspector's token: it may search, watch and export, and change
-- nothing. Only its SHA-256 is kept, as for publish tokens.
CREATE TABLE inspector_tokens (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (expires_at > created_at)
);

-- Who searched, watched or exported what, when and from where. Rows are
-- only ever added; status is filled in once the answer is sent.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('admin', 'inspector', 'publisher')),
    actor_id    bigint,
    actor       text NOT NULL,
    action      text NOT NULL CHECK (action IN ('search', 'watch', 'view', 'export')),
    target      text NOT NULL,
    query       text NOT NULL DEFAULT '',
    remote_addr text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT '',
    status      integer
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);

-- +goose Down
DROP TABLE audit_log, inspector_tokens;
DROP TRIGGER search_items_insert ON agenda_items;
DROP TRIGGER search_items_update ON agenda_items;
DROP TRIGGER search_items_insert ON decisions;
DROP TRIGGER search_items_update ON decisions;
DROP TRIGGER search_items_delete ON decisions;
DROP TRIGGER search_items_update ON meetings;
DROP TRIGGER search_items_update ON meeting_bodies;
DROP TRIGGER search_items_update ON matters;
DROP TRIGGER search_items_update ON org_units;
DROP FUNCTION search_items_on_agenda_items(), search_items_on_decisions(),
    search_items_on_meetings(), search_items_on_bodies(), search_items_on_matters(),
    search_items_on_org_units(), search_items_refresh(bigint[]);
DROP TABLE search_items;
DROP FUNCTION search_facet_key(text), search_bigram_keys(text);

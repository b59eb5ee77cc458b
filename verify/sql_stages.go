package verify

// stagedTableSQL makes staged: the decisions in linked whose matter names
// several body kinds and whose meeting was held by a body of the deciding
// kind, with when that meeting was held (its start, else its planned
// start). A table of their own gives the planner their true number, which
// it cannot guess from the two conditions on linked.
const stagedTableSQL = `
CREATE TEMP TABLE staged ON COMMIT DROP AS
SELECT l.id, l.org_unit_id, l.meeting_id, l.item_id,
       coalesce(l.started_at, l.planned_start) AS held, l.required_body_kinds
FROM linked l
WHERE cardinality(l.required_body_kinds) > 1 AND l.body_kind = l.required_body_kind`

// stageLinksTableSQL makes stage_links: the earlier-stage items
// (decision_stages) of the decisions in staged, with each item's meeting,
// body, kind and when the meeting was held (its start, else its planned
// start), and misfit: why the item counts for no earlier stage ('unit': a
// body of another unit; 'circulation': a paper passed round; 'kind': a
// body of no earlier kind), NULL when it counts.
const stageLinksTableSQL = `
CREATE TEMP TABLE stage_links ON COMMIT DROP AS
SELECT st.id, ds.agenda_item_id AS item_id, ai.meeting_id, b.code AS body_code, b.kind,
       coalesce(m.started_at, m.planned_start) AS held,
       CASE WHEN b.org_unit_id <> st.org_unit_id THEN 'unit'
            WHEN m.mode = 'circulation' THEN 'circulation'
            WHEN b.kind <> ALL(st.required_body_kinds[1:cardinality(st.required_body_kinds) - 1])
                THEN 'kind'
       END AS misfit
FROM staged st
JOIN decision_stages ds ON ds.decision_id = st.id
JOIN agenda_items ai ON ai.id = ds.agenda_item_id
JOIN meetings m ON m.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = m.body_id`

// stageSkippedSQL checks the earlier stages of the decisions in staged
// (linked's, whose matter names several body kinds and whose meeting was
// held by a body of the deciding kind: the others are WRONG_BODY's, and
// "before the deciding meeting" means nothing for them).
//
// A stage counts for an earlier kind when one of the decision's items in
// stage_links has no misfit and is of that kind. One row per earlier kind
// that fails, in the matter's order, with problem:
//
//   - 'missing': no item counts for the kind; the items linked that count
//     for no earlier stage come with it (their ids, meetings, bodies,
//     kinds and misfits);
//   - 'late': items count for it, but none was held before the deciding
//     meeting;
//   - 'order': the kind's items held before the deciding meeting were all
//     held before every such item of the kind listed just before it.
//
// Each row carries the kind's items (ids, meetings, bodies, held) and, for
// 'order', the previous kind's. Only the failing rows look their items up,
// through the index on stage_links (id).
//
// TODO(stage-meetings): an earlier stage's meeting is not checked for
// quorum, votes or a recording, as the deciding meeting is; adding the
// stage meetings to held, and the rules' queries reading stage_links
// beside linked, would check them too.
const stageSkippedSQL = `
WITH took AS MATERIALIZED (
    SELECT st.id, st.meeting_id, st.item_id, st.held, k.kind, k.pos::integer AS pos,
           st.required_body_kinds[k.pos - 1] AS prev_kind, count(s.id) AS items,
           min(s.held) FILTER (WHERE s.held < st.held) AS first_before,
           max(s.held) FILTER (WHERE s.held < st.held) AS last_before
    FROM staged st
    CROSS JOIN LATERAL unnest(st.required_body_kinds[1:cardinality(st.required_body_kinds) - 1])
        WITH ORDINALITY AS k(kind, pos)
    LEFT JOIN stage_links s ON s.id = st.id AND s.kind = k.kind AND s.misfit IS NULL
    GROUP BY st.id, k.pos, k.kind, st.meeting_id, st.item_id, st.held, st.required_body_kinds
),
bad AS MATERIALIZED (
    SELECT t.*, CASE WHEN t.items = 0 THEN 'missing'
                     WHEN t.last_before IS NULL THEN 'late'
                     WHEN lag(t.first_before) OVER (PARTITION BY t.id ORDER BY t.pos)
                          >= t.last_before THEN 'order'
                END AS problem
    FROM took t
)
SELECT b.id, b.meeting_id, b.item_id, b.held, b.pos, b.kind, b.problem,
       array_agg(s.item_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'took'),
       array_agg(s.meeting_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'took'),
       array_agg(s.body_code ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'took'),
       array_agg(s.held ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'took'),
       b.prev_kind,
       array_agg(s.item_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'prev'),
       array_agg(s.meeting_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'prev'),
       array_agg(s.body_code ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'prev'),
       array_agg(s.held ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'prev'),
       array_agg(s.item_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'misfit'),
       array_agg(s.meeting_id ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'misfit'),
       array_agg(s.body_code ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'misfit'),
       array_agg(s.kind ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'misfit'),
       array_agg(s.misfit ORDER BY s.held, s.item_id) FILTER (WHERE r.role = 'misfit')
FROM bad b
LEFT JOIN stage_links s ON s.id = b.id
CROSS JOIN LATERAL (SELECT CASE
    WHEN s.misfit IS NULL AND s.kind = b.kind THEN 'took'
    WHEN s.misfit IS NULL AND s.kind = b.prev_kind AND b.problem = 'order' THEN 'prev'
    WHEN s.misfit IS NOT NULL AND b.problem = 'missing' THEN 'misfit'
END AS role) r
WHERE b.problem IS NOT NULL
GROUP BY b.id, b.meeting_id, b.item_id, b.held, b.pos, b.kind, b.problem, b.prev_kind
ORDER BY b.id, b.pos`

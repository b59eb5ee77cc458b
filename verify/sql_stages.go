package verify

// stageLinksTableSQL makes stage_links: the earlier-stage items
// (decision_stages) of the decisions in linked whose matter names several
// body kinds and whose meeting was held by a body of the deciding kind,
// with each item's meeting, body, kind and when the meeting was held (its
// start, else its planned start), the decision's unit and kinds, and
// misfit: why the item counts for no earlier stage ('unit': a body of
// another unit; 'circulation': a paper passed round; 'kind': a body of no
// earlier kind), NULL when it counts.
const stageLinksTableSQL = `
CREATE TEMP TABLE stage_links ON COMMIT DROP AS
SELECT l.id, ds.agenda_item_id AS item_id, ai.meeting_id, b.code AS body_code, b.kind,
       coalesce(m.started_at, m.planned_start) AS held,
       CASE WHEN b.org_unit_id <> l.org_unit_id THEN 'unit'
            WHEN m.mode = 'circulation' THEN 'circulation'
            WHEN b.kind <> ALL(l.required_body_kinds[1:cardinality(l.required_body_kinds) - 1])
                THEN 'kind'
       END AS misfit
FROM linked l
JOIN decision_stages ds ON ds.decision_id = l.id
JOIN agenda_items ai ON ai.id = ds.agenda_item_id
JOIN meetings m ON m.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = m.body_id
WHERE cardinality(l.required_body_kinds) > 1 AND l.body_kind = l.required_body_kind`

// stageSkippedSQL checks the earlier stages of the decisions in linked
// whose matter names several body kinds (required_body_kinds) and whose
// meeting was held by a body of the deciding kind: the others are
// WRONG_BODY's, and "before the deciding meeting" means nothing for them.
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
WITH need AS MATERIALIZED (
    SELECT l.id, l.meeting_id, l.item_id, coalesce(l.started_at, l.planned_start) AS held,
           k.kind, k.pos::integer AS pos, l.required_body_kinds[k.pos - 1] AS prev_kind
    FROM linked l
    CROSS JOIN LATERAL unnest(l.required_body_kinds[1:cardinality(l.required_body_kinds) - 1])
        WITH ORDINALITY AS k(kind, pos)
    WHERE cardinality(l.required_body_kinds) > 1 AND l.body_kind = l.required_body_kind
),
took AS MATERIALIZED (
    SELECT n.id, n.pos, count(s.id) AS items,
           min(s.held) FILTER (WHERE s.held < n.held) AS first_before,
           max(s.held) FILTER (WHERE s.held < n.held) AS last_before
    FROM need n
    LEFT JOIN stage_links s ON s.id = n.id AND s.kind = n.kind AND s.misfit IS NULL
    GROUP BY n.id, n.pos
),
bad AS MATERIALIZED (
    SELECT n.*, CASE WHEN t.items = 0 THEN 'missing'
                     WHEN t.last_before IS NULL THEN 'late'
                     WHEN p.first_before >= t.last_before THEN 'order'
                END AS problem
    FROM need n
    JOIN took t ON t.id = n.id AND t.pos = n.pos
    LEFT JOIN took p ON p.id = n.id AND p.pos = n.pos - 1
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

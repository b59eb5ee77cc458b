package verify

// stageSkippedSQL checks the earlier stages of the decisions in linked
// whose matter names several body kinds (required_body_kinds) and whose
// meeting was held by a body of the deciding kind: the others are
// WRONG_BODY's, and "before the deciding meeting" means nothing for them.
//
// A stage counts for an earlier kind when one of the decision's
// decision_stages items lies on a meeting (mode 'meeting', not a paper
// passed round) of a body of that kind of the decision's own unit. "Held"
// is a meeting's start, else its planned start. One row per earlier kind
// that fails, in the matter's order, with problem:
//
//   - 'missing': no item counts for the kind; the items linked that count
//     for no earlier stage come with it (x_*: item, meeting, body, kind
//     and why: 'unit', 'circulation' or 'kind');
//   - 'late': items count for it, but none was held before the deciding
//     meeting;
//   - 'order': the kind's items held before the deciding meeting were all
//     held before every such item of the kind listed just before it.
//
// Each row carries the kind's items (ids, meetings, bodies, held) and, for
// 'order', the previous kind's.
const stageSkippedSQL = `
WITH d AS MATERIALIZED (
    SELECT l.id, l.org_unit_id, l.meeting_id, l.item_id,
           coalesce(l.started_at, l.planned_start) AS held, l.required_body_kinds AS kinds
    FROM linked l
    WHERE cardinality(l.required_body_kinds) > 1 AND l.body_kind = l.required_body_kind
),
st AS MATERIALIZED (
    SELECT d.id, ds.agenda_item_id AS item_id, ai.meeting_id, b.code AS body_code, b.kind,
           coalesce(m.started_at, m.planned_start) AS held,
           CASE WHEN b.org_unit_id <> d.org_unit_id THEN 'unit'
                WHEN m.mode = 'circulation' THEN 'circulation'
                WHEN b.kind <> ALL(d.kinds[1:cardinality(d.kinds) - 1]) THEN 'kind'
           END AS misfit
    FROM d
    JOIN decision_stages ds ON ds.decision_id = d.id
    JOIN agenda_items ai ON ai.id = ds.agenda_item_id
    JOIN meetings m ON m.id = ai.meeting_id
    JOIN meeting_bodies b ON b.id = m.body_id
),
took AS (
    SELECT d.id, d.meeting_id, d.item_id, d.held AS decided, k.kind, k.pos,
           min(s.held) FILTER (WHERE s.held < d.held) AS first_before,
           max(s.held) FILTER (WHERE s.held < d.held) AS last_before,
           array_agg(s.item_id ORDER BY s.held, s.item_id) FILTER (WHERE s.id IS NOT NULL)
               AS items,
           array_agg(s.meeting_id ORDER BY s.held, s.item_id) FILTER (WHERE s.id IS NOT NULL)
               AS meetings,
           array_agg(s.body_code ORDER BY s.held, s.item_id) FILTER (WHERE s.id IS NOT NULL)
               AS bodies,
           array_agg(s.held ORDER BY s.held, s.item_id) FILTER (WHERE s.id IS NOT NULL)
               AS helds
    FROM d
    CROSS JOIN LATERAL unnest(d.kinds[1:cardinality(d.kinds) - 1])
        WITH ORDINALITY AS k(kind, pos)
    LEFT JOIN st s ON s.id = d.id AND s.kind = k.kind AND s.misfit IS NULL
    GROUP BY d.id, d.meeting_id, d.item_id, d.held, k.kind, k.pos
),
judged AS (
    SELECT t.*, p.kind AS prev_kind, p.items AS prev_items, p.meetings AS prev_meetings,
           p.bodies AS prev_bodies, p.helds AS prev_helds,
           CASE WHEN t.items IS NULL THEN 'missing'
                WHEN t.last_before IS NULL THEN 'late'
                WHEN p.first_before >= t.last_before THEN 'order'
           END AS problem
    FROM took t
    LEFT JOIN took p ON p.id = t.id AND p.pos = t.pos - 1
)
SELECT j.id, j.meeting_id, j.item_id, j.decided, j.pos::integer, j.kind, j.problem,
       j.items, j.meetings, j.bodies, j.helds,
       j.prev_kind, j.prev_items, j.prev_meetings, j.prev_bodies, j.prev_helds,
       x.items, x.meetings, x.bodies, x.kinds, x.misfits
FROM judged j
LEFT JOIN LATERAL (
    SELECT array_agg(s.item_id ORDER BY s.held, s.item_id) AS items,
           array_agg(s.meeting_id ORDER BY s.held, s.item_id) AS meetings,
           array_agg(s.body_code ORDER BY s.held, s.item_id) AS bodies,
           array_agg(s.kind ORDER BY s.held, s.item_id) AS kinds,
           array_agg(s.misfit ORDER BY s.held, s.item_id) AS misfits
    FROM st s WHERE s.id = j.id AND s.misfit IS NOT NULL AND j.problem = 'missing'
) x ON true
WHERE j.problem IS NOT NULL
ORDER BY j.id, j.pos`

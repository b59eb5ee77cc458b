package verify

// splitSpendingSQL finds decisions in scope that belong to a split (化整为零):
// two or more decisions of one unit and matter for one project or one payee
// (the matter's amount_basis), each under the matter's threshold, none
// decided at a meeting of the required body of that unit, taken within
// split_window_days of the first of them, whose amounts together reach the
// threshold. A decision in scope may have siblings outside the period, so
// candidates reach split_window_days beyond it on either side. Each window
// starts at a candidate; a decision in several windows is reported with the
// largest total.
const splitSpendingSQL = `
WITH cand AS (
    SELECT d.id, d.org_unit_id, d.matter_id, d.decided_at, d.amount, m.amount_basis,
           CASE m.amount_basis WHEN 'project' THEN d.project ELSE d.payee END AS key,
           m.amount_threshold, m.split_window_days
    FROM decisions d
    JOIN matters m ON m.id = d.matter_id
    LEFT JOIN agenda_items ai ON ai.id = d.agenda_item_id
    LEFT JOIN meetings mt ON mt.id = ai.meeting_id
    LEFT JOIN meeting_bodies b ON b.id = mt.body_id
    WHERE m.amount_basis <> 'single' AND m.amount_threshold IS NOT NULL
      AND m.required_body_kind IS NOT NULL
      AND d.amount < m.amount_threshold
      AND CASE m.amount_basis WHEN 'project' THEN d.project ELSE d.payee END <> ''
      AND (b.id IS NULL OR b.kind <> m.required_body_kind
           OR b.org_unit_id <> d.org_unit_id OR mt.mode <> 'meeting')
      AND (d.org_unit_id, d.matter_id) IN (SELECT org_unit_id, matter_id FROM scope)
      AND ($1::timestamptz IS NULL OR d.decided_at >= $1::timestamptz
           - make_interval(days => m.split_window_days))
      AND ($2::timestamptz IS NULL OR d.decided_at < $2::timestamptz
           + make_interval(days => m.split_window_days))
),
windows AS (
    SELECT e.id AS first_id, e.decided_at AS first_at, max(x.decided_at) AS last_at,
           e.key, e.amount_basis, e.amount_threshold, e.split_window_days,
           sum(x.amount) AS total, array_agg(x.id ORDER BY x.decided_at, x.id) AS ids
    FROM cand e
    JOIN cand x ON x.org_unit_id = e.org_unit_id AND x.matter_id = e.matter_id
        AND x.key = e.key AND x.decided_at >= e.decided_at
        AND x.decided_at < e.decided_at + make_interval(days => e.split_window_days)
    GROUP BY e.id, e.decided_at, e.key, e.amount_basis, e.amount_threshold,
             e.split_window_days
    HAVING count(*) >= 2 AND sum(x.amount) >= e.amount_threshold
)
SELECT DISTINCT ON (s.id) s.id, s.amount::text, w.ids, w.total::text,
       w.amount_threshold::text, w.split_window_days, w.amount_basis, w.key,
       w.first_at, w.last_at
FROM windows w
CROSS JOIN LATERAL unnest(w.ids) AS u(id)
JOIN scope s ON s.id = u.id
ORDER BY s.id, w.total DESC, w.first_at`

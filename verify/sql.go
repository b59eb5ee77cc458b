package verify

import "time"

// snapshotSQL materialises, once per run and inside the run's snapshot,
// what the rules read, as temporary tables dropped when the transaction
// ends:
//
//   - scope: the decisions in scope, with their matter's rules and whether
//     they need a meeting (scopeTableSQL);
//   - linked: those needing a meeting that are linked to an agenda item,
//     with the item, its meeting, the meeting's body and its day
//     (linkedTableSQL);
//   - cover: what the segments of each recording of those meetings cover
//     (coverTableSQL);
//   - held: one row per meeting in linked with what several rules ask of
//     it (heldTableSQL);
//   - staged: the decisions in linked whose matter asks for earlier stages
//     (stagedTableSQL), and stage_links: the earlier-stage items linked to
//     them (stageLinksTableSQL).
//
// Working these out once, rather than in each rule's query, is most of
// what makes a run over a million decisions fast (BenchmarkVerifyRules).
// sc chooses the decisions in scope (scopeTableSQL).
func snapshotSQL(sc scopeArgs) []statement {
	return []statement{
		{scopeTableSQL, []any{sc.unitID, sc.from, sc.to, sc.meeting}},
		{linkedTableSQL, []any{zoneOffset()}},
		{`CREATE INDEX ON linked (item_id)`, nil},
		{`ANALYZE linked`, nil},
		{coverTableSQL, []any{int64(coverToleranceMS), int64(gapToleranceMS)}},
		{`CREATE UNIQUE INDEX ON cover (recording_id)`, nil},
		{`CREATE INDEX ON cover (meeting_id)`, nil},
		{`ANALYZE cover`, nil},
		{heldTableSQL, nil},
		{`CREATE UNIQUE INDEX ON held (meeting_id)`, nil},
		{`ANALYZE held`, nil},
		{`CREATE INDEX ON scope (id)`, nil},
		{`CREATE INDEX ON linked (meeting_id)`, nil},
		{stagedTableSQL, nil},
		{`ANALYZE staged`, nil},
		{stageLinksTableSQL, nil},
		{`CREATE INDEX ON stage_links (id)`, nil},
		{`ANALYZE stage_links`, nil},
	}
}

// scopeArgs are the parameters of scopeTableSQL; nil leaves one open.
type scopeArgs struct {
	unitID   *int64
	from, to *time.Time
	meeting  *int64
}

// A statement is SQL with its arguments.
type statement struct {
	sql  string
	args []any
}

// heldTableSQL gives, per meeting in linked, those who should attend
// (should: the members whose seat on its body spans the meeting's day) and
// how many of them were present, whether attendance was kept at all, the
// body leader's seat (the one served from last when several span the day)
// and whether the attendance shows the leader absent, and its recordings
// by state (stored: finished, with segments in cover).
const heldTableSQL = `
CREATE TEMP TABLE held ON COMMIT DROP AS
WITH h AS MATERIALIZED (SELECT DISTINCT meeting_id, body_id, meeting_day FROM linked),
tally AS (
    SELECT h.meeting_id, count(DISTINCT bm.member_id) AS should,
           count(DISTINCT bm.member_id) FILTER (WHERE a.status = 'present') AS present,
           (array_agg(bm.member_id ORDER BY bm.served_from DESC, bm.member_id)
               FILTER (WHERE bm.role = 'leader'))[1] AS leader_id
    FROM h
    JOIN body_members bm ON bm.body_id = h.body_id
        AND bm.served_from <= h.meeting_day
        AND (bm.served_to IS NULL OR bm.served_to >= h.meeting_day)
    LEFT JOIN meeting_attendance a ON a.meeting_id = h.meeting_id
        AND a.member_id = bm.member_id
    GROUP BY h.meeting_id
),
recs AS (
    SELECT r.meeting_id, count(*) AS n,
           count(*) FILTER (WHERE r.state = 'recording') AS live,
           count(*) FILTER (WHERE r.state = 'interrupted') AS interrupted,
           count(*) FILTER (WHERE r.state = 'finished'
               AND r.id IN (SELECT recording_id FROM cover)) AS stored
    FROM recordings r
    WHERE r.meeting_id IN (SELECT meeting_id FROM h)
    GROUP BY r.meeting_id
)
SELECT h.meeting_id,
       coalesce(t.should, 0) AS should, coalesce(t.present, 0) AS present,
       EXISTS (SELECT 1 FROM meeting_attendance k WHERE k.meeting_id = h.meeting_id)
           AS kept,
       t.leader_id,
       EXISTS (SELECT 1 FROM meeting_attendance k WHERE k.meeting_id = h.meeting_id
               AND k.member_id = t.leader_id AND k.status = 'absent') AS leader_absent,
       coalesce(r.n, 0) AS recordings, coalesce(r.live, 0) AS live,
       coalesce(r.interrupted, 0) AS interrupted, coalesce(r.stored, 0) AS stored
FROM h
LEFT JOIN tally t ON t.meeting_id = h.meeting_id
LEFT JOIN recs r ON r.meeting_id = h.meeting_id`

// scopeTableSQL selects the decisions in scope: $1 is an org unit id (its
// sub-units included) or NULL for all, $2 the start of the period
// (included) or NULL, $3 its end (excluded) or NULL, $4 a meeting id (the
// decisions linked to its agenda items) or NULL. The meeting's items are an
// array rather than an IN list: beside "$4 IS NULL OR" an IN becomes a
// filter on every decision, an array a look-up in decisions_agenda_item_idx
// (0.2 ms rather than 45 ms over 100,000 decisions).
const scopeTableSQL = `
CREATE TEMP TABLE scope ON COMMIT DROP AS
WITH RECURSIVE units AS (
    SELECT id FROM org_units WHERE id = $1::bigint
    UNION
    SELECT o.id FROM org_units o JOIN units u ON o.parent_id = u.id
)
SELECT d.id, d.title, d.decided_at, d.org_unit_id, d.matter_id,
       d.agenda_item_id, d.amount, d.registered_at, d.contract_at, d.paid_at,
       m.required_body_kind, m.required_body_kinds, m.must_record,
       m.quorum_rule, m.vote_rule, m.leader_speaks_last, m.recusal_applies,
       m.required_body_kind IS NOT NULL
           AND (m.amount_threshold IS NULL OR d.amount IS NULL
                OR d.amount >= m.amount_threshold) AS needs_meeting
FROM decisions d
JOIN matters m ON m.id = d.matter_id
WHERE ($1::bigint IS NULL OR d.org_unit_id IN (SELECT id FROM units))
  AND ($2::timestamptz IS NULL OR d.decided_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR d.decided_at < $3::timestamptz)
  AND ($4::bigint IS NULL OR d.agenda_item_id = ANY (ARRAY(
      SELECT ai.id FROM agenda_items ai WHERE ai.meeting_id = $4::bigint)))`

// linkedTableSQL selects the decisions in scope that need a meeting and
// are linked to an agenda item. $1 is the server zone's offset from UTC in
// seconds, by which a meeting's start (else its planned start) gives its
// day.
const linkedTableSQL = `
CREATE TEMP TABLE linked ON COMMIT DROP AS
SELECT s.id, s.org_unit_id, s.decided_at, s.contract_at, s.paid_at,
       s.required_body_kind, s.required_body_kinds, s.must_record,
       s.quorum_rule, s.vote_rule, s.leader_speaks_last, s.recusal_applies,
       ai.id AS item_id, ai.seq AS item_seq, ai.title AS item_title,
       ai.votes_for, ai.votes_against, ai.votes_abstain,
       mt.id AS meeting_id, mt.body_id, mt.mode, mt.started_at, mt.ended_at,
       mt.planned_start, mt.planned_end, mt.minutes_written_at,
       ((coalesce(mt.started_at, mt.planned_start) AT TIME ZONE 'UTC')
           + $1::integer * interval '1 second')::date AS meeting_day,
       b.kind AS body_kind, b.code AS body_code, b.org_unit_id AS body_unit_id
FROM scope s
JOIN agenda_items ai ON ai.id = s.agenda_item_id
JOIN meetings mt ON mt.id = ai.meeting_id
JOIN meeting_bodies b ON b.id = mt.body_id
WHERE s.needs_meeting`

// meetsRule is the SQL condition that count reaches the share rule
// ('more_than_half' or 'two_thirds') asks of the whole.
func meetsRule(count, whole, rule string) string {
	return "(CASE " + rule + " WHEN 'two_thirds' THEN " + count + " * 3 >= " + whole +
		" * 2 ELSE " + count + " * 2 > " + whole + " END)"
}

// decisionsSQL lists the decisions in scope in report order.
const decisionsSQL = `
SELECT id, title, decided_at, org_unit_id, matter_id, amount::text, must_record,
       needs_meeting
FROM scope
ORDER BY decided_at, id`

const noMeetingSQL = `
SELECT s.id FROM scope s
WHERE s.needs_meeting AND s.agenda_item_id IS NULL`

// wrongBodySQL finds linked meetings of another body kind or unit than the
// decision's, and decisions "taken" by passing a paper round (mode
// 'circulation'), which is no meeting whatever the body. Whether the
// earlier kinds of required_body_kinds took the matter up first is
// STAGE_SKIPPED's (stageSkippedSQL).
const wrongBodySQL = `
SELECT l.id, l.meeting_id, l.item_id, l.body_code, l.body_kind,
       l.body_kind <> l.required_body_kind, l.body_unit_id <> l.org_unit_id,
       l.mode = 'circulation', l.body_kind = ANY(l.required_body_kinds),
       bu.code, du.code
FROM linked l
JOIN org_units bu ON bu.id = l.body_unit_id
JOIN org_units du ON du.id = l.org_unit_id
WHERE l.body_kind <> l.required_body_kind OR l.body_unit_id <> l.org_unit_id
   OR l.mode = 'circulation'`

// decidedBeforeSQL finds, per linked decision, each of its dates (decided,
// contract signed, paid) that lies before the meeting's start. The first
// condition, on the decision alone, spares the other decisions the
// lateral join.
const decidedBeforeSQL = `
SELECT l.id, l.meeting_id, l.item_id, e.what, e.at,
       coalesce(l.started_at, l.planned_start), l.started_at IS NOT NULL
FROM linked l
CROSS JOIN LATERAL (VALUES (1, 'decided', l.decided_at), (2, 'contract', l.contract_at),
    (3, 'paid', l.paid_at)) AS e(ord, what, at)
WHERE least(l.decided_at, l.contract_at, l.paid_at) < coalesce(l.started_at, l.planned_start)
  AND e.at < coalesce(l.started_at, l.planned_start)
ORDER BY l.id, e.ord`

// backdatedSQL finds decisions registered more than $1 days after they
// were taken (any decision in scope), and linked meetings whose minutes
// were written more than $1 days after the meeting: after its end, else
// its planned end, its start or its planned start, whichever is known.
const backdatedSQL = `
SELECT id, what, ref, event_at, written_at, meeting_id, item_id FROM (
    SELECT s.id, 1 AS ord, 'registered' AS what, 'decided' AS ref,
           s.decided_at AS event_at, s.registered_at AS written_at,
           NULL::bigint AS meeting_id, NULL::bigint AS item_id
    FROM scope s
    WHERE s.registered_at > s.decided_at + make_interval(days => $1::integer)
    UNION ALL
    SELECT l.id, 2, 'minutes',
           CASE WHEN l.ended_at IS NOT NULL THEN 'ended'
                WHEN l.planned_end IS NOT NULL THEN 'planned_end'
                WHEN l.started_at IS NOT NULL THEN 'started'
                ELSE 'planned_start' END,
           coalesce(l.ended_at, l.planned_end, l.started_at, l.planned_start),
           l.minutes_written_at, l.meeting_id, l.item_id
    FROM linked l
    WHERE l.minutes_written_at > coalesce(l.ended_at, l.planned_end, l.started_at,
        l.planned_start) + make_interval(days => $1::integer)
) b
ORDER BY id, ord`

package county

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/liuhen/liuhen/internal/testenv"
)

// Shared CTEs of the reference rules below: the day of each meeting in
// China Standard Time, who sat on its body that day, and who came to each
// meeting (not to a circulation, which is no meeting: WRONG_BODY covers it).
const sittingCTE = `
WITH mday AS (
    SELECT m.id, m.body_id, m.mode, ((m.planned_start AT TIME ZONE 'UTC')
        + interval '8 hours')::date AS day
    FROM meetings m
),
seated AS (
    SELECT md.id AS meeting_id, bm.member_id, bm.role
    FROM mday md JOIN body_members bm ON bm.body_id = md.body_id
    WHERE bm.served_from <= md.day AND (bm.served_to IS NULL OR bm.served_to >= md.day)
),
sizes AS (
    SELECT s.meeting_id, count(*) AS seated,
           count(*) FILTER (WHERE a.status = 'present') AS present
    FROM seated s
    JOIN mday md ON md.id = s.meeting_id AND md.mode = 'meeting'
    LEFT JOIN meeting_attendance a ON a.meeting_id = s.meeting_id AND a.member_id = s.member_id
    GROUP BY s.meeting_id
),
linked AS (
    SELECT d.id, d.agenda_item_id AS item_id, ai.meeting_id
    FROM decisions d JOIN agenda_items ai ON ai.id = d.agenda_item_id
)
`

// referenceRules state, in SQL, the rules the generator plants violations
// of; each selects the decisions that break it. A rule whose limit can be
// read two ways is stated both ways: the planted decisions break both
// readings and the clean ones neither.
var referenceRules = []struct {
	name, planted, sql string
}{
	{"quorum of more than half", "NO_QUORUM", `SELECT l.id FROM linked l
		JOIN sizes z ON z.meeting_id = l.meeting_id WHERE z.present * 2 <= z.seated`},
	{"quorum of two thirds", "NO_QUORUM", `SELECT l.id FROM linked l
		JOIN sizes z ON z.meeting_id = l.meeting_id WHERE z.present * 3 < z.seated * 2`},
	{"votes for over half of the voters", "VOTE_SHORT", `SELECT l.id FROM linked l
		JOIN agenda_items ai ON ai.id = l.item_id
		WHERE ai.votes_for * 2 <= ai.votes_for + ai.votes_against + ai.votes_abstain`},
	{"votes for two thirds of the seated", "VOTE_SHORT", `SELECT l.id FROM linked l
		JOIN agenda_items ai ON ai.id = l.item_id JOIN sizes z ON z.meeting_id = l.meeting_id
		WHERE ai.votes_for * 3 < z.seated * 2`},
	{"leader speaks last", "LEADER_NOT_LAST", `SELECT l.id FROM linked l
		JOIN LATERAL (SELECT st.member_id FROM statements st WHERE st.agenda_item_id = l.item_id
			ORDER BY st.seq DESC LIMIT 1) last ON true
		JOIN seated s ON s.meeting_id = l.meeting_id AND s.role = 'leader'
		WHERE last.member_id <> s.member_id`},
	{"recused member stays out", "RECUSAL_MISSED", `SELECT l.id FROM linked l
		JOIN recusals rc ON rc.agenda_item_id = l.item_id WHERE rc.took_part`},
	{"registered within 6 days", "BACKDATED/registered", `SELECT id FROM decisions
		WHERE registered_at > decided_at + interval '6 days'`},
	{"registered within 39 days", "BACKDATED/registered", `SELECT id FROM decisions
		WHERE registered_at > decided_at + interval '39 days'`},
	{"minutes within 4 days", "BACKDATED/minutes", `SELECT l.id FROM linked l
		JOIN meetings m ON m.id = l.meeting_id
		WHERE m.minutes_written_at > m.ended_at + interval '4 days'`},
	{"minutes within 39 days", "BACKDATED/minutes", `SELECT l.id FROM linked l
		JOIN meetings m ON m.id = l.meeting_id
		WHERE m.minutes_written_at > m.ended_at + interval '39 days'`},
	{"earlier step linked before the deciding meeting", "STAGE_SKIPPED", `SELECT d.id
		FROM decisions d
		JOIN agenda_items ai ON ai.id = d.agenda_item_id
		JOIN meetings m ON m.id = ai.meeting_id
		JOIN meeting_bodies b ON b.id = m.body_id
		JOIN matters mt ON mt.id = d.matter_id
		WHERE cardinality(mt.required_body_kinds) = 2 AND b.kind = mt.required_body_kind
		  AND NOT EXISTS (SELECT 1 FROM decision_stages ds
			JOIN agenda_items p ON p.id = ds.agenda_item_id
			JOIN meetings pm ON pm.id = p.meeting_id
			JOIN meeting_bodies pb ON pb.id = pm.body_id
			WHERE ds.decision_id = d.id AND pb.kind = mt.required_body_kinds[1]
			  AND pb.org_unit_id = d.org_unit_id AND pm.started_at < m.started_at)`},
	{"no circulation", "WRONG_BODY/circulation", `SELECT l.id FROM linked l
		JOIN meetings m ON m.id = l.meeting_id WHERE m.mode = 'circulation'`},
	{"no split spending", "SPLIT_SPENDING", `SELECT d.id FROM decisions d
		JOIN matters mt ON mt.id = d.matter_id
		WHERE d.agenda_item_id IS NULL AND mt.amount_basis <> 'single'
		  AND d.amount < mt.amount_threshold
		  AND (SELECT sum(o.amount) FROM decisions o
		       WHERE o.org_unit_id = d.org_unit_id AND o.matter_id = d.matter_id
		         AND o.agenda_item_id IS NULL AND o.amount < mt.amount_threshold
		         AND CASE mt.amount_basis WHEN 'payee' THEN o.payee = d.payee AND d.payee <> ''
		             ELSE o.project = d.project AND d.project <> '' END
		         AND abs(extract(epoch FROM o.decided_at - d.decided_at))
		             <= mt.split_window_days * 86400) >= mt.amount_threshold`},
}

// TestGeneratedRulesHold checks the planted violations the verifier does
// not know yet against rules stated in SQL: exactly the planted decisions
// break each rule.
func TestGeneratedRulesHold(t *testing.T) {
	pool := testenv.Database(t)
	res := generate(t, pool, smallOptions(5))
	for _, r := range referenceRules {
		t.Run(r.name, func(t *testing.T) {
			want := res.VariantDecisions(r.planted)
			if len(want) == 0 {
				want = res.Decisions(Kind(r.planted))
			}
			if len(want) == 0 {
				t.Fatalf("nothing planted as %s; the test proves nothing", r.planted)
			}
			got := decisionIDs(t, pool, sittingCTE+r.sql)
			if missed := without(want, got); len(missed) > 0 {
				t.Errorf("%d of %d planted %s decisions keep the rule: %v", len(missed), len(want),
					r.planted, head(missed))
			}
			if extra := without(got, want); len(extra) > 0 {
				t.Errorf("%d decisions break the rule but were not planted as %s: %v",
					len(extra), r.planted, head(extra))
			}
		})
	}
}

// TestGeneratedDataIsConsistent checks what no constraint of the schema
// says but every reader expects.
func TestGeneratedDataIsConsistent(t *testing.T) {
	pool := testenv.Database(t)
	o := smallOptions(9)
	generate(t, pool, o)
	checks := []struct {
		name, sql string
		args      []any
	}{
		{"one leader per body on every day of the year", `SELECT count(*)
			FROM meeting_bodies b CROSS JOIN generate_series(make_date($1, 1, 1),
				make_date($1, 12, 31), interval '1 day') d
			WHERE (SELECT count(*) FROM body_members bm WHERE bm.body_id = b.id
				AND bm.role = 'leader' AND bm.served_from <= d
				AND (bm.served_to IS NULL OR bm.served_to >= d)) <> 1`, []any{o.Year}},
		{"attendance of members not seated", sittingCTE + `SELECT count(*)
			FROM meeting_attendance a WHERE NOT EXISTS (SELECT 1 FROM seated s
				WHERE s.meeting_id = a.meeting_id AND s.member_id = a.member_id)`, nil},
		{"seated members without attendance", sittingCTE + `SELECT count(*) FROM seated s
			JOIN mday md ON md.id = s.meeting_id AND md.mode = 'meeting'
			WHERE NOT EXISTS (SELECT 1 FROM meeting_attendance a
				WHERE a.meeting_id = s.meeting_id AND a.member_id = s.member_id)`, nil},
		{"statements by members not present", `SELECT count(*) FROM statements st
			JOIN agenda_items ai ON ai.id = st.agenda_item_id
			WHERE NOT EXISTS (SELECT 1 FROM meeting_attendance a WHERE a.meeting_id =
				ai.meeting_id AND a.member_id = st.member_id AND a.status = 'present')`, nil},
		{"statements by members who left", `SELECT count(*) FROM statements st
			JOIN recusals rc ON rc.agenda_item_id = st.agenda_item_id
				AND rc.member_id = st.member_id AND NOT rc.took_part`, nil},
		{"votes not matching statements", `SELECT count(*) FROM agenda_items ai
			WHERE EXISTS (SELECT 1 FROM statements st WHERE st.agenda_item_id = ai.id)
			  AND ai.votes_for IS NOT NULL AND ai.votes_for <> (SELECT count(*)
				FROM statements st WHERE st.agenda_item_id = ai.id AND st.position = 'for')`, nil},
		{"tracks whose segments are not all there", `SELECT count(*) FROM tracks t
			WHERE t.segments_written <> (SELECT count(*) FROM segments s WHERE s.track_id = t.id)
			   OR t.segments_written - 1 <> (SELECT max(seq) FROM segments s
				WHERE s.track_id = t.id)`, nil},
		{"registered before decided", `SELECT count(*) FROM decisions
			WHERE registered_at < decided_at OR paid_at < decided_at`, nil},
		{"stage links to items of another matter or unit, or of the deciding body",
			`SELECT count(*) FROM decision_stages ds
			JOIN decisions d ON d.id = ds.decision_id
			JOIN agenda_items p ON p.id = ds.agenda_item_id
			JOIN meetings pm ON pm.id = p.meeting_id
			JOIN meeting_bodies pb ON pb.id = pm.body_id
			JOIN matters mt ON mt.id = d.matter_id
			WHERE p.matter_id <> d.matter_id OR pb.org_unit_id <> d.org_unit_id
			   OR pb.kind = mt.required_body_kind OR pm.mode <> 'meeting'`, nil},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if n := count(t, pool, c.sql, c.args...); n != 0 {
				t.Errorf("got %d, want 0", n)
			}
		})
	}
}

func decisionIDs(t testing.TB, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

package verify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// benchSize is how many rows of each kind the benchmark database holds.
type benchSize struct {
	Units, Meetings, Decisions int
}

func benchSizeAt(scale int) benchSize {
	return benchSize{Units: 100 * scale, Meetings: 10000 * scale, Decisions: 100000 * scale}
}

// benchStatements build the benchmark database, set-based: townships with a
// party committee of seven (one leader, and an eighth whose seat ended) and a
// government executive meeting; four county matters (large funds by project,
// cadres by two thirds, payments by payee, small purchases); meetings of ten
// items, a day apart per township, each with a recording of one track of
// twelve ten-minute segments and an index point per item; one decision per
// item. Every few rows something is wrong, so each rule finds some: a
// government meeting for party matters (1 in 20), a circulated paper (1 in
// 100), a missing start (1 in 50), late minutes (1 in 50), no attendance
// kept (1 in 40), only three present (1 in 33), a short vote (1 in 37), a
// leader speaking first (1 in 31), a recusal broken (1 in 60), an unlinked
// decision (1 in 25), an early one (1 in 101), a late registration (1 in
// 97), a removed segment (1 in 45), an interrupted recording (1 in 50), long
// gaps (1 segment in 97). $1, $2 and $3 stand for the numbers of units,
// meetings and decisions, written into the text.
var benchStatements = []string{
	`INSERT INTO org_units (id, code, name, level, parent_id)
	 SELECT 1, 'BC', '县', 'county', NULL
	 UNION ALL
	 SELECT t + 1, 'BT-' || t, '镇' || t, 'township', 1 FROM generate_series(1, $1::int) t`,
	`INSERT INTO meeting_bodies (id, org_unit_id, code, name, kind)
	 SELECT t, t + 1, 'BP-' || t, '党委', 'party_committee' FROM generate_series(1, $1::int) t
	 UNION ALL
	 SELECT $1::int + t, t + 1, 'BG-' || t, '政府', 'government_executive'
	 FROM generate_series(1, $1::int) t`,
	`INSERT INTO members (id, org_unit_id, code, name)
	 SELECT (t - 1) * 8 + k, t + 1, 'BM-' || ((t - 1) * 8 + k), '成员' || k
	 FROM generate_series(1, $1::int) t, generate_series(1, 8) k`,
	`INSERT INTO body_members (body_id, member_id, role, served_from, served_to)
	 SELECT t, (t - 1) * 8 + k, CASE k WHEN 1 THEN 'leader' ELSE 'member' END,
	        CASE k WHEN 8 THEN date '2019-01-01' ELSE date '2020-01-01' END,
	        CASE k WHEN 8 THEN date '2019-12-31' END
	 FROM generate_series(1, $1::int) t, generate_series(1, 8) k`,
	`INSERT INTO matters (id, org_unit_id, code, name, category, required_body_kind,
	     required_body_kinds, amount_threshold, amount_basis, split_window_days,
	     quorum_rule, vote_rule, leader_speaks_last, recusal_applies)
	 VALUES (1, 1, 'BX-FUNDS', '大额资金', 'decision', 'party_committee', '{party_committee}',
	         50000, 'project', 90, 'more_than_half', 'more_than_half', true, true),
	        (2, 1, 'BX-CADRE', '干部任免', 'decision', 'party_committee', '{party_committee}',
	         NULL, 'single', 90, 'two_thirds', 'two_thirds', true, false),
	        (3, 1, 'BX-PAY', '工程款', 'decision', 'party_committee', '{party_committee}',
	         100000, 'payee', 30, 'more_than_half', 'more_than_half', false, false),
	        (4, 1, 'BX-SMALL', '小额采购', 'execution', NULL, '{}', NULL, 'single', 90,
	         'more_than_half', 'more_than_half', false, false)`,
	`INSERT INTO meetings (id, body_id, title, planned_start, started_at, ended_at, mode,
	     minutes_written_at)
	 SELECT m, CASE WHEN m % 20 = 0 THEN $1::int + t ELSE t END, '会议' || m, p,
	        CASE WHEN m % 50 <> 3 THEN p + interval '5 minutes' END,
	        CASE WHEN m % 50 <> 3 THEN p + interval '2 hours 5 minutes' END,
	        CASE WHEN m % 100 = 7 THEN 'circulation' ELSE 'meeting' END,
	        p + CASE WHEN m % 50 = 11 THEN interval '60 days' ELSE interval '1 day' END
	 FROM generate_series(1, $2::int) m,
	      LATERAL (SELECT (m - 1) % $1::int + 1 AS t) u,
	      LATERAL (SELECT timestamptz '2024-01-01 09:00+08'
	               + ((m - 1) / $1::int) * interval '1 day' AS p) s`,
	`INSERT INTO agenda_items (id, meeting_id, seq, title, votes_for, votes_against,
	     votes_abstain)
	 SELECT (m - 1) * 10 + j, m, j, '议题' || j,
	        CASE WHEN ((m - 1) * 10 + j) % 37 = 0 THEN 3 ELSE 6 END, 1, 0
	 FROM generate_series(1, $2::int) m, generate_series(1, 10) j`,
	`INSERT INTO meeting_attendance (meeting_id, member_id, status)
	 SELECT mt.id, (mt.body_id - 1) * 8 + k,
	        CASE WHEN mt.id % 33 = 0 AND k > 3 THEN 'absent' ELSE 'present' END
	 FROM meetings mt, generate_series(1, 7) k
	 WHERE mt.body_id <= $1::int AND mt.mode = 'meeting' AND mt.id % 40 <> 1`,
	`INSERT INTO statements (agenda_item_id, seq, member_id)
	 SELECT ai.id, s, (mt.body_id - 1) * 8 + CASE
	            WHEN ai.id % 31 = 0 THEN s
	            WHEN s = 4 THEN 1 ELSE s + 1 END
	 FROM agenda_items ai JOIN meetings mt ON mt.id = ai.meeting_id, generate_series(1, 4) s
	 WHERE ai.id % 3 = 0 AND mt.body_id <= $1::int`,
	`INSERT INTO recusals (agenda_item_id, member_id, took_part)
	 SELECT ai.id, (mt.body_id - 1) * 8 + 7, ai.id % 60 = 0
	 FROM agenda_items ai JOIN meetings mt ON mt.id = ai.meeting_id
	 WHERE ai.id % 20 = 0 AND mt.body_id <= $1::int`,
	`INSERT INTO decisions (id, org_unit_id, matter_id, title, amount, decided_at,
	     agenda_item_id, project, payee, registered_at, contract_at, paid_at)
	 SELECT k, b.org_unit_id, x.matter, '决策' || k, x.amount, d.at,
	        CASE WHEN k % 25 <> 0 THEN k END,
	        'P-' || b.org_unit_id || '-' || ((k - 1) / 10 / $1::int / 5) || '-' || k % 3,
	        'Y-' || b.org_unit_id || '-' || k % 4,
	        d.at + CASE WHEN k % 97 = 0 THEN interval '45 days' ELSE interval '2 days' END,
	        d.at + interval '3 days', d.at + interval '10 days'
	 FROM generate_series(1, $3::int) k
	 JOIN meetings mt ON mt.id = (k - 1) / 10 + 1
	 JOIN meeting_bodies b ON b.id = CASE WHEN mt.body_id > $1::int
	      THEN mt.body_id - $1::int ELSE mt.body_id END,
	 LATERAL (SELECT CASE WHEN k % 10 < 6 THEN 1 WHEN k % 10 = 6 THEN 2
	                      WHEN k % 10 = 7 THEN 3 ELSE 4 END AS matter) m0,
	 LATERAL (SELECT m0.matter, CASE m0.matter
	            WHEN 1 THEN CASE WHEN k % 7 = 0 THEN 20000 ELSE 80000 END
	            WHEN 3 THEN 60000 WHEN 4 THEN 5000 END::numeric AS amount) x,
	 LATERAL (SELECT coalesce(mt.started_at, mt.planned_start)
	            + CASE WHEN k % 101 = 0 THEN interval '-1 day' ELSE interval '1 hour' END
	            AS at) d`,
	`INSERT INTO recordings (id, meeting_id, state, started_at, ended_at)
	 SELECT id, id, CASE WHEN id % 50 = 17 THEN 'interrupted' ELSE 'finished' END,
	        started_at, ended_at
	 FROM meetings WHERE started_at IS NOT NULL`,
	`INSERT INTO tracks (id, recording_id, session_id, state, started_at, ended_at,
	     segments_written)
	 SELECT id, id, 'bench-' || id, state, started_at, ended_at, 12 FROM recordings`,
	`INSERT INTO segments (id, track_id, seq, object_key, sha256, size_bytes,
	     media_start_ms, media_end_ms, wall_start, wall_end)
	 SELECT t.id * 12 + s, t.id, s, 'bench/' || t.id || '/' || s,
	        sha256(convert_to('bench/' || t.id || '/' || s, 'UTF8')), 1000000,
	        s * 600000, (s + 1) * 600000,
	        t.started_at + s * interval '10 minutes',
	        t.started_at + (s + 1) * interval '10 minutes'
	 FROM tracks t, generate_series(0, 11) s
	 WHERE NOT (t.id % 45 = 0 AND s = 5)`,
	`INSERT INTO segment_gaps (segment_id, kind, start_ms, end_ms, lost_packets)
	 SELECT id, 'audio', media_start_ms + 1000,
	        media_start_ms + 1000 + CASE WHEN id % 97 = 0 THEN 8000 ELSE 400 END, 12
	 FROM segments WHERE id % 10 = 0 OR id % 97 = 0`,
	`INSERT INTO index_points (agenda_item_id, recording_id, start_ms, end_ms)
	 SELECT ai.id, r.id, (ai.seq - 1) * 720000, ai.seq * 720000 - 1000
	 FROM agenda_items ai JOIN recordings r ON r.meeting_id = ai.meeting_id`,
	`ANALYZE`,
}

// benchData fills pool with the benchmark database at scale and returns
// how many decisions it holds.
func benchData(tb testing.TB, pool *pgxpool.Pool, scale int) int {
	tb.Helper()
	size := benchSizeAt(scale)
	ctx := context.Background()
	started := time.Now()
	sizes := strings.NewReplacer("$1", fmt.Sprint(size.Units), "$2", fmt.Sprint(size.Meetings),
		"$3", fmt.Sprint(size.Decisions))
	for i, sql := range benchStatements {
		if _, err := pool.Exec(ctx, sizes.Replace(sql)); err != nil {
			tb.Fatalf("bench data, statement %d: %v", i+1, err)
		}
	}
	tb.Logf("bench data: %d units, %d meetings, %d decisions in %s", size.Units,
		size.Meetings, size.Decisions, time.Since(started).Round(time.Second))
	return size.Decisions
}

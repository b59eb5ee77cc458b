package importer

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// countyFiles are the fixtures of the sample county, in the order a new
// county loads them.
var countyFiles = []struct {
	kind Kind
	name string
}{
	{KindUnits, "units.csv"}, {KindBodies, "bodies.xlsx"}, {KindMatters, "matters.xlsx"},
	{KindMeetings, "meetings.xlsx"}, {KindDecisions, "decisions_gbk.csv"},
	{KindDecisions, "decisions_en.xlsx"},
}

// loadCounty imports every county fixture.
func loadCounty(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	for _, f := range countyFiles {
		importOK(t, pool, f.kind, f.name)
	}
}

// snapshotTables are every table an import writes.
var snapshotTables = []string{"org_units", "meeting_bodies", "members", "body_members",
	"matters", "meetings", "agenda_items", "meeting_attendance", "recusals", "decisions",
	"decision_stages"}

// snapshot returns every row of the tables an import writes, to compare
// before and after.
func snapshot(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	var out []string
	for _, table := range snapshotTables {
		out = append(out, query(t, pool, `SELECT '`+table+`: ' || (to_jsonb(t) - 'created_at')::text
			FROM `+table+` t ORDER BY 1`)...)
	}
	return out
}

func wantRows(t testing.TB, pool *pgxpool.Pool, sql string, want []string) {
	t.Helper()
	if got := query(t, pool, sql); !slices.Equal(got, want) {
		t.Errorf("%s\ngot  %q\nwant %q", sql, got, want)
	}
}

func TestImportEachKind(t *testing.T) {
	pool := newDB(t)
	want := map[string][3]int{ // table → created, of the first import of each file
		"org_units": {5}, "meeting_bodies": {4}, "members": {6}, "body_members": {7},
		"matters": {9}, "meetings": {3}, "agenda_items": {5}, "meeting_attendance": {7},
		"recusals": {1},
	}
	for _, f := range countyFiles {
		res := importOK(t, pool, f.kind, f.name)
		for _, c := range res.Counts {
			if w, ok := want[c.Table]; ok && c.Created != w[0] {
				t.Errorf("%s: %s created %d, want %d", f.name, c.Table, c.Created, w[0])
			}
		}
	}
	t.Run("bodies and seats", func(t *testing.T) {
		wantRows(t, pool, `SELECT b.code, b.kind, m.code, m.name, s.role,
			s.served_from, coalesce(s.served_to::text, '-')
			FROM body_members s JOIN meeting_bodies b ON b.id = s.body_id
			JOIN members m ON m.id = s.member_id ORDER BY b.code, m.code`, []string{
			"QSZ-DL-LW|village_two_committees|QSZ-DL-刘芳|刘芳|member|2021-01-01|-",
			"QSZ-DL-LW|village_two_committees|QSZ-DL-陈刚|陈刚|leader|2021-01-01|-",
			"QSZ-DW|party_committee|M001|王建国|leader|2021-06-01|-",
			"QSZ-DW|party_committee|M002|李明|deputy|2021-06-01|-",
			"QSZ-DW|party_committee|M003|张红|member|2022-03-05|-",
			"QSZ-ZFCW|government_executive|M002|李明|leader|2021-06-01|-",
			"QSZ-ZFCW|government_executive|M004|赵强|deputy|2021-06-01|2025-12-31",
		})
	})
	t.Run("procedure list", func(t *testing.T) {
		wantRows(t, pool, `SELECT code, category, major_class, coalesce(required_body_kind, '-'),
			array_to_string(required_body_kinds, '→'), coalesce(amount_threshold::text, '-'),
			amount_basis, quorum_rule, vote_rule, leader_speaks_last, recusal_applies,
			must_record FROM matters WHERE code IN ('QS-02', 'QS-04', 'QS-06', 'QS-09', 'DL-01')
			ORDER BY code`, []string{
			"DL-01|decision|major_project|villager_representatives|" +
				"village_two_committees→villager_representatives|50000.00|single|two_thirds|" +
				"more_than_half|true|true|true",
			"QS-02|decision|cadre|party_committee|party_committee|-|single|two_thirds|" +
				"two_thirds|true|true|true",
			"QS-04|decision|major_project|party_committee|party_committee|1000000.00|project|" +
				"more_than_half|more_than_half|true|true|true",
			"QS-06|decision|large_funds|government_executive|government_executive|10000.00|" +
				"payee|more_than_half|more_than_half|true|false|true",
			"QS-09|implementation|none|-||-|single|more_than_half|more_than_half|false|false|" +
				"false",
		})
	})
	t.Run("meetings, agenda and attendance", func(t *testing.T) {
		wantRows(t, pool, `SELECT m.code, m.planned_start, m.planned_end,
			m.mode, c.name FROM meetings m JOIN members c ON c.id = m.chair_member_id
			ORDER BY m.code`, []string{
			"DL-2024-01|2024-03-08 00:00|NULL|circulation|陈刚",
			"QSZ-DW-2024-03|2024-03-05 09:00|2024-03-05 11:30|meeting|王建国",
			"QSZ-ZFCW-2024-02|2024-03-12 15:00|NULL|meeting|李明",
		})
		wantRows(t, pool, `SELECT m.code, a.seq, x.code, a.outcome, coalesce(a.votes_for, -1)
			FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
			JOIN matters x ON x.id = a.matter_id ORDER BY m.code, a.seq`, []string{
			"DL-2024-01|1|DL-01|approved|2", "QSZ-DW-2024-03|1|QS-03|approved|2",
			"QSZ-DW-2024-03|2|QS-04|approved|1", "QSZ-DW-2024-03|3|QS-02|deferred|-1",
			"QSZ-ZFCW-2024-02|1|QS-06|approved|2",
		})
		wantRows(t, pool, `SELECT m.code, p.name, a.status, a.absence_reason
			FROM meeting_attendance a JOIN meetings m ON m.id = a.meeting_id
			JOIN members p ON p.id = a.member_id WHERE m.code = 'QSZ-DW-2024-03'
			ORDER BY p.code`, []string{"QSZ-DW-2024-03|王建国|present|",
			"QSZ-DW-2024-03|李明|present|", "QSZ-DW-2024-03|张红|absent|出差"})
		wantRows(t, pool, `SELECT a.seq, p.name, r.reason FROM recusals r
			JOIN agenda_items a ON a.id = r.agenda_item_id JOIN members p ON p.id = r.member_id`,
			[]string{"2|李明|亲属承接该项目"})
	})
	t.Run("decisions", func(t *testing.T) {
		wantRows(t, pool, `SELECT d.reference, u.code, x.code, coalesce(d.amount::text, '-'),
			d.decided_at, d.registered_at, d.payee, d.project,
			coalesce(m.code || '#' || a.seq, '-')
			FROM decisions d JOIN org_units u ON u.id = d.org_unit_id
			JOIN matters x ON x.id = d.matter_id LEFT JOIN agenda_items a ON a.id = d.agenda_item_id
			LEFT JOIN meetings m ON m.id = a.meeting_id ORDER BY d.reference`, []string{
			"东岭村〔2024〕1号|QSZ-DL|DL-01|55000.00|2024-03-08 00:00|NULL|东岭建筑队|村道硬化|DL-2024-01#1",
			"青山党〔2024〕30号|QSZ|QS-03|60000.00|2024-03-05 08:00|2024-03-05 17:30|" +
				"青山建筑公司|镇敬老院改造|QSZ-DW-2024-03#1",
			"青山党〔2024〕31号|QSZ|QS-03|80000.00|2024-03-06 00:00|2024-03-07 10:15|" +
				"青山建筑公司|镇敬老院改造|QSZ-DW-2024-03#1",
			"青山党〔2024〕32号|QSZ|QS-04|-|2024-03-06 00:00|2024-03-08 00:00||污水管网|" +
				"QSZ-DW-2024-03#2",
			"青山党〔2024〕33号|QSZ|QS-04|1200000.00|2024-03-06 00:00|2024-03-09 00:00|" +
				"青河水务公司|污水管网|QSZ-DW-2024-03#2",
			"青山政〔2024〕18号|QSZ|QS-06|30000.00|2024-03-12 16:00|NULL|青山路桥公司|镇村道路修复|" +
				"QSZ-ZFCW-2024-02#1",
			"青山财〔2024〕7号|QSZ|QS-03|150000.00|2024-03-01 00:00|NULL||办公楼维修|-",
			"青山财〔2024〕8号|QSZ|QS-03|1234.56|2024-03-20 00:00|NULL|青山家具厂||-",
			"青山财〔2024〕9号|QSZ|QS-10|3000.00|2024-04-02 00:00|NULL|青山文具店||-",
		})
	})
}

func TestReimportChangesNothing(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	before := snapshot(t, pool)
	for _, f := range countyFiles {
		res := importOK(t, pool, f.kind, f.name)
		for _, c := range res.Counts {
			if c.Created != 0 || c.Updated != 0 || c.Removed != 0 || c.Unchanged == 0 {
				t.Errorf("%s again: %s %+v, want every row unchanged", f.name, c.Table, c)
			}
		}
	}
	if after := snapshot(t, pool); !slices.Equal(before, after) {
		t.Errorf("importing every file again changed the database")
	}
	t.Run("other headers, same records", func(t *testing.T) {
		res := importOK(t, pool, KindUnits, "units_en.csv")
		wantCount(t, res, "org_units", 0, 0, 5)
	})
}

func TestImportUpdatesWhatChanged(t *testing.T) {
	pool := newDB(t)
	loadCounty(t, pool)
	res := importOK(t, pool, KindMatters, "matters_en.csv")
	// QS-01 has another legal basis than in matters.xlsx; QS-03 and QS-09
	// are the same.
	wantCount(t, res, "matters", 0, 1, 2)
	wantRows(t, pool, `SELECT legal_basis, quorum_rule FROM matters WHERE code = 'QS-01'`,
		[]string{"镇“三重一大”集体决策制度|two_thirds"})
}

func TestDryRunWritesNothing(t *testing.T) {
	pool := newDB(t)
	importOK(t, pool, KindUnits, "units.csv")
	before := snapshot(t, pool)
	res, err := Import(context.Background(), pool, KindBodies, "bodies.xlsx",
		fixture(t, "bodies.xlsx"), Options{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !res.DryRun {
		t.Errorf("result: got dry_run false, want true")
	}
	wantCount(t, res, "members", 6, 0, 0)
	if after := snapshot(t, pool); !slices.Equal(before, after) {
		t.Errorf("a dry run changed the database")
	}
}

func TestImportReportsProgress(t *testing.T) {
	pool := newDB(t)
	var last = map[string][2]int{}
	_, err := Import(context.Background(), pool, KindUnits, "units.csv", fixture(t, "units.csv"),
		Options{Progress: func(phase string, done, total int) { last[phase] = [2]int{done, total} }})
	if err != nil {
		t.Fatal(err)
	}
	for _, phase := range []string{"reading", "writing org_units"} {
		if got := last[phase]; got != [2]int{5, 5} {
			t.Errorf("last progress of %s: got %d of %d, want 5 of 5", phase, got[0], got[1])
		}
	}
}

func TestImportUnicodeText(t *testing.T) {
	// Excel's "Unicode text" is UTF-16 with a byte order mark, tab-separated.
	text := "单位编码\t单位名称\t层级\r\nU16\t统一码镇\t乡镇\r\n"
	data := []byte{0xFF, 0xFE}
	for _, r := range text {
		data = append(data, byte(r), byte(r>>8))
	}
	pool := newDB(t)
	res, err := Import(context.Background(), pool, KindUnits, "u.txt", data, Options{})
	if err != nil {
		t.Fatalf("import UTF-16 text: %v", err)
	}
	wantCount(t, res, "org_units", 1, 0, 0)
	wantRows(t, pool, `SELECT code, name, level FROM org_units`, []string{"U16|统一码镇|township"})
}

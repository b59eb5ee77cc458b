package inspect_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
)

// TestSearchFollowsChanges changes each table the search reads and checks
// that the search sees the change at once: the triggers of migration
// 00012 keep search_items up to date.
func TestSearchFollowsChanges(t *testing.T) {
	c := newCounty(t)
	s := inspect.NewSearcher(c.pool)
	steps := []struct {
		name, sql, params string
		want              []string
	}{
		{"a new agenda item", `INSERT INTO agenda_items (meeting_id, seq, title)
			SELECT id, 3, '关于垃圾中转站建设的议题' FROM meetings WHERE title LIKE '石门镇%'`,
			"q=中转站", []string{"SM1.3"}},
		{"an item renamed", `UPDATE agenda_items SET title = '关于公共厕所建设的议题'
			WHERE title = '关于垃圾中转站建设的议题'`, "q=厕所", []string{"SM1.3"}},
		{"the old title is gone", "", "q=中转站", []string{}},
		{"a meeting renamed", `UPDATE meetings SET title = '石门镇2026年第2次党委扩大会议'
			WHERE title LIKE '石门镇%'`, "q=扩大", []string{"SM1.1", "SM1.2", "SM1.3"}},
		{"a meeting moved in time", `UPDATE meetings SET started_at = NULL,
			planned_start = '2025-01-01T09:00:00+08:00' WHERE title LIKE '石门镇%'`,
			"to=2025-06-30&unit=QY-SM", []string{"SM1.1", "SM1.2", "SM1.3"}},
		{"a matter renamed", `UPDATE matters SET name = '社会资本合作项目'
			WHERE name = 'PPP项目合作'`, "q=社会资本", []string{"SM1.1", "SM1.2"}},
		{"a matter reclassed", `UPDATE matters SET major_class = 'major_project'
			WHERE name = '社会资本合作项目'`, "major_class=major_project&unit=QY-SM",
			[]string{"SM1.1", "SM1.2"}},
		{"a decision registered", `INSERT INTO decisions (org_unit_id, matter_id, title,
				decided_at, agenda_item_id)
			SELECT m.org_unit_id, m.id, '桥梁加固工程施工合同的决定', now(), ai.id
			FROM agenda_items ai, matters m
			WHERE ai.title = '关于桥梁加固工程的议题' AND m.name = '社会资本合作项目'`,
			"q=施工合同", []string{"SM1.2"}},
		{"a decision moved to another item", `UPDATE decisions
			SET agenda_item_id = (SELECT id FROM agenda_items WHERE title LIKE 'Bridge%')
			WHERE title = '桥梁加固工程施工合同的决定'`, "q=施工合同", []string{"SM1.1"}},
		{"a decision deleted", `DELETE FROM decisions WHERE title = '桥梁加固工程施工合同的决定'`,
			"q=施工合同", []string{}},
		{"a body of another kind", `UPDATE meeting_bodies SET kind = 'joint_party_government'
			WHERE code = 'QY-SM-party_committee'`, "body_kind=joint_party_government",
			[]string{"SM1.1", "SM1.2", "SM1.3"}},
		{"a village moved to another township", `UPDATE org_units SET parent_id =
			(SELECT id FROM org_units WHERE code = 'QY-SM') WHERE code = 'QY-QS-YJ'`,
			"unit=QY-SM&q=林地", []string{"YJ.1"}},
		{"and gone from the first", "", "unit=QY-QS&q=林地", []string{}},
	}
	for _, st := range steps {
		if st.sql != "" {
			c.exec(t, st.sql)
		}
		c.learnItems(t)
		if got, _ := c.search(t, s, st.params); !slices.Equal(got, st.want) {
			t.Errorf("%s: %s: got %v, want %v", st.name, st.params, got, st.want)
		}
	}
}

// TestSearchAfterBulkInsert inserts many items in one statement, as an
// import does, and finds them all.
func TestSearchAfterBulkInsert(t *testing.T) {
	c := newCounty(t)
	c.exec(t, `INSERT INTO agenda_items (meeting_id, seq, title)
		SELECT m.id, 10 + g, '关于第' || g || '批农村饮水安全工程的议题'
		FROM meetings m, generate_series(1, 300) g WHERE m.title LIKE '杨家村%'`)
	c.learnItems(t)
	_, res := c.search(t, inspect.NewSearcher(c.pool), "q=饮水&limit=100")
	if res.Total != 300 || !res.TotalExact || len(res.Items) != 100 {
		t.Errorf("got total %d (exact %v) and %d on the page, want 300 exact and 100",
			res.Total, res.TotalExact, len(res.Items))
	}
}

// TestMigrationFillsSearchForExistingItems checks that the migration's own
// fill (search_items_refresh over every item) gives what the triggers do.
func TestMigrationFillsSearchForExistingItems(t *testing.T) {
	c := newCounty(t)
	before, _ := c.search(t, inspect.NewSearcher(c.pool), "q=道路")
	c.exec(t, `DELETE FROM search_items`)
	c.exec(t, `SELECT search_items_refresh(ARRAY(SELECT id FROM agenda_items))`)
	after, _ := c.search(t, inspect.NewSearcher(c.pool), "q=道路")
	if len(before) != 1 || !slices.Equal(before, after) {
		t.Errorf("got %v after the refresh, %v before; want the one item both times",
			after, before)
	}
}

// TestFacetKeysDistinct checks that the keys of every filter value the
// schema allows differ, so that one filter never matches another's items.
func TestFacetKeysDistinct(t *testing.T) {
	c := newCounty(t)
	var facets []string
	for _, k := range agenda.BodyKinds {
		facets = append(facets, "kind:"+string(k))
	}
	for _, k := range agenda.Categories {
		facets = append(facets, "category:"+string(k))
	}
	for _, k := range agenda.MajorClasses {
		facets = append(facets, "class:"+string(k))
	}
	var distinct, below int
	err := c.pool.QueryRow(context.Background(), `SELECT count(DISTINCT search_facet_key(f)),
		count(*) FILTER (WHERE search_facet_key(f) < -1073741824) FROM unnest($1::text[]) f`,
		facets).Scan(&distinct, &below)
	if err != nil {
		t.Fatal(err)
	}
	if distinct != len(facets) || below != len(facets) {
		t.Errorf("got %d distinct keys, %d below -2^30, for %d facets; want all of them",
			distinct, below, len(facets))
	}
}

// learnItems names items added since the fixture was made by meeting and
// seq, as the fixture names its own.
func (c *county) learnItems(t testing.TB) {
	t.Helper()
	rows, err := c.pool.Query(context.Background(), `SELECT ai.id, ai.meeting_id, ai.seq
		FROM agenda_items ai`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := map[int64]string{}
	for k, id := range c.meetings {
		names[id] = k
	}
	for rows.Next() {
		var id, meeting int64
		var seq int
		if err := rows.Scan(&id, &meeting, &seq); err != nil {
			t.Fatal(err)
		}
		c.items[names[meeting]+"."+itoa(int64(seq))] = id
	}
}

// TestSearchKeepsConcurrentDecisions links two decisions to one item in
// two transactions at once: the search finds both, whichever commits
// last.
func TestSearchKeepsConcurrentDecisions(t *testing.T) {
	c := newCounty(t)
	ctx := context.Background()
	insert := `INSERT INTO decisions (org_unit_id, matter_id, title, decided_at, agenda_item_id)
		SELECT org_unit_id, matter_id, $2, decided_at, agenda_item_id FROM decisions
		WHERE id = $1`
	first, err := c.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	if _, err := first.Exec(ctx, insert, c.decision["D1"], "第一份补充决定"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		second, err := c.pool.Begin(ctx)
		if err != nil {
			done <- err
			return
		}
		defer second.Rollback(ctx)
		if _, err := second.Exec(ctx, insert, c.decision["D1"], "第二份补充决定"); err != nil {
			done <- err
			return
		}
		done <- second.Commit(ctx)
	}()
	time.Sleep(200 * time.Millisecond) // the second waits for the first's lock
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	s := inspect.NewSearcher(c.pool)
	for _, q := range []string{"q=第一份补充", "q=第二份补充"} {
		if got, _ := c.search(t, s, q); !slices.Equal(got, []string{"QS1.1"}) {
			t.Errorf("%s: got %v, want [QS1.1]", q, got)
		}
	}
}

package inspect_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
)

// sweep runs one sweep of the findings, as serve does, without the object
// store (no RECORDING_TAMPERED).
func (c *county) sweep(t testing.TB) alert.SweepResult {
	t.Helper()
	s, err := alert.NewSweeper(c.pool, nil, alert.Config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return res
}

// findingsOf returns the kept findings of the fixture's decision key.
func (c *county) findingsOf(t testing.TB, key string) []alert.Finding {
	t.Helper()
	list, _, err := alert.NewStore(c.pool).Newest(context.Background(), alert.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(list, func(f alert.Finding) bool {
		return f.DecisionID != c.decision[key]
	})
}

// TestHasFindingsReadsKeptFindings: has_findings answers from the findings
// table as the last sweep left it, counting open and acknowledged findings
// and not resolved ones, and says which sweep that was.
func TestHasFindingsReadsKeptFindings(t *testing.T) {
	c := newCounty(t)
	s := inspect.NewSearcher(c.pool)
	ctx := context.Background()
	store := alert.NewStore(c.pool)
	check := func(t *testing.T, when string, with, without []string) inspect.Result {
		t.Helper()
		got, res := c.search(t, s, "has_findings=true")
		if !slices.Equal(got, with) {
			t.Errorf("%s: with findings: got %v, want %v", when, got, with)
		}
		if got, _ := c.search(t, s, "has_findings=false"); !slices.Equal(got, without) {
			t.Errorf("%s: without findings: got %v, want %v", when, got, without)
		}
		return res
	}

	// A sweep that checked segment objects an hour ago, and then one that
	// could not.
	objectsAt := time.Now().Add(-time.Hour).Truncate(time.Microsecond)
	c.exec(t, `INSERT INTO finding_sweeps (started_at, finished_at, codes, checked, found,
		    opened, reopened, escalated, resolved, queued)
		VALUES ($1::timestamptz, $1 + interval '1 minute', $2, 0, 0, 0, 0, 0, 0, 0)`, objectsAt,
		verify.Codes())
	before := time.Now()
	c.sweep(t)
	after := time.Now()
	res := check(t, "after a sweep", []string{"QSG.1", "YJ.1"},
		[]string{"QS1.1", "QS1.2", "SM1.1", "SM1.2"})
	b := res.Findings
	switch {
	case b == nil:
		t.Fatal("got no findings basis, want the sweep's")
	case !slices.Equal(b.States, []string{alert.StateOpen, alert.StateAcknowledged}):
		t.Errorf("states: got %v, want open and acknowledged", b.States)
	case b.AsOf.Before(before.Add(-time.Second)) || b.AsOf.After(after) ||
		b.SweptAt.Before(b.AsOf) || b.SweptAt.After(after.Add(time.Second)):
		t.Errorf("got as of %v, swept at %v; want both during the sweep (%v to %v)",
			b.AsOf, b.SweptAt, before, after)
	case slices.Contains(b.Codes, verify.CodeRecordingTampered) || len(b.Codes) == 0:
		t.Errorf("codes: got %v, want the database rules", b.Codes)
	case b.ObjectsAsOf == nil || !b.ObjectsAsOf.Equal(objectsAt):
		t.Errorf("objects as of: got %v, want %v", b.ObjectsAsOf, objectsAt)
	}
	if _, plain := c.search(t, s, ""); plain.Findings != nil {
		t.Errorf("a search without has_findings: got %+v, want no findings basis",
			plain.Findings)
	}

	// D2 has two findings: acknowledged, it still has findings; with one
	// resolved and the other acknowledged, still. D3's one finding,
	// resolved by hand, leaves YJ.1 without.
	d2 := c.findingsOf(t, "D2")
	if len(d2) != 2 {
		t.Fatalf("D2: got %d findings, want WRONG_BODY and NO_RECORDING", len(d2))
	}
	for _, f := range d2 {
		if _, err := store.Acknowledge(ctx, f.ID, alert.Change{By: "admin", Reason: "seen"}); err != nil {
			t.Fatal(err)
		}
	}
	check(t, "acknowledged", []string{"QSG.1", "YJ.1"},
		[]string{"QS1.1", "QS1.2", "SM1.1", "SM1.2"})
	if _, err := store.Resolve(ctx, d2[0].ID, alert.Change{By: "admin", Reason: "minutes on paper"}); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.findingsOf(t, "D3") {
		if _, err := store.Resolve(ctx, f.ID, alert.Change{By: "admin", Reason: "minutes on paper"}); err != nil {
			t.Fatal(err)
		}
	}
	check(t, "resolved by hand", []string{"QSG.1"},
		[]string{"QS1.1", "QS1.2", "SM1.1", "SM1.2", "YJ.1"})

	// A decision registered after the sweep waits for the next one.
	c.decide(t, "D4", "QY-SM", c.matterOf(t, "SM1.1"), "PPP合作协议的决定", "SM1.1", time.Hour)
	c.exec(t, `UPDATE meetings SET body_id = (SELECT body_id FROM meetings WHERE id = $2)
		WHERE id = $1`, c.meetings["SM1"], c.meetings["QSG"])
	res = check(t, "a new decision", []string{"QSG.1"},
		[]string{"QS1.1", "QS1.2", "SM1.1", "SM1.2", "YJ.1"})
	asOf := res.Findings.AsOf
	c.sweep(t)
	res = check(t, "the next sweep", []string{"SM1.1", "QSG.1"},
		[]string{"QS1.1", "QS1.2", "SM1.2", "YJ.1"})
	if !res.Findings.AsOf.After(asOf) {
		t.Errorf("the next sweep: got as of %v, want later than %v", res.Findings.AsOf, asOf)
	}

	// D2's matter asks no meeting any more: the next sweep resolves its
	// findings.
	c.exec(t, `UPDATE matters SET required_body_kind = NULL, required_body_kinds = '{}'
		WHERE id = (SELECT matter_id FROM decisions WHERE id = $1)`, c.decision["D2"])
	if got := c.sweep(t); got.Resolved != 1 { // the other was resolved by hand
		t.Errorf("sweep: got %+v, want D2's acknowledged finding resolved", got)
	}
	check(t, "resolved by the sweep", []string{"SM1.1"},
		[]string{"QS1.1", "QS1.2", "SM1.2", "QSG.1", "YJ.1"})
}

// notYetChecked lists, from every item a search with has_findings=true or
// =false finds, the decisions marked not yet checked, as "item:decision"
// keys; it fails when an item's mark disagrees with its decisions'.
func (c *county) notYetChecked(t *testing.T, s *inspect.Searcher) []string {
	t.Helper()
	decisions := map[int64]string{}
	for k, id := range c.decision {
		decisions[id] = k
	}
	var out []string
	for _, with := range []string{"true", "false"} {
		keys, res := c.search(t, s, "has_findings="+with)
		for i, it := range res.Items {
			marked := false
			for _, d := range it.Decisions {
				if d.ChangedAt.IsZero() {
					t.Errorf("decision %d: got no change time", d.ID)
				}
				if d.NotYetChecked {
					out = append(out, keys[i]+":"+decisions[d.ID])
					marked = true
				}
			}
			if it.NotYetChecked != marked {
				t.Errorf("item %s: got not_yet_checked %v, want %v as its decisions",
					keys[i], it.NotYetChecked, marked)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestSearchSaysWhatIsNotYetChecked: a decision registered, relinked or
// edited after the last sweep began is marked not yet checked, with its
// item, until the next sweep; a write that changes nothing is no change.
func TestSearchSaysWhatIsNotYetChecked(t *testing.T) {
	c := newCounty(t)
	s := inspect.NewSearcher(c.pool)
	c.sweep(t)
	if got := c.notYetChecked(t, s); len(got) != 0 {
		t.Fatalf("after a sweep: got %v not yet checked, want none", got)
	}

	c.decide(t, "D4", "QY-SM", c.matterOf(t, "SM1.1"), "PPP合作协议的决定", "SM1.1", time.Hour)
	c.exec(t, `UPDATE decisions SET agenda_item_id = $1 WHERE id = $2`, c.items["QS1.2"],
		c.decision["D1"])
	c.exec(t, `UPDATE decisions SET title = title, amount = amount WHERE id = $1`,
		c.decision["D2"])
	if got, want := c.notYetChecked(t, s), []string{"QS1.2:D1", "SM1.1:D4"}; !slices.Equal(got,
		want) {
		t.Errorf("after the changes: got %v not yet checked, want %v", got, want)
	}
	if _, plain := c.search(t, s, ""); slices.ContainsFunc(plain.Items,
		func(it inspect.Item) bool { return it.NotYetChecked }) {
		t.Error("a search without has_findings: got items marked not yet checked, want " +
			"none, as it reads no sweep")
	}

	c.sweep(t)
	if got := c.notYetChecked(t, s); len(got) != 0 {
		t.Errorf("after the next sweep: got %v not yet checked, want none", got)
	}
}

// matterOf returns the matter of the fixture's item key.
func (c *county) matterOf(t testing.TB, key string) int64 {
	t.Helper()
	var id int64
	if err := c.pool.QueryRow(context.Background(),
		`SELECT matter_id FROM agenda_items WHERE id = $1`, c.items[key]).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestHasFindingsBeforeAnySweep: with no sweep completed, has_findings is
// refused with what to do, never answered "no findings".
func TestHasFindingsBeforeAnySweep(t *testing.T) {
	s := newServer(t)
	searcher := inspect.NewSearcher(s.pool)
	for _, value := range []bool{true, false} {
		_, err := searcher.Search(context.Background(),
			inspect.Query{HasFindings: &value, Limit: 10})
		if !errors.Is(err, inspect.ErrNotSwept) {
			t.Errorf("has_findings=%v: got %v, want ErrNotSwept", value, err)
		}
	}
	status, body := s.call(t, http.MethodGet, "/api/v1/search?has_findings=false",
		adminToken, "", "")
	checkProblem(t, status, body, http.StatusServiceUnavailable, "")
	if !strings.Contains(string(body), "liuhen findings sweep") {
		t.Errorf("got %s, want it to say how to run a sweep", body)
	}
	// Bad input is still told first.
	status, body = s.call(t, http.MethodGet, "/api/v1/search?has_findings=yes", adminToken,
		"", "")
	checkProblem(t, status, body, http.StatusBadRequest, "has_findings")
	status, body = s.call(t, http.MethodGet, "/api/v1/search?has_findings=true&unit=NOWHERE",
		adminToken, "", "")
	checkProblem(t, status, body, http.StatusBadRequest, "unit")
	// Without has_findings, a search needs no sweep.
	var res inspect.Result
	s.get(t, "/api/v1/search?q=%E9%81%93%E8%B7%AF", adminToken, &res)
}

package verify

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

// part is one decision of a split case: its amount, its day after the
// first, its project and payee, and the body kind of the meeting it was
// linked to ("" for none).
type part struct {
	amount       string
	day          int
	project, pay string
	body         string
}

// splitCase builds a unit whose matter has basis and a 50,000 threshold
// over 90 days, adds parts, and says which of them (by index) must get
// SPLIT_SPENDING.
type splitCase struct {
	name  string
	basis string
	parts []part
	want  []int
	named []int // the parts each finding must name, when not want
	opts  func(first time.Time) Options
}

func TestSplitSpending(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	road := func(amount string, day int) part {
		return part{amount: amount, day: day, project: "村道A", pay: "某建筑公司"}
	}
	for _, tc := range []splitCase{
		{name: "fires for three parts within the window", basis: "project",
			parts: []part{road("20000", 0), road("20000", 30), road("20000", 60)},
			want:  []int{0, 1, 2}},
		{name: "fires for parts to one payee under several projects", basis: "payee",
			parts: []part{{"30000", 0, "村道A", "某建筑公司", ""},
				{"30000", 10, "村道B", "某建筑公司", ""}},
			want: []int{0, 1}},
		{name: "fires for parts linked to a meeting of another body", basis: "project",
			parts: []part{{"30000", 0, "村道A", "", "government_executive"},
				{"30000", 5, "村道A", "", "government_executive"}},
			want: []int{0, 1}},
		{name: "fires only for the parts in the window", basis: "project",
			parts: []part{road("10000", 0), road("30000", 100), road("30000", 150)},
			want:  []int{1, 2}},
		{name: "fires for a part in the period, counting one before it",
			basis: "project", parts: []part{road("30000", 0), road("30000", 20)},
			want: []int{1}, named: []int{0, 1},
			opts: func(first time.Time) Options { return Options{From: first.AddDate(0, 0, 10)} }},
		{name: "quiet when the parts stay under the threshold", basis: "project",
			parts: []part{road("20000", 0), road("29999.99", 30)}},
		{name: "quiet for parts further apart than the window", basis: "project",
			parts: []part{road("30000", 0), road("30000", 90)}},
		{name: "quiet for parts of different projects", basis: "project",
			parts: []part{{"30000", 0, "村道A", "", ""}, {"30000", 1, "村道B", "", ""}}},
		{name: "quiet for parts without a project", basis: "project",
			parts: []part{{"30000", 0, "", "x", ""}, {"30000", 1, "", "x", ""}}},
		{name: "quiet for a matter that sums each decision alone", basis: "single",
			parts: []part{road("30000", 0), road("30000", 1)}},
		{name: "quiet for parts each decided at the required body", basis: "project",
			parts: []part{{"30000", 0, "村道A", "", "party_committee"},
				{"30000", 5, "村道A", "", "party_committee"}}},
		{name: "quiet beside a part at the threshold, which needs a meeting itself",
			basis: "project", parts: []part{road("50000", 0), road("20000", 1)},
			want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) { runSplitCase(t, f, tc) })
	}
}

func runSplitCase(t *testing.T, f *fixture, tc splitCase) {
	unitCode := f.unique("T")
	unit := f.unit(unitCode, "township", nil)
	matter := f.matter(unit, "party_committee", "50000", false)
	f.exec(`UPDATE matters SET amount_basis = $2 WHERE id = $1`, matter, tc.basis)
	first := time.Date(2024, 1, 10, 10, 0, 0, 0, cst)
	ids := make([]int64, len(tc.parts))
	for i, p := range tc.parts {
		ids[i] = f.splitPart(unit, matter, first, p)
	}
	opts := Options{}
	if tc.opts != nil {
		opts = tc.opts(first)
	}
	opts.Unit, opts.Codes = unitCode, []string{CodeSplitSpending}
	rep, err := Run(context.Background(), f.pool, f.store, opts)
	if err != nil {
		t.Fatalf("Run: got error %v, want none", err)
	}
	named := tc.named
	if named == nil {
		named = tc.want
	}
	var got, want []int64
	for _, fd := range rep.Findings {
		got = append(got, fd.DecisionID)
		checkSplitFinding(t, fd, ids, named)
	}
	for _, i := range tc.want {
		want = append(want, ids[i])
	}
	if !slices.Equal(got, want) {
		t.Errorf("decisions with %s: got %v, want %v\n%s", CodeSplitSpending, got, want,
			messages(rep))
	}
}

// splitPart adds one part, linked to a meeting of p.body when given.
func (f *fixture) splitPart(unit, matter int64, first time.Time, p part) int64 {
	f.tb.Helper()
	at := first.AddDate(0, 0, p.day)
	var item *int64
	if p.body != "" {
		m := f.meeting(f.body(unit, p.body), at.Add(-time.Hour), &at)
		i := f.item(m, 1)
		item = &i
	}
	id := f.decision(unit, matter, p.amount, at, item)
	f.exec(`UPDATE decisions SET project = $2, payee = $3 WHERE id = $1`, id, p.project, p.pay)
	return id
}

// checkSplitFinding checks that a finding names every decision of its
// split and what it points at.
func checkSplitFinding(tb testing.TB, fd Finding, ids []int64, parts []int) {
	tb.Helper()
	if fd.Severity != SeverityHigh || fd.MeetingID != nil {
		tb.Errorf("finding: got severity %s meeting %v, want high and no meeting",
			fd.Severity, fd.MeetingID)
	}
	for _, i := range parts {
		id := fmt.Sprint(ids[i])
		if !regexp.MustCompile(`\b` + id + `\b`).MatchString(fd.Message) {
			tb.Errorf("message: got %q, want it to name decision %s", fd.Message, id)
		}
	}
	if !strings.Contains(fd.MessageZH, "化整为零") {
		tb.Errorf("Chinese message: got %q, want it to say 化整为零", fd.MessageZH)
	}
}

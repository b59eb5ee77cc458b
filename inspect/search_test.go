package inspect_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/inspect"
)

// search runs the query written as URL parameters and returns the keys of
// the items found, in order.
func (c *county) search(t testing.TB, s *inspect.Searcher, params string) ([]string,
	inspect.Result) {
	t.Helper()
	v, err := url.ParseQuery(params)
	if err != nil {
		t.Fatal(err)
	}
	q, err := inspect.ParseQuery(v)
	if err != nil {
		t.Fatalf("parse %q: %v", params, err)
	}
	res, err := s.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %q: %v", params, err)
	}
	return c.keys(t, res.Items), res
}

func (c *county) keys(t testing.TB, items []inspect.Item) []string {
	t.Helper()
	byID := map[int64]string{}
	for k, id := range c.items {
		byID[id] = k
	}
	out := []string{}
	for _, it := range items {
		k, ok := byID[it.AgendaItem.ID]
		if !ok {
			t.Fatalf("found agenda item %d, which the fixture did not make", it.AgendaItem.ID)
		}
		out = append(out, k)
	}
	return out
}

func TestSearchText(t *testing.T) {
	c := newCounty(t)
	s := inspect.NewSearcher(c.pool)
	tests := []struct {
		name, params string
		want         []string
		wantMatch    string
		wantMatched  [][]string // per result, when given
	}{
		{"two Chinese characters inside a word", "q=道路", []string{"QS1.1"},
			inspect.MatchContains, [][]string{{"title", "matter", "decision"}}},
		{"two characters of a matter name only", "q=资产", []string{"YJ.1"},
			inspect.MatchContains, [][]string{{"matter"}}},
		{"four Chinese characters", "q=道路硬化", []string{"QS1.1"}, inspect.MatchContains,
			nil},
		{"a meeting title: every item of the meetings, newest first", "q=党委会",
			[]string{"QS1.1", "QS1.2", "SM1.1", "SM1.2"}, inspect.MatchContains,
			[][]string{{"meeting"}, {"meeting"}, {"meeting"}, {"meeting"}}},
		{"a decision title only", "q=林地流转的决定", []string{"YJ.1"}, inspect.MatchContains,
			[][]string{{"decision"}}},
		{"English, any case", "q=ppp", []string{"SM1.1", "SM1.2"}, inspect.MatchContains,
			[][]string{{"title", "matter"}, {"matter"}}},
		{"English in a decision title", "q=Road+Lighting", []string{"QSG.1"},
			inspect.MatchContains, [][]string{{"decision"}}},
		{"two English letters, any case", "q=De", []string{"SM1.1", "QSG.1"}, inspect.MatchContains,
			nil},
		{"a wildcard is a plain character", "q=道%25", []string{}, inspect.MatchContains, nil},
		{"nothing contains two characters, and nothing is similar", "q=火星",
			[]string{}, inspect.MatchContains, nil},
		{"a slip of one character finds the similar item", "q=村道路硬化工程资全",
			[]string{"QS1.1"}, inspect.MatchSimilar, [][]string{{}}},
		{"no text: every item, newest first", "", []string{"QS1.1", "QS1.2", "SM1.1",
			"SM1.2", "QSG.1", "YJ.1"}, inspect.MatchAll, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, res := c.search(t, s, tt.params)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if res.Match != tt.wantMatch || res.Total != len(tt.want) || !res.TotalExact {
				t.Errorf("got match %q, total %d (exact %v); want %q, %d, exact",
					res.Match, res.Total, res.TotalExact, tt.wantMatch, len(tt.want))
			}
			for i, want := range tt.wantMatched {
				if !slices.Equal(res.Items[i].Matched, want) {
					t.Errorf("result %d: got matched %v, want %v", i, res.Items[i].Matched, want)
				}
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	c := newCounty(t)
	c.sweep(t)
	s := inspect.NewSearcher(c.pool)
	tests := []struct {
		name, params string
		want         []string
	}{
		{"a township with its village", "unit=QY-QS", []string{"QS1.1", "QS1.2", "QSG.1",
			"YJ.1"}},
		{"a village", "unit=QY-QS-YJ", []string{"YJ.1"}},
		{"the county: everything", "unit=QY", []string{"QS1.1", "QS1.2", "SM1.1", "SM1.2",
			"QSG.1", "YJ.1"}},
		{"a unit and a text", "unit=QY-SM&q=桥梁", []string{"SM1.2"}},
		{"a unit and a text of another unit", "unit=QY-SM&q=道路", []string{}},
		{"body kind", "body_kind=party_committee", []string{"QS1.1", "QS1.2", "SM1.1",
			"SM1.2"}},
		{"body kind and unit", "body_kind=party_committee&unit=QY-QS",
			[]string{"QS1.1", "QS1.2"}},
		{"category", "category=implementation", []string{"YJ.1"}},
		{"major class", "major_class=cadre", []string{"QS1.2"}},
		{"major class none", "major_class=none", []string{"SM1.1", "SM1.2"}},
		{"dates, to included", "from=2026-01-15&to=2026-02-10", []string{"SM1.1", "SM1.2",
			"QSG.1"}},
		{"an RFC 3339 from", "from=2026-03-02T09:00:00%2B08:00", []string{"QS1.1",
			"QS1.2"}},
		{"an RFC 3339 to, excluded", "to=2026-03-02T09:00:00%2B08:00", []string{"SM1.1",
			"SM1.2", "QSG.1", "YJ.1"}},
		{"with findings", "has_findings=true", []string{"QSG.1", "YJ.1"}},
		{"without findings", "has_findings=false", []string{"QS1.1", "QS1.2", "SM1.1",
			"SM1.2"}},
		{"with findings in a village", "has_findings=true&unit=QY-QS-YJ", []string{"YJ.1"}},
		{"with findings and a text", "has_findings=true&q=流转", []string{"YJ.1"}},
		{"every filter at once", "q=道路&unit=QY-QS&body_kind=party_committee&" +
			"category=decision&major_class=major_project&from=2026-03-01&to=2026-03-31&" +
			"has_findings=false", []string{"QS1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := c.search(t, s, tt.params); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearchResultDetails(t *testing.T) {
	c := newCounty(t)
	_, res := c.search(t, inspect.NewSearcher(c.pool), "q=道路")
	if len(res.Items) != 1 {
		t.Fatalf("got %d results, want 1", len(res.Items))
	}
	it := res.Items[0]
	if it.Meeting.ID != c.meetings["QS1"] || it.Body.Kind != "party_committee" ||
		it.Unit.Code != "QY-QS" || it.Matter == nil || it.Matter.MajorClass != "major_project" {
		t.Errorf("got meeting %+v, body %+v, unit %+v, matter %+v; want QS1 of 青山镇's "+
			"party committee, matter of class major_project", it.Meeting, it.Body, it.Unit,
			it.Matter)
	}
	if !it.HeldAt.Equal(it.Meeting.PlannedStart) {
		t.Errorf("got held at %v, want the start %v", it.HeldAt, it.Meeting.PlannedStart)
	}
	if len(it.Decisions) != 1 || it.Decisions[0].ID != c.decision["D1"] {
		t.Errorf("got decisions %+v, want D1", it.Decisions)
	}
	if it.RecordingState != "finished" || len(it.Recordings) != 1 ||
		it.Recordings[0].ID != c.recording {
		t.Errorf("got recording state %q, recordings %+v; want finished, the fixture's",
			it.RecordingState, it.Recordings)
	}
	if len(it.IndexPoints) != 1 || it.IndexPoints[0].StartMs != 30000 ||
		it.IndexPoints[0].EndMs == nil || *it.IndexPoints[0].EndMs != 540000 {
		t.Errorf("got index points %+v, want 30000–540000", it.IndexPoints)
	}
	if want := "/watch/" + itoa(c.items["QS1.1"]); it.WatchURL != want {
		t.Errorf("got watch URL %q, want %q", it.WatchURL, want)
	}
	_, res = c.search(t, inspect.NewSearcher(c.pool), "q=敬老院")
	if got := res.Items[0].RecordingState; got != inspect.RecordingNone {
		t.Errorf("an item of a meeting without recording: got state %q, want %q", got,
			inspect.RecordingNone)
	}
}

func TestSearchPages(t *testing.T) {
	c := newCounty(t)
	s := inspect.NewSearcher(c.pool)
	all, _ := c.search(t, s, "q=党委会")
	var paged []string
	for _, offset := range []string{"0", "2", "4"} {
		got, res := c.search(t, s, "q=党委会&limit=2&offset="+offset)
		if res.Total != 4 || !res.TotalExact {
			t.Errorf("offset %s: got total %d (exact %v), want 4 exact", offset, res.Total,
				res.TotalExact)
		}
		paged = append(paged, got...)
	}
	if !slices.Equal(paged, all) {
		t.Errorf("got pages %v, want them to add up to %v", paged, all)
	}
	if got, res := c.search(t, s, "q=党委会&offset=10"); len(got) != 0 || res.Total != 4 {
		t.Errorf("past the end: got %v, total %d; want none, total 4", got, res.Total)
	}
}

func TestSearchUnknownUnit(t *testing.T) {
	c := newCounty(t)
	_, err := inspect.NewSearcher(c.pool).Search(context.Background(),
		inspect.Query{Unit: "NOWHERE", Limit: 10})
	var ie *inspect.InputError
	if !errors.As(err, &ie) || len(ie.Fields) != 1 || ie.Fields[0].Field != "unit" ||
		!strings.Contains(ie.Fields[0].Reason, "NOWHERE") {
		t.Fatalf("got %v, want an InputError naming unit and the code", err)
	}
}

package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/verify"
)

func verification() verify.Report {
	return verify.Report{
		Scope:   verify.Scope{Codes: []string{verify.CodeNoMeeting, verify.CodeWrongBody}},
		Checked: 4, Passed: 2,
		Decisions: []verify.DecisionResult{
			{ID: 1, UnitCode: "A", Status: verify.StatusFail, Findings: 2},
			{ID: 2, UnitCode: "A", Status: verify.StatusPass},
			{ID: 3, UnitCode: "B", Status: verify.StatusFail, Findings: 1},
			{ID: 4, UnitCode: "B", Status: verify.StatusPass},
		},
		Findings: []verify.Finding{
			{Code: verify.CodeNoMeeting, Severity: verify.SeverityHigh, DecisionID: 1},
			{Code: verify.CodeNoMeeting, Severity: verify.SeverityHigh, DecisionID: 1},
			{Code: verify.CodeNoMeeting, Severity: verify.SeverityLow, DecisionID: 3},
		},
	}
}

func TestSummaries(t *testing.T) {
	v := verification()
	rules := summarizeRules(v)
	want := []RuleSummary{
		{Code: verify.CodeNoMeeting, Severity: verify.SeverityHigh, Findings: 3, Decisions: 2},
		{Code: verify.CodeWrongBody},
	}
	if len(rules) != len(want) {
		t.Fatalf("got %d rules, want %d: %+v", len(rules), len(want), rules)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Errorf("rule %d: got %+v, want %+v", i, rules[i], want[i])
		}
	}

	units := summarizeUnits(v, map[string]string{"A": "甲镇", "B": "乙镇"})
	wantUnits := []UnitSummary{
		{Unit: Unit{"A", "甲镇"}, Checked: 2, Passed: 1, Findings: 2},
		{Unit: Unit{"B", "乙镇"}, Checked: 2, Passed: 1, Findings: 1},
	}
	for i := range wantUnits {
		if units[i] != wantUnits[i] {
			t.Errorf("unit %d: got %+v, want %+v", i, units[i], wantUnits[i])
		}
	}
}

func TestSummaryKeepsFindingOfUnlistedRule(t *testing.T) {
	v := verification()
	v.Findings = append(v.Findings, verify.Finding{Code: "OTHER", Severity: "medium"})
	rules := summarizeRules(v)
	last := rules[len(rules)-1]
	if last.Code != "OTHER" || last.Findings != 1 {
		t.Errorf("got %+v, want OTHER with 1 finding", last)
	}
}

func TestChartScalesToLongestBar(t *testing.T) {
	c := Compliance{Rules: []RuleSummary{{Findings: 10}, {Findings: 1}, {Findings: 0}}}
	bars := c.chart()
	got := []int{bars[0].Width, bars[1].Width, bars[2].Width}
	want := []int{chartWidth, chartWidth / 10, 0}
	if got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got widths %v, want %v", got, want)
	}
}

// townshipPage is the HTML report of v for the township 甲镇 (A).
func townshipPage(t *testing.T, v verify.Report) string {
	t.Helper()
	c := Compliance{Unit: Unit{"A", "甲镇"}, Rules: summarizeRules(v), Findings: v.Findings,
		Checked: v.Checked, Passed: v.Passed}
	var b bytes.Buffer
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteHTMLListsEveryFinding(t *testing.T) {
	v := verification()
	v.Findings[2].MessageZH = "决策未经集体讨论"
	v.Findings[2].Message = "decided without a meeting <script>"
	page := townshipPage(t, v)
	for _, want := range []string{"甲镇 (A)", "决策未经集体讨论", "未经会议决策",
		"decided without a meeting &lt;script&gt;", "<svg"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if got := strings.Count(page, `class="finding"`); got != len(v.Findings) {
		t.Errorf("got %d findings on the page, want %d", got, len(v.Findings))
	}
}

// TestWriteHTMLEvidenceLine checks that a finding with no meeting, item,
// recording or object (NO_MEETING, a late registration, split spending)
// names the decision's register entry as its evidence, claiming nothing
// about a link, rather than an empty "Evidence:" line, and that one with a
// meeting and an object names them.
func TestWriteHTMLEvidenceLine(t *testing.T) {
	v := verification()
	meeting := int64(7)
	v.Findings[1].MeetingID = &meeting
	v.Findings[1].ObjectKey = "meetings/7/recordings/1/tracks/1/000003.webm"
	page := townshipPage(t, v)
	if got := strings.Count(page, "the decision's entry in the register"); got != 2 {
		t.Errorf("got %d findings resting on the register entry, want 2", got)
	}
	if !strings.Contains(page, "证据 Evidence: 会议 meeting 7 · 对象 object "+
		"meetings/7/recordings/1/tracks/1/000003.webm</p>") {
		t.Errorf("page lacks the evidence line of the finding with a meeting and an object")
	}
	if strings.Contains(page, "Evidence:</p>") {
		t.Errorf("page has an empty evidence line")
	}
}

func TestRenderPDFWithoutPrinter(t *testing.T) {
	err := Render(context.Background(), &bytes.Buffer{}, Compliance{}, FormatPDF, nil)
	if err == nil || !strings.Contains(err.Error(), "Chromium") {
		t.Errorf("got %v, want an error saying PDFs need Chromium", err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
		ok   bool
	}{{"html", FormatHTML, true}, {"PDF", FormatPDF, true}, {"csv", FormatCSV, true},
		{"json", FormatJSON, true}, {"docx", "", false}, {"", "", false}} {
		got, err := ParseFormat(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	got, err := ParseSchedule(" Daily,monthly,daily ")
	if err != nil || strings.Join(got, ",") != "daily,monthly" {
		t.Errorf("got %v, %v; want daily,monthly", got, err)
	}
	if got, err := ParseSchedule("off"); err != nil || got != nil {
		t.Errorf("off: got %v, %v; want none", got, err)
	}
	if _, err := ParseSchedule("daily,hourly"); err == nil ||
		!strings.Contains(err.Error(), "hourly") {
		t.Errorf("got %v, want an error naming hourly", err)
	}
}

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Zone)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLastPeriod(t *testing.T) {
	now := cst("2026-12-02 00:30") // a Wednesday, half an hour after midnight
	for _, tc := range []struct {
		trigger, from, to string
	}{
		{TriggerDaily, "2026-12-01 00:00", "2026-12-02 00:00"},
		{TriggerWeekly, "2026-11-23 00:00", "2026-11-30 00:00"},
		{TriggerMonthly, "2026-11-01 00:00", "2026-12-01 00:00"},
	} {
		t.Run(tc.trigger, func(t *testing.T) {
			from, to, err := LastPeriod(tc.trigger, now)
			if err != nil || !from.Equal(cst(tc.from)) || !to.Equal(cst(tc.to)) {
				t.Errorf("got %v–%v (%v), want %s–%s", from, to, err, tc.from, tc.to)
			}
		})
	}
	if _, _, err := LastPeriod("yearly", now); err == nil {
		t.Error("got no error for yearly")
	}
}

func TestCalendarNext(t *testing.T) {
	for _, tc := range []struct {
		trigger, after, want string
	}{
		{TriggerDaily, "2026-12-02 00:30", "2026-12-02 01:00"},
		{TriggerDaily, "2026-12-02 01:00", "2026-12-03 01:00"},
		{TriggerWeekly, "2026-12-02 00:30", "2026-12-07 01:00"},
		{TriggerMonthly, "2026-12-02 00:30", "2027-01-01 01:00"},
		{TriggerMonthly, "2026-12-01 00:59", "2026-12-01 01:00"},
	} {
		got := calendar{tc.trigger}.Next(cst(tc.after))
		if !got.Equal(cst(tc.want)) {
			t.Errorf("%s after %s: got %v, want %s", tc.trigger, tc.after, got, tc.want)
		}
	}
}

func TestObjectKey(t *testing.T) {
	from, to := cst("2026-11-01 00:00"), cst("2026-12-01 00:00")
	for _, tc := range []struct {
		r    Issued
		want string
	}{
		{Issued{ID: 7, Format: FormatPDF}, "reports/_all/all-time/report-7.pdf"},
		{Issued{ID: 8, UnitCode: "QS", From: &from, To: &to, Format: FormatHTML},
			"reports/QS/20261101_20261201/report-8.html"},
		{Issued{ID: 9, UnitCode: "a/b", From: &from, Format: FormatCSV},
			"reports/a%2Fb/20261101_now/report-9.csv"},
	} {
		if got := objectKey(tc.r); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

func TestEveryRuleHasAChineseName(t *testing.T) {
	for _, code := range verify.Codes() {
		if ruleName(code) == code {
			t.Errorf("rule %s has no Chinese name in ruleNames", code)
		}
	}
}

// TestPeriodOfDatesShownAsGiven checks that a period given as dates, read
// in the report's zone, is printed as those dates whatever the server's
// zone: 1 to 30 November, not to 1 December.
func TestPeriodOfDatesShownAsGiven(t *testing.T) {
	from, err := verify.ParseFromIn("2026-11-01", Zone)
	if err != nil {
		t.Fatal(err)
	}
	to, err := verify.ParseToIn("2026-11-30", Zone)
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := (Compliance{From: &from, To: &to}).WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-01 至 to 2026-11-30"; !strings.Contains(page.String(), want) {
		t.Errorf("page does not say %q", want)
	}
	monthFrom, monthTo, err := LastPeriod(TriggerMonthly,
		time.Date(2026, 12, 4, 9, 0, 0, 0, Zone))
	if err != nil || !monthFrom.Equal(from) || !monthTo.Equal(to) {
		t.Errorf("November as a monthly period: got %v to %v (%v), want %v to %v",
			monthFrom, monthTo, err, from, to)
	}
}

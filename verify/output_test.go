package verify

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/textcell"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/report")

func ptr(v int64) *int64 { return &v }

// sampleReport is a fixed report: one passing decision that needs no
// meeting, one passing after all checks, one with two findings.
func sampleReport() Report {
	at := func(h int) time.Time { return time.Date(2024, 3, 5, h, 30, 0, 0, cst) }
	from, to := at(0).Add(-30*time.Minute), at(23).Add(30*time.Minute)
	return Report{
		GeneratedAt: time.Date(2024, 4, 1, 8, 0, 0, 0, cst),
		Scope: Scope{Unit: "T-01", From: &from, To: &to, Codes: Codes(),
			Rehash: true, BackdateDays: 30},
		Checked: 3, Passed: 2,
		Decisions: []DecisionResult{
			{ID: 11, Title: "采购办公用品", MatterCode: "M-09", UnitCode: "T-01",
				DecidedAt: at(9), Status: StatusPass},
			{ID: 12, Title: "村道维修工程（第二期）及排水沟改造", MatterCode: "M-01",
				UnitCode: "T-01", DecidedAt: at(10), NeedsMeeting: true, Status: StatusPass},
			{ID: 13, Title: "=HYPERLINK(\"x\")", MatterCode: "M-01", UnitCode: "V-02",
				DecidedAt: at(11), NeedsMeeting: true, Status: StatusFail, Findings: 2},
		},
		Findings: []Finding{
			{Code: CodeNoRecording, Severity: SeverityHigh, DecisionID: 13,
				DecisionTitle: "=HYPERLINK(\"x\")", MatterCode: "M-01", UnitCode: "V-02",
				MeetingID: ptr(7), AgendaItemID: ptr(21),
				Message:   "meeting 7 has no finished recording",
				MessageZH: "会议 7 没有完整结束的录像"},
			{Code: CodeRecordingTampered, Severity: SeverityHigh, DecisionID: 13,
				DecisionTitle: "=HYPERLINK(\"x\")", MatterCode: "M-01", UnitCode: "V-02",
				MeetingID: ptr(7), AgendaItemID: ptr(21), RecordingID: ptr(3),
				ObjectKey: "rec/3/0001.webm", Message: "segment 1 is missing, \"quoted\"",
				MessageZH: "分段缺失"},
		},
	}
}

// golden compares got with testdata/report/name, rewriting it with -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", "report", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatalf("update golden file: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteTable(&b); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	golden(t, "table.golden", b.Bytes())
	out := b.String()
	for _, want := range []string{
		"3 decisions checked, 2 passed, 2 findings\n",
		"requires no meeting", "all checks passed", "RECORDING_TAMPERED",
		"unit T-01 and its sub-units",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table: got\n%s\nwant it to contain %q", out, want)
		}
	}
	t.Run("columns line up in terminal cells", func(t *testing.T) {
		lines := strings.Split(out, "\n")[2:6] // header and three rows
		col := -1
		for _, l := range lines {
			i := strings.Index(l, "PASS")
			if i < 0 {
				i = strings.Index(l, "FAIL")
			}
			if i < 0 {
				i = strings.Index(l, "STATUS")
			}
			if c := textcell.Width(l[:i]); col >= 0 && c != col {
				t.Errorf("status column: got cell %d in %q, want %d", c, l, col)
			} else {
				col = c
			}
		}
	})
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	golden(t, "report.json.golden", b.Bytes())
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if back.Checked != 3 || len(back.Findings) != 2 || *back.Findings[1].RecordingID != 3 {
		t.Errorf("round trip: got %+v, want the sample report", back)
	}
	t.Run("empty report has lists, not null", func(t *testing.T) {
		var b bytes.Buffer
		if err := (Report{}).WriteJSON(&b); err != nil {
			t.Fatalf("WriteJSON: %v", err)
		}
		for _, want := range []string{`"decisions": []`, `"findings": []`} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("got %s, want it to contain %s", b.String(), want)
			}
		}
	})
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteCSV(&b); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	golden(t, "report.csv.golden", b.Bytes())
	rest, ok := bytes.CutPrefix(b.Bytes(), []byte(CSVByteOrderMark))
	if !ok {
		t.Errorf("CSV begins %q, want the byte-order mark", b.Bytes()[:min(b.Len(), 3)])
	}
	records, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if !slices.Equal(records[0], csvHeader) {
		t.Errorf("header: got %v, want %v", records[0], csvHeader)
	}
	if len(records) != 5 { // header, 2 PASS, 2 FAIL
		t.Fatalf("rows: got %d, want 5", len(records))
	}
	col := func(name string) int { return slices.Index(csvHeader, name) }
	for i, want := range []struct{ status, id, code string }{
		{"PASS", "11", ""}, {"PASS", "12", ""},
		{"FAIL", "13", CodeNoRecording}, {"FAIL", "13", CodeRecordingTampered},
	} {
		r := records[i+1]
		got := []string{r[col("status")], r[col("decision_id")], r[col("code")]}
		if !slices.Equal(got, []string{want.status, want.id, want.code}) {
			t.Errorf("row %d: got %v, want %v", i+1, got, want)
		}
	}
	last := records[4]
	if got := last[col("decision_title")]; got != `'=HYPERLINK("x")` {
		t.Errorf("formula title: got %q, want it defused with an apostrophe", got)
	}
	if got := last[col("recording_id")]; got != "3" {
		t.Errorf("recording_id: got %q, want 3", got)
	}
	if got := last[col("message")]; got != `segment 1 is missing, "quoted"` {
		t.Errorf("message: got %q, want the quotes and comma kept", got)
	}
}

func TestPassOfSomeRulesSaysSo(t *testing.T) {
	rep := sampleReport()
	rep.Scope.Codes = []string{CodeNoMeeting}
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	if out := b.String(); !strings.Contains(out, "the rules that ran passed") ||
		strings.Contains(out, "all checks passed") {
		t.Errorf("a run of one rule:\n%s\nwant its passes to say only the rules that ran passed",
			out)
	}
}

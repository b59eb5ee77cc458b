package verify

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format is a report's output format.
type Format string

// The report formats.
const (
	FormatTable Format = "table" // aligned text for a terminal
	FormatJSON  Format = "json"
	FormatCSV   Format = "csv" // one row per finding and per passing decision
)

// ParseFormat reads "table", "json" or "csv" (any case). Anything else gives
// an *OptionError wrapping ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatTable, FormatJSON, FormatCSV:
		return f, nil
	}
	return "", &OptionError{
		Field:  "format",
		Reason: fmt.Sprintf("unknown format %q; give table, json or csv", s),
		Err:    ErrUnknownFormat,
	}
}

// ContentType is the media type of a report in format f.
func (f Format) ContentType() string {
	switch f {
	case FormatJSON:
		return "application/json"
	case FormatCSV:
		return "text/csv; charset=utf-8" // RFC 4180 §3, RFC 7111 for the charset
	default:
		return "text/plain; charset=utf-8"
	}
}

// Write writes r in format f.
func (r Report) Write(w io.Writer, f Format) error {
	switch f {
	case FormatTable:
		return r.WriteTable(w)
	case FormatJSON:
		return r.WriteJSON(w)
	case FormatCSV:
		return r.WriteCSV(w)
	}
	_, err := ParseFormat(string(f))
	return err
}

// WriteJSON writes r as one indented JSON document.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.normalized()); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// normalized gives empty lists instead of nil, so JSON shows [] not null.
func (r Report) normalized() Report {
	if r.Decisions == nil {
		r.Decisions = []DecisionResult{}
	}
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Scope.Codes == nil {
		r.Scope.Codes = []string{}
	}
	return r
}

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{
	"status", "decision_id", "decided_at", "unit_code", "matter_code", "decision_title",
	"code", "severity", "meeting_id", "agenda_item_id", "recording_id", "object_key",
	"message", "message_zh",
}

// CSVByteOrderMark begins every CSV that WriteCSV writes. Excel and WPS
// on Chinese Windows, which is where the offices open these files, read a
// CSV without it as GBK and show its Chinese garbled.
const CSVByteOrderMark = "\uFEFF"

// WriteCSV writes r as CSV (RFC 4180) after CSVByteOrderMark: a header,
// then for every checked decision in report order either one PASS row or
// one FAIL row per finding. Text cells that a spreadsheet would run as a
// formula (starting with =, +, -, @, tab or CR) are prefixed with an
// apostrophe.
func (r Report) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, CSVByteOrderMark); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	for _, row := range r.rows() {
		if err := cw.Write(row.csv()); err != nil {
			return fmt.Errorf("write CSV report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write CSV report: %w", err)
	}
	return nil
}

// reportRow is one line of the table and CSV outputs.
type reportRow struct {
	Decision DecisionResult
	Finding  *Finding // nil on a PASS row
	Some     bool     // only some of the rules ran
}

// rows lists a PASS row per passing decision and a row per finding of each
// failing one, in the order of r.Decisions.
func (r Report) rows() []reportRow {
	byDecision := map[int64][]*Finding{}
	for i := range r.Findings {
		f := &r.Findings[i]
		byDecision[f.DecisionID] = append(byDecision[f.DecisionID], f)
	}
	var out []reportRow
	some := !slices.Equal(r.Scope.Codes, allCodes)
	for _, d := range r.Decisions {
		found := byDecision[d.ID]
		if len(found) == 0 {
			out = append(out, reportRow{Decision: d, Some: some})
		}
		for _, f := range found {
			out = append(out, reportRow{Decision: d, Finding: f})
		}
	}
	return out
}

func (row reportRow) status() string {
	if row.Finding == nil {
		return StatusPass
	}
	return StatusFail
}

// passMessage says why a decision without findings passed.
func (row reportRow) passMessage() string {
	if row.Decision.NeedsMeeting && row.Some {
		return "the rules that ran passed"
	}
	if row.Decision.NeedsMeeting {
		return "all checks passed"
	}
	return "the procedure list requires no meeting for this decision"
}

func (row reportRow) csv() []string {
	d := row.Decision
	out := []string{
		row.status(), strconv.FormatInt(d.ID, 10), d.DecidedAt.Format(time.RFC3339),
		cell(d.UnitCode), cell(d.MatterCode), cell(d.Title),
	}
	f := row.Finding
	if f == nil {
		return append(out, "", "", "", "", "", "", cell(row.passMessage()), "")
	}
	return append(out, f.Code, f.Severity, optID(f.MeetingID), optID(f.AgendaItemID),
		optID(f.RecordingID), cell(f.ObjectKey), cell(f.Message), cell(f.MessageZH))
}

// cell defuses text a spreadsheet would take for a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func optID(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

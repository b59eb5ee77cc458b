package verify

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/textcell"
)

// titleCells is how many terminal cells a decision title may take in the
// table before it is cut.
const titleCells = 24

var tableHeader = []string{
	"DECISION", "DECIDED", "UNIT", "MATTER", "TITLE", "STATUS", "CODE", "SEVERITY",
	"MESSAGE",
}

// WriteTable writes r as an aligned text table: a line saying what was
// checked, one row per passing decision and per finding, and a closing
// line "N decisions checked, M passed, K findings". Columns are aligned by
// terminal cells, so Chinese titles line up too.
func (r Report) WriteTable(w io.Writer) error {
	lines := [][]string{tableHeader}
	for _, row := range r.rows() {
		lines = append(lines, row.table())
	}
	var b strings.Builder
	b.WriteString(r.Scope.describe() + "\n\n")
	textcell.WriteAligned(&b, lines)
	findings := "findings"
	if len(r.Findings) == 1 {
		findings = "finding"
	}
	fmt.Fprintf(&b, "\n%d decisions checked, %d passed, %d %s\n",
		r.Checked, r.Passed, len(r.Findings), findings)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write table report: %w", err)
	}
	return nil
}

func (row reportRow) table() []string {
	d := row.Decision
	out := []string{
		strconv.FormatInt(d.ID, 10), d.DecidedAt.Format("2006-01-02 15:04"), d.UnitCode,
		d.MatterCode, textcell.Truncate(d.Title, titleCells), row.status(),
	}
	if f := row.Finding; f != nil {
		return append(out, f.Code, f.Severity, f.Message)
	}
	return append(out, "-", "-", row.passMessage())
}

// describe says in one line what a report covers.
func (s Scope) describe() string {
	unit := "all units"
	if s.Unit != "" {
		unit = "unit " + s.Unit + " and its sub-units"
	}
	if s.Meeting != 0 {
		unit = fmt.Sprintf("meeting %d's agenda items, of %s", s.Meeting, unit)
	}
	period := "at any time"
	switch {
	case s.From != nil && s.To != nil:
		period = "on or after " + s.From.Format(time.RFC3339) + " and before " +
			s.To.Format(time.RFC3339)
	case s.From != nil:
		period = "on or after " + s.From.Format(time.RFC3339)
	case s.To != nil:
		period = "before " + s.To.Format(time.RFC3339)
	}
	rules := strings.Join(s.Codes, ", ")
	if slices.Equal(s.Codes, allCodes) {
		rules = "all"
	}
	rehash := "sizes only"
	if s.Rehash {
		rehash = "rehashed"
	}
	lag := ""
	if s.BackdateDays > 0 && slices.Contains(s.Codes, CodeBackdated) {
		lag = fmt.Sprintf("; backdating after %d days", s.BackdateDays)
	}
	return fmt.Sprintf("Decisions of %s, decided %s; rules: %s; objects: %s%s",
		unit, period, rules, rehash, lag)
}

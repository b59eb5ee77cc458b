package importer

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

// problems collects the errors of a file, to be reported all at once.
type problems struct {
	list []issue
}

type issue struct {
	sheet, row, col int
	RowError
}

// add reports a problem of a field on a row of t.
func (p *problems) add(t *table, row int, key, reason string) {
	col, ok := t.order[key]
	if !ok {
		col = 1 << 20
	}
	p.list = append(p.list, issue{t.index, row, col, RowError{Sheet: t.sheet.name, Row: row,
		Column: t.titles[key], Reason: reason}})
}

// addAt reports a problem of column c, headed title, on a row of t.
func (p *problems) addAt(t *table, row, c int, title, reason string) {
	p.list = append(p.list, issue{t.index, row, c, RowError{Sheet: t.sheet.name, Row: row,
		Column: title, Reason: reason}})
}

func (p *problems) empty() bool { return len(p.list) == 0 }

// err returns the problems as a *FileError in the order of the file.
func (p *problems) err() error {
	if p.empty() {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool {
		a, b := p.list[i], p.list[j]
		if a.sheet != b.sheet {
			return a.sheet < b.sheet
		}
		if a.row != b.row {
			return a.row < b.row
		}
		return a.col < b.col
	})
	errs := make([]RowError, len(p.list))
	for i, is := range p.list {
		errs[i] = is.RowError
	}
	return &FileError{Errors: errs}
}

// record is one data row of a table, with readers for its cells that
// report every bad cell to problems and return the zero value for it.
type record struct {
	t    *table
	num  int // row number as the spreadsheet shows it
	vals []string
	p    *problems
	loc  *time.Location
}

// raw returns the cell of field key as written, trimmed; "" when the
// table has no such column.
func (r record) raw(key string) string {
	c, ok := r.t.cols[key]
	if !ok || c >= len(r.vals) {
		return ""
	}
	return cleanText(r.vals[c])
}

func (r record) has(key string) bool { return r.t.has(key) }

func (r record) fail(key, reason string) { r.p.add(r.t, r.num, key, reason) }

// value returns the cell, or "" after reporting an Excel error value in it.
func (r record) value(key string) string {
	v := r.raw(key)
	if e := excelError(v); e != "" {
		r.fail(key, "the cell holds the Excel error "+e+": fix the formula or type the value")
		return ""
	}
	return v
}

// text reads a text of at most max characters; required reports an
// empty cell.
func (r record) text(key string, required bool, max int) string {
	v := r.value(key)
	switch {
	case v == "" && required:
		r.fail(key, "is empty: "+r.t.titles[key]+" is required")
	case len([]rune(v)) > max:
		r.fail(key, fmt.Sprintf("is %d characters long: shorten it to at most %d",
			len([]rune(v)), max))
		return ""
	case strings.ContainsRune(v, 0):
		r.fail(key, "holds a NUL character: retype the cell")
		return ""
	}
	return v
}

// code reads an identifier: full-width forms folded, checked as the API
// checks codes.
func (r record) code(key string, required bool) string {
	raw := r.value(key)
	v := fold(raw)
	switch {
	case v == "" && required:
		r.fail(key, "is empty: "+r.t.titles[key]+" is required")
	case v != "" && !agenda.ValidCode(v):
		r.fail(key, fmt.Sprintf("「%s」 is not a code: %s", raw, codeHelp))
		return ""
	}
	return v
}

// amount reads a sum of money, nil for an empty cell.
func (r record) amount(key string) *agenda.Amount {
	v := r.value(key)
	if v == "" {
		return nil
	}
	scale := r.t.scale[key]
	if scale == 0 {
		scale = 1
	}
	a, err := parseAmount(v, scale)
	if err != nil {
		r.fail(key, fmt.Sprintf("「%s」 %v", v, err))
		return nil
	}
	return &a
}

// when reads a date or date-time, nil for an empty cell.
func (r record) when(key string, required bool) *when {
	v := r.value(key)
	if v == "" {
		if required {
			r.fail(key, "is empty: "+r.t.titles[key]+" is required; "+dateHelp)
		}
		return nil
	}
	w, err := parseWhen(v, r.loc, r.t.sheet.date1904)
	if err != nil {
		r.fail(key, fmt.Sprintf("「%s」 %v", v, err))
		return nil
	}
	return &w
}

// day reads a calendar day, nil for an empty cell.
func (r record) day(key string, required bool) *time.Time {
	w := r.when(key, required)
	if w == nil {
		return nil
	}
	d := w.day()
	return &d
}

// boolean reads yes or no; an empty cell or a missing column gives def.
func (r record) boolean(key string, def bool) bool {
	v := r.value(key)
	if v == "" {
		return def
	}
	b, err := parseBool(v)
	if err != nil {
		r.fail(key, fmt.Sprintf("「%s」 %v", v, err))
		return def
	}
	return b
}

// choose reads a choice; an empty cell gives def.
func (r record) choose(key string, c choice, def string) string {
	v := r.value(key)
	if v == "" {
		return def
	}
	out, err := c.parse(v)
	if err != nil {
		r.fail(key, fmt.Sprintf("「%s」 %v", v, err))
		return def
	}
	return out
}

// count reads a whole number, nil for an empty cell.
func (r record) count(key string) *int {
	v := r.value(key)
	if v == "" {
		return nil
	}
	n, err := parseCount(v)
	if err != nil {
		r.fail(key, fmt.Sprintf("「%s」 %v", v, err))
		return nil
	}
	return &n
}

// Limits of texts, as the API keeps them.
const (
	maxName     = 200
	maxLongText = 2000
	codeHelp    = "write 1 to 64 letters, digits, '.', '_' or '-', starting with a letter " +
		"or digit, such as QS-01"
)

// records returns the data rows of t: every row below the header that is
// not empty, a totals row (合计) or a note below the table (注：…).
func (t *table) records(p *problems, loc *time.Location) []record {
	var out []record
	for i := t.header; i < len(t.sheet.rows); i++ {
		row := t.sheet.rows[i]
		if skipRow(row) {
			continue
		}
		out = append(out, record{t: t, num: i + 1, vals: row, p: p, loc: loc})
	}
	return out
}

var (
	totalWords = []string{"合计", "总计", "小计", "total"}
	noteWords  = []string{"注", "说明", "备注", "填表", "制表", "审核", "联系人", "负责人",
		"note"}
)

func skipRow(row []string) bool {
	var values []string
	seen := map[string]bool{}
	for _, c := range row {
		if v := cleanText(c); v != "" && !seen[v] {
			seen[v] = true
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return true
	}
	first := squeeze(values[0])
	for _, w := range totalWords {
		if strings.HasPrefix(first, w) {
			return true
		}
	}
	if len(values) > 1 {
		return false
	}
	for _, w := range noteWords {
		if strings.HasPrefix(first, w) {
			return true
		}
	}
	return false
}

// carryDown fills, in a row whose fields keys are all empty, those fields
// from the row above: a CSV saved from a sheet with merged cells holds the
// merged value in the first row only.
func carryDown(recs []record, keys []string) {
	for i := 1; i < len(recs); i++ {
		r, prev := recs[i], recs[i-1]
		if prev.t != r.t {
			continue
		}
		empty := true
		for _, k := range keys {
			if r.raw(k) != "" {
				empty = false
			}
		}
		if !empty {
			continue
		}
		vals := append([]string(nil), r.vals...)
		for _, k := range keys {
			c, ok := r.t.cols[k]
			if !ok {
				continue
			}
			for len(vals) <= c {
				vals = append(vals, "")
			}
			vals[c] = prev.raw(k)
		}
		recs[i].vals = vals
	}
}

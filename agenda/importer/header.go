package importer

import (
	"fmt"
	"strings"
)

// column is one field an import reads. names are the headers that mean
// it, normalised as by headerKey; the first is how errors name it.
type column struct {
	key      string
	names    []string
	required bool
}

// layout is the columns of one kind of import.
type layout []column

func (l layout) lookup() map[string]string {
	m := map[string]string{}
	for _, c := range l {
		for _, n := range c.names {
			key, _ := headerKey(n)
			m[key] = c.key
		}
	}
	return m
}

func (l layout) column(key string) column {
	for _, c := range l {
		if c.key == key {
			return c
		}
	}
	return column{key: key, names: []string{key}}
}

// headerNoise is dropped from a header before it is compared.
var headerNoise = strings.NewReplacer("*", "", "※", "", "_", "", "-", "", ".", "", ":", "",
	"【", "(", "】", ")", "[", "(", "]", ")", "“", "", "”", "", "\"", "")

// headerKey normalises a header for comparison: full-width forms folded,
// no spaces, lower case, no marks of a required column, and no trailing
// parenthesised note such as "（元）" or "(必填)". It returns the scale a
// unit note sets: 10,000 for "（万元）".
func headerKey(h string) (string, int64) {
	s := headerNoise.Replace(squeeze(h))
	scale := int64(1)
	for strings.HasSuffix(s, ")") {
		open := strings.LastIndex(s, "(")
		if open < 0 {
			break
		}
		note := s[open+1 : len(s)-1]
		switch {
		case strings.Contains(note, "万元"):
			scale = 10_000
		case strings.Contains(note, "亿元"):
			scale = 100_000_000
		}
		s = s[:open]
	}
	return s, scale
}

// table is the data of one sheet under its header: which column holds
// which field.
type table struct {
	sheet   *sheet
	index   int            // of the sheet in the file
	header  int            // row number of the (last) header row
	cols    map[string]int // field → column index
	titles  map[string]string
	scale   map[string]int64
	order   map[string]int // field → column index, for sorting errors
	ignored []string       // headers that name no field
}

// headerRows is how far down a header row is looked for, below titles,
// dates and notes.
const headerRows = 30

// header is one candidate reading of a sheet's header.
type header struct {
	row    int // index of the last header row
	keys   []string
	titles []string
	scales []int64
	found  int // distinct fields named
}

// findHeader finds the header row of a sheet: the row among the first
// headerRows that names the most fields, read together with the row below
// it when that one splits merged header cells into more fields.
func findHeader(sh *sheet, l layout) (header, bool) {
	names := l.lookup()
	var best header
	for i := 0; i < min(len(sh.rows), headerRows); i++ {
		h := readHeader(names, sh.rows[i], nil, i)
		if i+1 < len(sh.rows) {
			if two := readHeader(names, sh.rows[i], sh.rows[i+1], i+1); two.found > h.found {
				h = two
			}
		}
		if h.found > best.found {
			best = h
		}
	}
	return best, best.found >= 2
}

func readHeader(names map[string]string, top, below []string, row int) header {
	h := header{row: row}
	width := max(len(top), len(below))
	seen := map[string]bool{}
	for c := 0; c < width; c++ {
		p, b := cellAt(top, c), cellAt(below, c)
		title, key, scale := p, "", int64(1)
		if b != "" && b != p {
			title = b
			if key, scale = match(names, b); key == "" {
				if key, scale = match(names, p+b); key != "" {
					title = p + " " + b
				}
			}
		} else {
			key, scale = match(names, p)
		}
		if key != "" && !seen[key] {
			seen[key] = true
			h.found++
		}
		h.keys = append(h.keys, key)
		h.titles = append(h.titles, title)
		h.scales = append(h.scales, scale)
	}
	return h
}

// match finds the field a header names, trying the whole header and then
// each part of one written as "金额标准/限额".
func match(names map[string]string, h string) (string, int64) {
	k, scale := headerKey(h)
	if key, ok := names[k]; ok {
		return key, scale
	}
	for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '/' || r == '、' }) {
		if key, ok := names[part]; ok {
			return key, scale
		}
	}
	return "", scale
}

func cellAt(row []string, c int) string {
	if c < len(row) {
		return cleanText(row[c])
	}
	return ""
}

// newTable maps the fields of a found header to their columns, reporting
// a field named twice and a required field missing.
func newTable(sh *sheet, index int, h header, l layout, p *problems) *table {
	t := &table{sheet: sh, index: index, header: h.row + 1, cols: map[string]int{},
		titles: map[string]string{}, scale: map[string]int64{}, order: map[string]int{}}
	for c, key := range h.keys {
		switch {
		case key == "" && h.titles[c] != "":
			t.ignored = append(t.ignored, h.titles[c])
		case key == "":
		case t.has(key):
			p.addAt(t, t.header, c, h.titles[c], fmt.Sprintf("columns %s (%s) and %s (%s) both hold %s: "+
				"keep one of them", columnLetter(t.cols[key]), t.titles[key], columnLetter(c),
				h.titles[c], l.column(key).names[0]))
		default:
			t.cols[key], t.titles[key], t.scale[key], t.order[key] = c, h.titles[c], h.scales[c], c
		}
	}
	for _, col := range l {
		if col.required && !t.has(col.key) {
			t.order[col.key] = -1
			t.titles[col.key] = col.names[0]
			p.add(t, t.header, col.key, fmt.Sprintf("there is no column %s: add it to the "+
				"header row (also accepted: %s)", col.names[0], strings.Join(col.names[1:], ", ")))
		}
	}
	return t
}

func (t *table) has(key string) bool {
	_, ok := t.cols[key]
	return ok
}

// columnLetter names column index c (0 is A) as a spreadsheet does.
func columnLetter(c int) string {
	s := ""
	for c++; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return s
}

package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sheet is one grid of cells as the file holds it: rows[i] is the row the
// spreadsheet shows as i+1, and cells of a merged range all hold the value
// of its first cell.
type sheet struct {
	name     string
	rows     [][]string
	date1904 bool // serial dates count from 1904 (old Mac workbooks)
}

var (
	magicZIP = []byte("PK\x03\x04")
	magicOLE = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
	bomUTF8  = []byte("\xEF\xBB\xBF")
)

// readSheets reads an XLSX workbook or a CSV file. name is the file's
// name, used to name a CSV file's one sheet; the format is told by the
// content, not by the name.
func readSheets(name string, data []byte) ([]sheet, error) {
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, bomUTF8))) == 0 {
		return nil, fmt.Errorf("%w: it holds no rows; export the sheet again", ErrEmpty)
	}
	switch {
	case bytes.HasPrefix(data, magicZIP):
		return readXLSX(data)
	case bytes.HasPrefix(data, magicOLE):
		return nil, fmt.Errorf("%w: this is an Excel 97-2003 workbook (.xls) or a "+
			"password-protected one; remove any password and save it as an Excel "+
			"workbook (.xlsx) or as CSV", ErrNotSpreadsheet)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	if err := refuseMarkup(text); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if base == "." || base == "" {
		base = ""
	}
	return readCSV(base, text)
}

// decodeText turns CSV bytes into UTF-8: UTF-8 with or without a byte
// order mark, UTF-16 with one (Excel's "Unicode text"), and otherwise
// GB18030, a superset of the GBK that Excel and WPS write on Chinese
// Windows.
func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		data = data[len(bomUTF8):]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, _, err := transform.Bytes(dec, data)
		if err != nil {
			return "", fmt.Errorf("%w: UTF-16 text that does not decode: %v", ErrNotSpreadsheet, err)
		}
		data = out
	}
	if looksBinary(data) || bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%w: the file holds binary data, not CSV text; upload an "+
			"Excel workbook (.xlsx) or a CSV file", ErrNotSpreadsheet)
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", fmt.Errorf("%w: the text is neither UTF-8 nor GBK/GB18030; save the "+
			"CSV as UTF-8 (Excel: CSV UTF-8)", ErrNotSpreadsheet)
	}
	return string(out), nil
}

// looksBinary reports NUL bytes or many control characters in the start of
// data, which no CSV text has.
func looksBinary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctl := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != 0x1A {
			ctl++
		}
	}
	return ctl > len(head)/100+2
}

// refuseMarkup names the web pages and XML that some systems save with an
// .xls name.
func refuseMarkup(text string) error {
	head := strings.ToLower(strings.TrimSpace(text[:min(len(text), 512)]))
	switch {
	case strings.HasPrefix(head, "<?xml") && strings.Contains(head, "excel"):
		return fmt.Errorf("%w: this is an XML Spreadsheet 2003 file; open it in Excel "+
			"and save it as an Excel workbook (.xlsx)", ErrNotSpreadsheet)
	case strings.HasPrefix(head, "<!doctype html"), strings.HasPrefix(head, "<html"),
		strings.HasPrefix(head, "<table"), strings.HasPrefix(head, "<?xml"):
		return fmt.Errorf("%w: this is a web page or XML, not a spreadsheet; open it "+
			"in Excel or WPS and save it as an Excel workbook (.xlsx)", ErrNotSpreadsheet)
	case strings.HasPrefix(head, "%pdf"):
		return fmt.Errorf("%w: this is a PDF document; import the spreadsheet it was "+
			"printed from", ErrNotSpreadsheet)
	}
	return nil
}

// readCSV reads every record of text. Rows are numbered as a spreadsheet
// program shows them: blank lines count, and a quoted cell spanning lines
// stays in one row.
func readCSV(name, text string) ([]sheet, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = guessDelimiter(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	prevEnd := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := r.FieldPos(0)
			return nil, &FileError{Errors: []RowError{{Sheet: name, Row: line,
				Reason: "the CSV text does not parse (" + err.Error() + "); save it again " +
					"from Excel or WPS"}}}
		}
		line, _ := r.FieldPos(0)
		for blank := line - prevEnd - 1; blank > 0; blank-- {
			rows = append(rows, nil)
		}
		last, _ := r.FieldPos(len(rec) - 1)
		prevEnd = last + strings.Count(rec[len(rec)-1], "\n")
		rows = append(rows, trimRow(rec))
	}
	rows = trimRows(rows)
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: it holds no rows; export the sheet again", ErrEmpty)
	}
	return []sheet{{name: name, rows: rows}}, nil
}

// guessDelimiter picks comma, tab or semicolon, whichever the first lines
// use most.
func guessDelimiter(text string) rune {
	head := text[:min(len(text), 4096)]
	best, bestN := ',', strings.Count(head, ",")
	for _, d := range []rune{'\t', ';'} {
		if n := strings.Count(head, string(d)); n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// trimRow drops the empty cells at the end of a row.
func trimRow(row []string) []string {
	n := len(row)
	for n > 0 && cleanText(row[n-1]) == "" {
		n--
	}
	return row[:n]
}

// trimRows drops the empty rows at the end of a sheet.
func trimRows(rows [][]string) [][]string {
	n := len(rows)
	for n > 0 && len(trimRow(rows[n-1])) == 0 {
		n--
	}
	return rows[:n]
}

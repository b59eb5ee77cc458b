package importer

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrUnknownKind means the kind of import asked for is not one of Kinds.
	ErrUnknownKind = errors.New("unknown import kind")

	// ErrNotSpreadsheet means the file is neither an XLSX workbook nor CSV
	// text. The error says what the file looks like instead.
	ErrNotSpreadsheet = errors.New("not a spreadsheet")

	// ErrEmpty means the file holds no bytes, or no rows.
	ErrEmpty = errors.New("the file is empty")

	// ErrTooLarge means the file is larger than the limit of the import.
	ErrTooLarge = errors.New("the file is too large")

	// ErrInvalid means some rows of the file cannot be imported. Errors
	// matching it are *FileError values listing every one of them.
	ErrInvalid = errors.New("the file has errors")
)

// RowError is one problem of a file: where it is, as the spreadsheet shows
// it, and what to fix. Row is 0 for a problem of a whole sheet (no header
// row); Column is "" for a problem of a whole row.
type RowError struct {
	Sheet  string `json:"sheet"`
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	var b strings.Builder
	if e.Sheet != "" {
		fmt.Fprintf(&b, "sheet %s, ", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d, ", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, "column %s, ", e.Column)
	}
	s := strings.TrimSuffix(b.String(), ", ")
	if s == "" {
		return e.Reason
	}
	return s + ": " + e.Reason
}

// FileError lists every problem found in a file, in the order of the
// sheets, rows and columns. It matches ErrInvalid.
type FileError struct {
	Errors []RowError
}

func (e *FileError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, re := range e.Errors {
		lines[i] = "  " + re.String()
	}
	noun := "errors"
	if len(e.Errors) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("the file has %d %s; nothing was imported:\n%s", len(e.Errors), noun,
		strings.Join(lines, "\n"))
}

func (e *FileError) Unwrap() error { return ErrInvalid }

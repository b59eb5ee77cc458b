package report

import "errors"

// Errors of the package. Wrapped errors say which value was wrong.
var (
	// ErrUnknownFormat: a format other than html, pdf, csv or json.
	ErrUnknownFormat = errors.New("unknown report format")
	// ErrNoPrinter: a PDF was asked for where no Chromium can print it.
	ErrNoPrinter = errors.New("PDF reports need Chromium to print them, and none is configured")
	// ErrNotFound: no issued report has the id asked for.
	ErrNotFound = errors.New("no such report")
	// ErrBadPeriod: a schedule period other than day, week or month.
	ErrBadPeriod = errors.New("unknown report period")
)

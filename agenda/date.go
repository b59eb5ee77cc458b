package agenda

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Date is a calendar day without time or zone, such as the first day of a
// seat on a body. In JSON it is a string "2006-01-02". The zero Date is no
// day at all.
type Date struct {
	t time.Time // midnight UTC of the day
}

const dateLayout = "2006-01-02"

// FirstYear and LastYear bound the years of every day and time Liuhen
// keeps, whether typed into the API or read from a spreadsheet: a year
// outside is a typing slip (2204 for 2024), or a year alone that a
// spreadsheet read as a serial date (2024 as 1905-07-16). The People's
// Republic was founded in 1949; nothing the procedure lists govern is
// older.
const FirstYear, LastYear = 1949, 2100

// YearOf returns the year of t in China Standard Time (MeetingZone). The
// bounds of times are checked by it: in one zone whatever offset a time was
// written with, so that a time accepted once is accepted again when an edit
// of another field reads it back from the database.
func YearOf(t time.Time) int { return t.In(MeetingZone).Year() }

// Bounds of a plausible day.
var (
	minDate = NewDate(FirstYear, time.January, 1)
	maxDate = NewDate(LastYear, time.December, 31)
)

// NewDate returns the day y-m-d, normalized as time.Date normalizes.
func NewDate(y int, m time.Month, d int) Date {
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the day that instant t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// ParseDate reads a day written "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, errDateFormat)
	}
	return Date{t: t}, nil
}

// errDateFormat is the reason given for a date that does not parse.
var errDateFormat = errors.New(`must be a date written "2006-01-02", such as "2026-03-01"`)

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

// String writes d as "2006-01-02".
func (d Date) String() string { return d.t.Format(dateLayout) }

// MarshalJSON writes d as a JSON string "2006-01-02".
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string "2006-01-02".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errDateFormat
	}
	p, err := ParseDate(string(b[1 : len(b)-1]))
	if err != nil {
		return errDateFormat
	}
	*d = p
	return nil
}

// DateValue lets pgx write d to a date column.
func (d Date) DateValue() (pgtype.Date, error) {
	return pgtype.Date{Time: d.t, Valid: !d.IsZero()}, nil
}

// ScanDate lets pgx read a date column into d.
func (d *Date) ScanDate(v pgtype.Date) error {
	if !v.Valid || v.InfinityModifier != pgtype.Finite {
		*d = Date{}
		return nil
	}
	*d = NewDate(v.Time.Year(), v.Time.Month(), v.Time.Day())
	return nil
}

// checkDate reports a missing or implausible required day.
func (f *fieldErrors) checkDate(field string, d Date) {
	switch {
	case d.IsZero():
		f.add(field, requiredText)
	case d.Before(minDate) || maxDate.Before(d):
		f.add(field, fmt.Sprintf("must be between %s and %s", minDate, maxDate))
	}
}

package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/internal/textcell"
)

// defaultConcurrency is how many object checks run at once when
// Options.Concurrency is zero. Each holds one request to the store and, in
// a rehash, a 256 KiB read buffer. On the development machine a rehash read
// a few percent faster with 16 than with 4 or 8, and no faster with 32
// (BenchmarkRehash); recording uploads are short requests of their own,
// which MinIO serves beside these.
const defaultConcurrency = 16

// maxConcurrency is the most object checks Options.Concurrency may ask
// for at once. More only queue up in the store: a run of 10,000 at once
// made MinIO miss the call timeout of some.
const maxConcurrency = 256

// minYear and maxYear bound the years of Options.From and To: dates of
// decisions are far inside them, and a year past 9999 cannot be written
// in the report.
const minYear, maxYear = 1900, 9000

// defaultBackdateDays is how many days after the fact a decision may be
// registered, or a meeting's minutes written, before BACKDATED reports it
// when Options.BackdateDays is zero: a month covers an office that
// registers its decisions once a month.
const defaultBackdateDays = 30

// maxBackdateDays bounds Options.BackdateDays at ten years, past which the
// rule would say nothing.
const maxBackdateDays = 3650

// Options choose which decisions Run checks and how.
type Options struct {
	// Rehash reads every segment object back and compares its SHA-256 with
	// the recorded one. Without it, objects are only checked for presence
	// and size.
	Rehash bool
	// Codes limits the rules that run; empty runs all of them.
	Codes []string
	// Skip leaves these rules out of those Codes chooses (of every rule
	// when Codes is empty), as a database holding a generated county, whose
	// segment objects were never stored, leaves out RECORDING_TAMPERED. A
	// Skip that leaves no rule is refused.
	Skip []string
	// Unit limits the check to decisions of the org unit with this code and
	// of every unit below it; empty checks all units.
	Unit string
	// From and To limit decided_at to From <= decided_at < To; a zero time
	// leaves that side open.
	From, To time.Time
	// Meeting, when not 0, limits the check to the decisions linked to the
	// agenda items of the meeting with this id, such as a watch page shows;
	// Unit, From and To narrow it further. Rules that look beyond a
	// decision (SPLIT_SPENDING's other decisions of the unit and matter)
	// look as far as in a run without it, so each decision's findings are
	// those an unscoped run gives it.
	Meeting int64
	// Concurrency is how many object checks run at once; 0 means 16.
	Concurrency int
	// BackdateDays is how many days after the decision its registration,
	// and after the meeting its minutes, may come before BACKDATED reports
	// them; 0 means 30.
	BackdateDays int
	// Selected, when set, is told once the decisions in scope are selected
	// and read, before the first rule runs: how many there are and how
	// long that took. Over a whole county it is a good part of the run.
	Selected func(decisions int, took time.Duration)
	// Progress, when set, is told each time a rule has run.
	Progress func(RuleDone)
	// ObjectsChecked, when set, is told every few seconds while
	// RECORDING_TAMPERED checks segments in the evidence store (the longest
	// part of a rehash): how many are done, of how many. Selected,
	// Progress and ObjectsChecked are called from the goroutine that
	// called Run.
	ObjectsChecked func(done, of int)
}

// RuleDone tells Options.Progress that one rule has run.
type RuleDone struct {
	Code     string
	N, Of    int // the Nth of Of rules that run
	Findings int
	Took     time.Duration
}

// Validate checks what it can without the database: codes, skip, period,
// meeting, concurrency and backdate days. It returns every problem at once, each an
// *OptionError wrapping ErrInvalidOptions, joined; Run checks the same.
func (o Options) Validate() error {
	return errors.Join(o.validate()...)
}

// validate checks what it can without the database, returning every
// problem at once, joined.
func (o Options) validate() []error {
	errs := append(unknownCodes("codes", o.Codes), unknownCodes("skip", o.Skip)...)
	if len(o.Rules()) == 0 && len(Options{Codes: o.Codes}.Rules()) > 0 {
		errs = append(errs, &OptionError{
			Field:  "skip",
			Reason: "leaves no rule to run; leave fewer codes out",
			Err:    ErrNoRule,
		})
	}
	if !o.From.IsZero() && !o.To.IsZero() && !o.To.After(o.From) {
		errs = append(errs, &OptionError{
			Field: "to",
			Reason: fmt.Sprintf("the period ends (%s) before it starts (%s); "+
				"give a 'to' later than 'from' (a date in 'to' includes that whole day, so "+
				"its end is the next midnight)",
				o.To.Format(time.RFC3339), o.From.Format(time.RFC3339)),
			Err: ErrBadPeriod,
		})
	}
	for _, end := range []struct {
		option string
		t      time.Time
	}{{"from", o.From}, {"to", o.To}} {
		if !end.t.IsZero() {
			if err := yearError(end.option, end.t); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if !pgtext.Valid(o.Unit) {
		errs = append(errs, &OptionError{
			Field: "unit",
			Reason: fmt.Sprintf("%q is not text (invalid UTF-8 or a NUL byte); give the "+
				"code of an org unit", o.Unit),
			Err: ErrUnknownUnit,
		})
	}
	if o.Meeting < 0 {
		errs = append(errs, &OptionError{
			Field: "meeting",
			Reason: fmt.Sprintf("got %d; give the id of a meeting (a positive integer), "+
				"or 0 for the decisions of every meeting", o.Meeting),
			Err: ErrUnknownMeeting,
		})
	}
	if o.Concurrency < 0 || o.Concurrency > maxConcurrency {
		errs = append(errs, &OptionError{
			Field: "concurrency",
			Reason: fmt.Sprintf("got %d; give a number from 1 to %d, or 0 for the default %d",
				o.Concurrency, maxConcurrency, defaultConcurrency),
			Err: ErrBadOption,
		})
	}
	if o.BackdateDays < 0 || o.BackdateDays > maxBackdateDays {
		errs = append(errs, &OptionError{
			Field: "backdate_days",
			Reason: fmt.Sprintf("got %d; give a number of days from 1 to %d, or 0 for "+
				"the default %d", o.BackdateDays, maxBackdateDays, defaultBackdateDays),
			Err: ErrBadOption,
		})
	}
	return errs
}

// yearError refuses a bound of the period whose year is outside minYear to
// maxYear; nil when it is inside. The year of a 'to', which the period
// ends before, is that of the period's last instant: the date 9000-12-31
// is read as the end 9001-01-01, and ends a period in 9000.
func yearError(option string, t time.Time) error {
	y := t.Year()
	if option == "to" {
		y = t.Add(-time.Nanosecond).Year()
	}
	if y >= minYear && y <= maxYear {
		return nil
	}
	return &OptionError{
		Field: option,
		Reason: fmt.Sprintf("the year %d is outside %d to %d; give a date in it, or "+
			"leave %s out for an open period", y, minYear, maxYear, option),
		Err: ErrBadYear,
	}
}

// unknownCodes returns an *OptionError of field for each of codes that is
// no finding code.
func unknownCodes(field string, codes []string) []error {
	var errs []error
	for _, c := range codes {
		if !slices.Contains(allCodes, c) {
			errs = append(errs, &OptionError{
				Field: field,
				Reason: fmt.Sprintf("unknown finding code %s; valid codes are %s",
					textcell.Echo(c), strings.Join(allCodes, ", ")),
				Err: ErrUnknownCode,
			})
		}
	}
	return errs
}

// Runs reports whether the rule with code runs under o: Codes chooses it
// (or is empty) and Skip does not leave it out.
func (o Options) Runs(code string) bool {
	return (len(o.Codes) == 0 || slices.Contains(o.Codes, code)) &&
		!slices.Contains(o.Skip, code)
}

// Rules lists the rules that run under o, in report order.
func (o Options) Rules() []string {
	var out []string
	for _, c := range allCodes {
		if o.Runs(c) {
			out = append(out, c)
		}
	}
	return out
}

func (o Options) backdateDays() int {
	if o.BackdateDays == 0 {
		return defaultBackdateDays
	}
	return o.BackdateDays
}

// meeting is the meeting of the scope, nil when it has none.
func (o Options) meeting() *int64 {
	if o.Meeting == 0 {
		return nil
	}
	id := o.Meeting
	return &id
}

// from is the start of the period, nil when it has none.
func (o Options) from() *time.Time {
	if o.From.IsZero() {
		return nil
	}
	t := o.From
	return &t
}

// to is the end of the period, nil when it has none.
func (o Options) to() *time.Time {
	if o.To.IsZero() {
		return nil
	}
	t := o.To
	return &t
}

func (o Options) workers() int {
	if o.Concurrency == 0 {
		return defaultConcurrency
	}
	return o.Concurrency
}

// ParseCodes splits a comma-separated list of finding codes, trimming
// spaces and upper-casing, so "no_meeting, wrong_body" is accepted. It does
// not check the codes: Run does.
func ParseCodes(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if c := strings.ToUpper(strings.TrimSpace(part)); c != "" {
			out = append(out, c)
		}
	}
	return out
}

const dateLayout = "2006-01-02"

// ParseFrom reads the start of a period: an RFC 3339 time, or a date
// (2006-01-02) meaning the start of that day in the server's time zone.
// An empty string gives the zero time (no lower bound).
func ParseFrom(s string) (time.Time, error) {
	return ParseFromIn(s, time.Local)
}

// ParseTo reads the end of a period: an RFC 3339 time (excluded), or a
// date (2006-01-02) meaning the whole of that day is included. An empty
// string gives the zero time (no upper bound).
func ParseTo(s string) (time.Time, error) {
	return ParseToIn(s, time.Local)
}

// ParseFromIn is ParseFrom with dates read in loc.
func ParseFromIn(s string, loc *time.Location) (time.Time, error) {
	return parseBound("from", s, false, loc)
}

// ParseToIn is ParseTo with dates read in loc.
func ParseToIn(s string, loc *time.Location) (time.Time, error) {
	return parseBound("to", s, true, loc)
}

func parseBound(option, s string, end bool, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	// A year outside minYear to maxYear is refused here, not only by
	// Validate: 0001-01-01T00:00:00Z is the zero time, which means no bound,
	// and would otherwise turn a 'to' into an open end.
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return inYears(option, t)
	}
	// TODO(timezone): verify reads a date in the server's zone (time.Local),
	// reports in China Standard Time; the org unit's own zone would serve
	// both.
	day, err := time.ParseInLocation(dateLayout, s, loc)
	if err != nil {
		return time.Time{}, &OptionError{
			Field: option,
			Reason: fmt.Sprintf("cannot read %q as a date; give 2006-01-02 "+
				"or an RFC 3339 time such as 2006-01-02T15:04:05+08:00", s),
			Err: ErrBadPeriod,
		}
	}
	if end {
		day = day.AddDate(0, 0, 1)
	}
	return inYears(option, day)
}

// inYears returns t, or the zero time and yearError when its year is out
// of range.
func inYears(option string, t time.Time) (time.Time, error) {
	if err := yearError(option, t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

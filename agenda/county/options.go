package county

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A Kind of violation, named by the finding code a verifier reports for it.
type Kind string

// The kinds of violation Generate plants; see the package documentation
// for what each looks like in the data.
const (
	NoMeeting            Kind = "NO_MEETING"
	WrongBody            Kind = "WRONG_BODY"
	StageSkipped         Kind = "STAGE_SKIPPED"
	DecidedBeforeMeeting Kind = "DECIDED_BEFORE_MEETING"
	NoQuorum             Kind = "NO_QUORUM"
	VoteShort            Kind = "VOTE_SHORT"
	NoRecording          Kind = "NO_RECORDING"
	RecordingInterrupted Kind = "RECORDING_INTERRUPTED"
	ItemNotCovered       Kind = "ITEM_NOT_COVERED"
	SplitSpending        Kind = "SPLIT_SPENDING"
	Backdated            Kind = "BACKDATED"
	RecusalMissed        Kind = "RECUSAL_MISSED"
	LeaderNotLast        Kind = "LEADER_NOT_LAST"
)

var allKinds = []Kind{
	NoMeeting, WrongBody, StageSkipped, DecidedBeforeMeeting, NoQuorum, VoteShort, NoRecording,
	RecordingInterrupted, ItemNotCovered, SplitSpending, Backdated, RecusalMissed,
	LeaderNotLast,
}

// Kinds returns every kind of violation, in the order reports list them.
func Kinds() []Kind { return append([]Kind(nil), allKinds...) }

// ParseKind reads a kind case-insensitively ("no_quorum" is NO_QUORUM).
func ParseKind(s string) (Kind, bool) {
	k := Kind(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range allKinds {
		if k == known {
			return k, true
		}
	}
	return "", false
}

// Options say what county to generate.
type Options struct {
	Code string // county org unit code: lower-case letters and digits; every code starts with it
	Name string // county name, such as 临溪县
	Year int    // the calendar year of the meetings
	Seed uint64 // the same seed and options give the same data

	Townships, Departments, Villages int
	Decisions                        int // decisions registered over the year, all units together

	// Shares is, per kind, the share of Decisions that carry that violation;
	// a kind not in the map gets none. SPLIT_SPENDING rounds up to 2 when
	// the share gives 1, since one payment cannot be split.
	Shares map[Kind]float64

	// SegmentSeconds is the media length of a catalogued segment. The
	// server writes 10 s segments by default; the generator's default of
	// 300 s keeps a year of meetings at a few million segment rows.
	SegmentSeconds int

	// Progress, when set, is called after each batch of rows is written,
	// from the goroutine that called Generate.
	Progress func(Progress)
}

// Progress reports how far Generate has come.
type Progress struct {
	Phase     string // "structure", "meetings", "finishing"
	Decisions int    // decisions written so far
	Total     int    // decisions to write
}

// DefaultShare is the share of decisions each kind of violation gets by
// default.
const DefaultShare = 0.02

// DefaultOptions returns a demo-sized county: 12 townships, 20 departments,
// 150 villages and 5000 decisions in 2025, with DefaultShare of each kind
// of violation.
func DefaultOptions() Options {
	shares := map[Kind]float64{}
	for _, k := range allKinds {
		shares[k] = DefaultShare
	}
	return Options{
		Code: "linxi", Name: "临溪县", Year: 2025, Seed: 1,
		Townships: 12, Departments: 20, Villages: 150, Decisions: 5000,
		Shares: shares, SegmentSeconds: 300,
	}
}

// Limits of the options.
const (
	maxUnits     = 10000
	maxDecisions = 20_000_000
	maxCodeLen   = 24
)

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// Validate returns every problem with o at once (joined *OptionError
// values), or nil.
func (o Options) Validate() error {
	var errs []error
	add := func(option, format string, args ...any) {
		errs = append(errs, optionErr(option, format, args...))
	}
	if len(o.Code) > maxCodeLen || !codePattern.MatchString(o.Code) {
		add("code", "got %q; give 1 to %d lower-case letters and digits, starting with a "+
			"letter, such as linxi", o.Code, maxCodeLen)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(o.Name)); n == 0 || n > 40 {
		add("name", "got %q; give the county's name, such as 临溪县", o.Name)
	}
	if o.Year < 2000 || o.Year > 2100 {
		add("year", "got %d; give a year from 2000 to 2100", o.Year)
	}
	checkCount := func(option string, n, lo, hi int) {
		if n < lo || n > hi {
			add(option, "got %d; give a number from %d to %d", n, lo, hi)
		}
	}
	checkCount("townships", o.Townships, 1, maxUnits)
	checkCount("departments", o.Departments, 0, maxUnits)
	checkCount("villages", o.Villages, 0, 10*maxUnits)
	checkCount("decisions", o.Decisions, 0, maxDecisions)
	checkCount("segment-seconds", o.SegmentSeconds, 1, 3600)
	errs = append(errs, o.validateShares()...)
	return errors.Join(errs...)
}

func (o Options) validateShares() []error {
	var errs []error
	for k, s := range o.Shares {
		if !slices.Contains(allKinds, k) {
			errs = append(errs, optionErr("share "+string(k), "unknown kind; valid kinds are %s",
				kindList()))
		} else if math.IsNaN(s) || s < 0 || s > 1 {
			errs = append(errs, optionErr("share "+string(k),
				"got %v; give a share of the decisions from 0 to 1, such as 0.05", s))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	total := 0
	for _, n := range o.counts() {
		total += n
	}
	if o.Decisions >= 0 && total > o.Decisions { // a negative count is told on its own
		errs = append(errs, optionErr("shares", "the shares add up to %d violations, more "+
			"than the %d decisions; lower the shares or raise the decisions", total, o.Decisions))
	}
	return errs
}

func kindList() string {
	names := make([]string, len(allKinds))
	for i, k := range allKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// counts is how many decisions get each kind of violation.
func (o Options) counts() map[Kind]int {
	out := map[Kind]int{}
	for _, k := range allKinds {
		n := int(math.Round(o.Shares[k] * float64(o.Decisions)))
		if k == SplitSpending && n == 1 {
			n = 2
		}
		out[k] = n
	}
	return out
}

// String describes the options in one line, for logs.
func (o Options) String() string {
	return fmt.Sprintf("county %s (%s) %d: %d townships, %d departments, %d villages, "+
		"%d decisions, seed %d", o.Code, o.Name, o.Year, o.Townships, o.Departments,
		o.Villages, o.Decisions, o.Seed)
}

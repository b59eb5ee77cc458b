package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
	}{
		{"table", FormatTable}, {"json", FormatJSON}, {" CSV ", FormatCSV},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFormat(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("ParseFormat(%q): got %q, %v; want %q, nil", tc.in, got, err, tc.want)
			}
		})
	}
	for _, in := range []string{"", "xml", "tables"} {
		t.Run("rejects "+in, func(t *testing.T) {
			_, err := ParseFormat(in)
			if !errors.Is(err, ErrUnknownFormat) || !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("ParseFormat(%q): got %v, want ErrUnknownFormat", in, err)
			}
			if !strings.Contains(err.Error(), "table, json or csv") {
				t.Errorf("error: got %q, want it to name the valid formats", err)
			}
		})
	}
}

func TestParseBounds(t *testing.T) {
	day := time.Date(2024, 3, 5, 0, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name, in string
		parse    func(string) (time.Time, error)
		want     time.Time
	}{
		{"from date is the start of the day", "2024-03-05", ParseFrom, day},
		{"to date includes the whole day", "2024-03-05", ParseTo, day.AddDate(0, 0, 1)},
		{"RFC 3339 is taken as is", "2024-03-05T09:00:00+08:00", ParseTo,
			time.Date(2024, 3, 5, 9, 0, 0, 0, cst)},
		{"empty is no bound", "", ParseFrom, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.parse(tc.in)
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("got %v, %v; want %v, nil", got, err, tc.want)
			}
		})
	}
	// The zero time means no bound: a bound that parses to it (year 1)
	// must be refused, or a 'to' would end nowhere and check every decision.
	for _, tc := range []struct {
		option, in string
		parse      func(string) (time.Time, error)
	}{
		{"to", "0001-01-01T00:00:00Z", ParseTo},
		{"from", "0001-01-01T00:00:00Z", ParseFrom},
		{"to", "0000-12-31", func(s string) (time.Time, error) { return ParseToIn(s, time.UTC) }},
		{"from", "0001-01-01", func(s string) (time.Time, error) {
			return ParseFromIn(s, time.UTC)
		}},
		{"to", "9999-12-31T23:00:00Z", ParseTo},
	} {
		t.Run("refuses the year of "+tc.option+" "+tc.in, func(t *testing.T) {
			got, err := tc.parse(tc.in)
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Field != tc.option || !errors.Is(err, ErrBadPeriod) ||
				!strings.Contains(oe.Reason, "outside 1900 to 9000") {
				t.Fatalf("got %v, %v; want an *OptionError for %s saying the year is outside "+
					"1900 to 9000", got, err, tc.option)
			}
		})
	}
	t.Run("a to's year is that of the last day it includes", func(t *testing.T) {
		end, err := ParseToIn("9000-12-31", time.UTC)
		if err != nil || (Options{To: end}).Validate() != nil {
			t.Errorf("to 9000-12-31: got %v, %v; want the period to end in 9000, accepted",
				end, errors.Join(err, (Options{To: end}).Validate()))
		}
		_, err = ParseToIn("9999-12-31", time.UTC)
		if err == nil || !strings.Contains(err.Error(), "the year 9999 is outside") {
			t.Errorf("to 9999-12-31: got %v, want it refused naming the year 9999", err)
		}
	})
	t.Run("rejects a malformed date", func(t *testing.T) {
		_, err := ParseFrom("5/3/2024")
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != "from" || !errors.Is(err, ErrBadPeriod) {
			t.Fatalf("got %v, want an *OptionError for from wrapping ErrBadPeriod", err)
		}
	})
}

func TestParseCodes(t *testing.T) {
	got := ParseCodes(" no_meeting, ,WRONG_BODY,")
	want := []string{CodeNoMeeting, CodeWrongBody}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestOptionsValidate(t *testing.T) {
	from := time.Date(2024, 3, 5, 0, 0, 0, 0, cst)
	for _, tc := range []struct {
		name   string
		opts   Options
		want   []error
		reason string
	}{
		{"unknown code", Options{Codes: []string{"NO_MEETNG"}},
			[]error{ErrUnknownCode}, strings.Join(allCodes, ", ")},
		{"to before from", Options{From: from, To: from.Add(-time.Hour)},
			[]error{ErrBadPeriod}, "later than 'from'"},
		{"to equal to from", Options{From: from, To: from},
			[]error{ErrBadPeriod}, "later than 'from'"},
		{"negative concurrency", Options{Concurrency: -1},
			[]error{ErrBadOption}, "from 1 to 256"},
		{"concurrency past the most", Options{Concurrency: 10000},
			[]error{ErrBadOption}, "concurrency: got 10000"},
		{"to in a year past the most", Options{To: time.Date(10000, 1, 2, 0, 0, 0, 0, cst)},
			[]error{ErrBadPeriod}, "the year 10000 is outside 1900 to 9000"},
		{"from in a year before the least", Options{From: time.Date(1, 1, 1, 0, 0, 0, 0, cst)},
			[]error{ErrBadPeriod}, "from: the year 1"},
		{"unit not UTF-8", Options{Unit: "\xff"}, []error{ErrUnknownUnit}, "not text"},
		{"unit with a NUL", Options{Unit: "a\x00"}, []error{ErrUnknownUnit}, "not text"},
		{"negative meeting", Options{Meeting: -1},
			[]error{ErrUnknownMeeting}, "meeting: got -1; give the id of a meeting"},
		{"negative backdate days", Options{BackdateDays: -1},
			[]error{ErrBadOption}, "from 1 to 3650, or 0 for the default 30"},
		{"backdate days past ten years", Options{BackdateDays: 3651},
			[]error{ErrBadOption}, "backdate_days: got 3651"},
		{"unknown code to skip", Options{Skip: []string{"NO_MEETNG"}},
			[]error{ErrUnknownCode}, `skip: unknown finding code "NO_MEETNG"; valid codes are ` +
				strings.Join(allCodes, ", ")},
		{"skip of every rule", Options{Skip: allCodes}, []error{ErrNoRule},
			"skip: leaves no rule to run; leave fewer codes out"},
		{"skip of every code chosen", Options{Codes: []string{CodeNoMeeting},
			Skip: []string{CodeNoMeeting}}, []error{ErrNoRule}, "skip: leaves no rule"},
		{"skip beside codes that are all unknown", Options{Codes: []string{"X"},
			Skip: []string{CodeNoMeeting}}, []error{ErrUnknownCode}, "codes: unknown"},
		{"every problem at once",
			Options{Codes: []string{"X", "Y"}, From: from, To: from, Concurrency: -2},
			[]error{ErrUnknownCode, ErrUnknownCode, ErrBadPeriod, ErrBadOption}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.opts.validate()
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors (%v), want %d", len(errs), errs, len(tc.want))
			}
			for i, err := range errs {
				if !errors.Is(err, tc.want[i]) || !errors.Is(err, ErrInvalidOptions) {
					t.Errorf("error %d: got %v, want %v", i, err, tc.want[i])
				}
			}
			if !strings.Contains(errs[0].Error(), tc.reason) {
				t.Errorf("error: got %q, want it to say %q", errs[0], tc.reason)
			}
		})
	}
	t.Run("valid options", func(t *testing.T) {
		opts := Options{Codes: []string{CodeNoMeeting}, From: from, To: from.Add(time.Hour),
			BackdateDays: maxBackdateDays}
		if err := opts.Validate(); err != nil {
			t.Errorf("got %v, want no errors", err)
		}
	})
	t.Run("skip of some rules", func(t *testing.T) {
		opts := Options{Skip: []string{CodeRecordingTampered, CodeNoMeeting}}
		if err := opts.Validate(); err != nil {
			t.Fatalf("got %v, want no errors", err)
		}
		want := slices.DeleteFunc(Codes(), func(c string) bool {
			return c == CodeRecordingTampered || c == CodeNoMeeting
		})
		if got := opts.Rules(); !slices.Equal(got, want) {
			t.Errorf("rules: got %v, want %v", got, want)
		}
		if opts.Runs(CodeNoMeeting) || !opts.Runs(CodeWrongBody) {
			t.Errorf("Runs: got NO_MEETING %v, WRONG_BODY %v; want false, true",
				opts.Runs(CodeNoMeeting), opts.Runs(CodeWrongBody))
		}
	})
	t.Run("Validate joins every problem", func(t *testing.T) {
		err := Options{Codes: []string{"NOPE"}, BackdateDays: -5}.Validate()
		got := OptionErrors(err)
		if len(got) != 2 || got[0].Field != "codes" || got[1].Field != "backdate_days" {
			t.Errorf("got %v, want errors for codes and backdate_days", err)
		}
	})
}

func TestOptionErrors(t *testing.T) {
	a := &OptionError{Field: "unit", Err: ErrUnknownUnit}
	b := &OptionError{Field: "to", Err: ErrBadPeriod}
	err := fmt.Errorf("run verify: %w", errors.Join(a, fmt.Errorf("wrapped: %w", b)))
	got := OptionErrors(err)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("got %v, want [%v %v]", got, a, b)
	}
	if got := OptionErrors(errors.New("plain")); len(got) != 0 {
		t.Errorf("plain error: got %v, want none", got)
	}
}

// slowStore counts how many Stat calls run at once.
type slowStore struct {
	running, peak atomic.Int64
}

func (s *slowStore) Stat(ctx context.Context, _ string) (int64, error) {
	n := s.running.Add(1)
	defer s.running.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	select {
	case <-time.After(5 * time.Millisecond):
		return 1, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (s *slowStore) Rehash(context.Context, string, int64) ([32]byte, int64, error) {
	return [32]byte{}, 1, nil
}

func TestCheckObjects(t *testing.T) {
	segments := make([]segmentRow, 40)
	for i := range segments {
		segments[i] = segmentRow{Seq: i, Key: fmt.Sprint("k", i), Size: 1}
	}
	t.Run("bounded concurrency", func(t *testing.T) {
		s := &slowStore{}
		found, err := checkObjects(context.Background(), s, segments, false, 4, nil)
		if err != nil || len(found) != 0 {
			t.Fatalf("got %v, %v; want no problems", found, err)
		}
		if p := s.peak.Load(); p < 2 || p > 4 {
			t.Errorf("peak concurrency: got %d, want 2 to 4", p)
		}
	})
	t.Run("tells how far it got", func(t *testing.T) {
		defer func(was time.Duration) { objectProgressEvery = was }(objectProgressEvery)
		objectProgressEvery = 10 * time.Millisecond
		var told []int
		// 40 checks of 5 ms, 2 at a time: about 100 ms, so several ticks.
		_, err := checkObjects(context.Background(), &slowStore{}, segments, false, 2,
			func(done int) { told = append(told, done) })
		if err != nil {
			t.Fatal(err)
		}
		if len(told) < 2 || !slices.IsSorted(told) || told[len(told)-1] > len(segments) {
			t.Errorf("told %v, want at least two counts rising to at most %d", told,
				len(segments))
		}
	})
	t.Run("stops when the context ends", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := checkObjects(ctx, &slowStore{}, segments, false, 4, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("store failure stops the check", func(t *testing.T) {
		store := newFakeStore()
		store.fail = errStoreDown
		_, err := checkObjects(context.Background(), store, segments, false, 4, nil)
		if !errors.Is(err, errStoreDown) || !strings.Contains(err.Error(), "stat object") {
			t.Errorf("got %v, want a wrapped errStoreDown", err)
		}
	})
}

package verify

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestRunMeetingScope checks that Options.Meeting selects exactly the
// decisions linked to the meeting's agenda items, and that each gets the
// verdict and findings an unscoped run gives it, SPLIT_SPENDING's siblings
// outside the meeting included.
func TestRunMeetingScope(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	ctx := context.Background()
	a, b := f.compliant(), f.compliant()
	// A second item of a's meeting whose decision was taken before the
	// meeting, and a third whose decision is one part of a split: the
	// other part, under the same payee, has no meeting at all.
	early := f.decision(a.unit, a.matter, "80000", meetingStart.Add(-24*time.Hour),
		ptr(f.item(a.meeting, 2)))
	split := f.matter(a.unit, "government_executive", "50000", false)
	f.exec(`UPDATE matters SET amount_basis = 'payee' WHERE id = $1`, split)
	part := f.decision(a.unit, split, "30000", meetingStart.Add(time.Hour),
		ptr(f.item(a.meeting, 3)))
	sibling := f.decision(a.unit, split, "30000", meetingStart.Add(48*time.Hour), nil)
	f.exec(`UPDATE decisions SET payee = '某建筑公司' WHERE id IN ($1, $2)`, part, sibling)
	// An item of a's meeting with no decision, and b's decision elsewhere.
	f.item(a.meeting, 4)

	all, err := Run(ctx, f.pool, f.store, Options{})
	if err != nil {
		t.Fatalf("unscoped run: %v", err)
	}
	got, err := Run(ctx, f.pool, f.store, Options{Meeting: a.meeting})
	if err != nil {
		t.Fatalf("run for meeting %d: %v", a.meeting, err)
	}
	want := []int64{early, part, a.decision} // by decided_at
	if ids := decisionIDs(got); !slices.Equal(ids, want) {
		t.Fatalf("decisions: got %v, want %v (not %d of the other meeting, nor %d unlinked)",
			ids, want, b.decision, sibling)
	}
	if got.Scope.Meeting != a.meeting || got.Checked != 3 {
		t.Errorf("scope: got meeting %d, %d checked; want %d, 3", got.Scope.Meeting,
			got.Checked, a.meeting)
	}
	in := func(id int64) bool { return slices.Contains(want, id) }
	var wantDecisions []DecisionResult
	for _, d := range all.Decisions {
		if in(d.ID) {
			wantDecisions = append(wantDecisions, d)
		}
	}
	var wantFindings []Finding
	for _, fd := range all.Findings {
		if in(fd.DecisionID) {
			wantFindings = append(wantFindings, fd)
		}
	}
	if !reflect.DeepEqual(got.Decisions, wantDecisions) {
		t.Errorf("decision results:\ngot  %+v\nwant %+v", got.Decisions, wantDecisions)
	}
	if !reflect.DeepEqual(got.Findings, wantFindings) {
		t.Errorf("findings:\ngot  %s\nwant %v", messages(got), codesOf(wantFindings))
	}
	for _, tc := range []struct {
		name string
		opts Options
		want []int64
	}{
		{"and a period", Options{Meeting: a.meeting, From: meetingStart},
			[]int64{part, a.decision}},
		// The meeting is outside the period, its early decision inside.
		{"and a period before it", Options{Meeting: a.meeting, To: meetingStart},
			[]int64{early}},
	} {
		tc.opts.Codes = []string{CodeNoMeeting}
		rep, err := Run(ctx, f.pool, f.store, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if ids := decisionIDs(rep); !slices.Equal(ids, tc.want) {
			t.Errorf("the meeting %s: got decisions %v, want %v", tc.name, ids, tc.want)
		}
	}
	for code, id := range map[string]int64{CodeDecidedBeforeMeeting: early,
		CodeSplitSpending: part} {
		if !slices.ContainsFunc(got.Findings, func(fd Finding) bool {
			return fd.Code == code && fd.DecisionID == id
		}) {
			t.Errorf("findings: got %s, want %s of decision %d", messages(got), code, id)
		}
	}
}

func TestRunMeetingScopeRefused(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	other := f.compliant()
	ctx := context.Background()
	later := meetingStart.AddDate(0, 1, 0)
	held := meetingStart.Format(time.RFC3339)
	none := "and none of the decisions linked to it is in scope"
	planned := f.meeting(w.body, meetingStart, nil)
	outsideUnit := fmt.Sprintf("meeting %d is of org unit %s (%s 镇), not of %s or a unit "+
		"below it, %s; give unit %s or a unit above it, or leave unit out", w.meeting,
		w.unitCode, w.unitCode, other.unitCode, none, w.unitCode)
	for _, tc := range []struct {
		name    string
		opts    Options
		options []string
		says    string
	}{
		{"unknown meeting", Options{Meeting: w.meeting + 1000}, []string{"meeting"},
			"no meeting has id"},
		{"negative meeting", Options{Meeting: -3}, []string{"meeting"}, "got -3"},
		{"negative meeting beside an unknown unit", Options{Meeting: -1, Unit: "NOWHERE"},
			[]string{"meeting", "unit"}, ""},
		{"unknown meeting beside an unknown unit", Options{Meeting: w.meeting + 1000,
			Unit: "NOWHERE"}, []string{"unit", "meeting"}, `no org unit has code "NOWHERE"`},
		{"unknown meeting beside a bad concurrency", Options{Meeting: w.meeting + 1000,
			Concurrency: -1}, []string{"concurrency", "meeting"}, "no meeting has id"},
		{"of another unit", Options{Meeting: w.meeting, Unit: other.unitCode},
			[]string{"unit"}, outsideUnit},
		{"before the period", Options{Meeting: w.meeting, From: later},
			[]string{"from"}, fmt.Sprintf("from: meeting %d began at %s, before the period "+
				"starts (%s), %s; give a 'from' on or before the meeting's day, or leave "+
				"'from' out", w.meeting, held, later.Format(time.RFC3339), none)},
		{"after the period", Options{Meeting: w.meeting, To: meetingStart.Add(-time.Hour)},
			[]string{"to"}, fmt.Sprintf("to: meeting %d began at %s, after the period ends "+
				"(%s), %s; give a 'to' of the meeting's day or later, or leave 'to' out",
				w.meeting, held, meetingStart.Add(-time.Hour).Format(time.RFC3339), none)},
		{"planned before the period", Options{Meeting: planned, From: later},
			[]string{"from"}, fmt.Sprintf("from: meeting %d is planned to begin at %s, before",
				planned, held)},
		{"of another unit and after the period", Options{Meeting: w.meeting,
			Unit: other.unitCode, From: meetingStart.AddDate(-1, 0, 0), To: meetingStart},
			[]string{"unit", "to"}, outsideUnit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(ctx, f.pool, f.store, tc.opts)
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("got %v, want ErrInvalidOptions", err)
			}
			var got []string
			for _, oe := range OptionErrors(err) {
				got = append(got, oe.Field)
			}
			if !slices.Equal(got, tc.options) {
				t.Errorf("bad options: got %v, want %v", got, tc.options)
			}
			if tc.opts.Meeting != 0 && !errors.Is(err, ErrUnknownMeeting) &&
				!errors.Is(err, ErrOutOfScope) {
				t.Errorf("got %v, want ErrUnknownMeeting or ErrOutOfScope", err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %q, want it to say %q", err, tc.says)
			}
		})
	}
}

// TestCheck checks that Check tells the problems Run would, at once,
// without running, and tells a database it could not ask apart.
// TestRunMeetingOfAnotherUnit checks that a decision linked to a meeting
// of another unit's body is checked with the decision's unit, not refused:
// it is WRONG_BODY.
func TestRunMeetingOfAnotherUnit(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	other := f.compliant()
	d := f.decision(other.unit, other.matter, "80000", meetingStart.Add(time.Hour),
		ptr(f.item(w.meeting, 2)))
	rep, err := Run(context.Background(), f.pool, f.store, Options{Meeting: w.meeting,
		Unit: other.unitCode, Codes: []string{CodeWrongBody}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := decisionIDs(rep); !slices.Equal(got, []int64{d}) ||
		!slices.Equal(codesOf(rep.Findings), []string{CodeWrongBody}) {
		t.Errorf("got decisions %v with %v, want [%d] with WRONG_BODY", got,
			codesOf(rep.Findings), d)
	}
}

func TestCheck(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	ctx := context.Background()
	if err := Check(ctx, f.pool, Options{Unit: w.unitCode, Meeting: w.meeting}); err != nil {
		t.Errorf("good options: got %v, want nil", err)
	}
	bad := Options{Unit: "NOWHERE", Meeting: w.meeting + 1000, BackdateDays: -1}
	err := Check(ctx, f.pool, bad)
	var got []string
	for _, oe := range OptionErrors(err) {
		got = append(got, oe.Field+": "+oe.Reason)
	}
	want := []string{
		"backdate_days: got -1; give a number of days from 1 to 3650, or 0 for the default 30",
		`unit: no org unit has code "NOWHERE"; give the code of an existing org unit ` +
			"(its sub-units are included)",
		fmt.Sprintf("meeting: no meeting has id %d; give the id of an existing meeting, or 0 "+
			"for the decisions of every meeting", w.meeting+1000),
	}
	if !slices.Equal(got, want) || !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("bad options:\ngot  %q\nwant %q", got, want)
	}
	if _, runErr := Run(ctx, f.pool, f.store, bad); runErr == nil ||
		runErr.Error() != err.Error() {
		t.Errorf("Run: got %v, want what Check tells", runErr)
	}
	closed, err := pgxpool.New(ctx, f.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if err := Check(ctx, closed, bad); err == nil || errors.Is(err, ErrInvalidOptions) {
		t.Errorf("a closed pool: got %v, want an error of the database", err)
	}
}

func TestScopeOfAMeetingIsTold(t *testing.T) {
	s := Scope{Meeting: 7, Unit: "qingshan", Codes: allCodes}
	if got := s.describe(); !strings.HasPrefix(got,
		"Decisions of meeting 7's agenda items, of unit qingshan and its sub-units,") {
		t.Errorf("got %q, want it to name meeting 7 and the unit", got)
	}
}

package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/verify"
)

// TestVerifyFlagErrors checks that bad verify options come back as one
// usage error naming each flag to fix and the valid codes.
func TestVerifyFlagErrors(t *testing.T) {
	err := verify.Options{Codes: verify.ParseCodes("no_meeting,no_quorums"),
		BackdateDays: -1, Concurrency: -2, Meeting: -7}.Validate()
	got := flagErrors(err)
	var ue usageError
	if !errors.As(got, &ue) {
		t.Fatalf("got %T %v, want a usageError", got, got)
	}
	for _, want := range []string{`--rules: unknown finding code "NO_QUORUMS"`,
		verify.CodeNoQuorum + ", " + verify.CodeVoteShort, "--backdate-days: got -1",
		"--concurrency: got -2", "--meeting: got -7"} {
		if !strings.Contains(got.Error(), want) {
			t.Errorf("error: got %q, want it to contain %q", got, want)
		}
	}
}

func TestVerifySkip(t *testing.T) {
	opts, err := verifyOptions("", "", "", "", "recording_tampered, no_meeting", false, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if got := opts.Rules(); len(got) != len(verify.Codes())-2 ||
		slices.Contains(got, verify.CodeRecordingTampered) ||
		slices.Contains(got, verify.CodeNoMeeting) {
		t.Errorf("rules: got %v, want every code but two", got)
	}
	opts, err = verifyOptions("", "", "", "no_meeting,wrong_body", "wrong_body", false, time.UTC)
	if err != nil || !slices.Equal(opts.Rules(), []string{verify.CodeNoMeeting}) {
		t.Errorf("rules less skip: got %v, %v; want [NO_MEETING]", opts.Rules(), err)
	}
	for _, tc := range []struct{ rules, skip, want string }{
		{"", "NO_MEETNG", `--skip: unknown finding code "NO_MEETNG"; valid codes are ` +
			codeList()},
		{"no_meeting", "no_meeting", "--skip: leaves no rule to run; leave fewer codes out"},
	} {
		opts, err := verifyOptions("", "", "", tc.rules, tc.skip, false, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if got := flagErrors(opts.Validate()); got == nil || got.Error() != tc.want {
			t.Errorf("--rules %q --skip %q: got %v, want %q", tc.rules, tc.skip, got, tc.want)
		}
	}
}

// TestVerifyTellsEveryBadOption checks that verify and report tell the
// options only the database can check (an unknown unit or meeting) beside
// those it need not, at once.
func TestVerifyTellsEveryBadOption(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	t.Setenv("LIUHEN_MINIO_ENDPOINT", "127.0.0.1:1") // not needed to refuse
	unit := `--unit: no org unit has code "NOWHERE"; give the code of an existing org unit ` +
		"(its sub-units are included)"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--concurrency", "-2", "--unit", "NOWHERE", "--meeting",
			"999999999"}, "--concurrency: got -2; give a number from 1 to 256, or 0 for the " +
			"default 16; " + unit + "; --meeting: no meeting has id 999999999; give the id " +
			"of an existing meeting, or 0 for the decisions of every meeting"},
		{[]string{"report", "--skip", "X", "--unit", "NOWHERE"},
			`--skip: unknown finding code "X"; valid codes are ` + codeList() + "; " + unit},
		{[]string{"report", "--from", "2999-01-01", "--unit", "NOWHERE"}, unit +
			"; --from: the period starts 2999-01-01, after today, where a report without " +
			"'to' ends; give a 'from' in the past, or a 'to' as well"},
	} {
		if err := liuhenFails(t, tc.args...); err.Error() != tc.want {
			t.Errorf("liuhen %s:\ngot  %q\nwant %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}

	meeting := strings.TrimSpace(strings.TrimPrefix(liuhen(t, "sample"),
		"sample loaded; meeting to record:"))
	err := liuhenFails(t, "verify", "--meeting", meeting, "--from", "2100-01-01",
		"--rules", "no_meeting")
	if want := "--from: meeting " + meeting + " is planned to begin at "; !strings.HasPrefix(
		err.Error(), want) || !strings.Contains(err.Error(), "before the period starts") {
		t.Errorf("a meeting before the period: got %q, want it to start %q", err, want)
	}
}

// TestBadFlagsAreToldByFlag checks the exact messages of bad flags of
// verify, report and findings: each names its flag once.
func TestBadFlagsAreToldByFlag(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", "postgres://x@127.0.0.1:1/x?connect_timeout=2")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--format", "xml"}, `--format "xml": use html, pdf, csv or json`},
		{[]string{"report", "--from", "2024-03-01", "--to", "2024-02-01"}, "--to: the period " +
			"ends (2024-02-02T00:00:00+08:00) before it starts (2024-03-01T00:00:00+08:00); " +
			"give a 'to' later than 'from' (a date in 'to' includes that whole day, so its " +
			"end is the next midnight)"},
		{[]string{"verify", "--from", "x"},
			`--from "x": write a date as YYYY-MM-DD or a time as RFC 3339`},
		{[]string{"verify", "--to", "0001-01-01T00:00:00Z"}, "--to: the year 0 is outside " +
			"1900 to 9000; give a date in it, or leave to out for an open period"},
		{[]string{"findings", "--state", ","}, `--state ",": given empty; give a value, or ` +
			"leave --state out"},
		{[]string{"findings", "--code", ""}, `--code "": given empty; give a value, or ` +
			"leave --code out"},
		{[]string{"verify", "--unit", ""}, `--unit "": given empty; give a value, or ` +
			"leave --unit out"},
		{[]string{"report", "--rules", " "}, `--rules " ": given empty; give a value, or ` +
			"leave --rules out"},
		{[]string{"verify", "--unit", "qingshan", "--unit", "qinghe"}, `--unit is given ` +
			`more than once ("qinghe" the second time); give it once`},
		{[]string{"report", "--from", "2024-01-01", "--from=2025-01-01"}, `--from is given ` +
			`more than once ("2025-01-01" the second time); give it once`},
		{[]string{"findings", "--limit", "5", "--limit", "5"}, `--limit is given more ` +
			`than once ("5" the second time); give it once`},
		{[]string{"findings", "--state", "closed", "--severity", "y"}, `--state: unknown value ` +
			`"closed"; use open, acknowledged, resolved, all; --severity: unknown value "y"; use ` +
			"low, medium, high"},
	} {
		if err := liuhenFails(t, tc.args...); err.Error() != tc.want {
			t.Errorf("liuhen %s:\ngot  %q\nwant %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

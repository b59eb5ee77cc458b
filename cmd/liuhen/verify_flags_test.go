package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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

package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/verify"
)

// TestVerifyFlagErrors checks that bad verify options come back as one
// usage error naming each flag to fix and the valid codes.
func TestVerifyFlagErrors(t *testing.T) {
	err := verify.Options{Codes: verify.ParseCodes("no_meeting,no_quorums"),
		BackdateDays: -1, Concurrency: -2}.Validate()
	got := flagErrors(err)
	var ue usageError
	if !errors.As(got, &ue) {
		t.Fatalf("got %T %v, want a usageError", got, got)
	}
	for _, want := range []string{`--rules: unknown finding code "NO_QUORUMS"`,
		verify.CodeNoQuorum + ", " + verify.CodeVoteShort, "--backdate-days: got -1",
		"--concurrency: got -2"} {
		if !strings.Contains(got.Error(), want) {
			t.Errorf("error: got %q, want it to contain %q", got, want)
		}
	}
}

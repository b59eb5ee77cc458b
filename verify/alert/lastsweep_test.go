package alert

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/verify"
)

// TestSweepsAreRecorded: every completed sweep is kept with when its
// verifier began, the rules it ran and its counts; LastSweep finds the last
// one, or the last one that ran a given rule, and nil before any.
func TestSweepsAreRecorded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, code := range []string{"", verify.CodeNoMeeting} {
		if got, err := e.store.LastSweep(ctx, code); err != nil || got != nil {
			t.Fatalf("before any sweep, LastSweep(%q): got %+v, %v; want nil", code, got, err)
		}
	}

	before := time.Now()
	res := e.sweep(t, e.sweeper(t, Config{})) // without the object store
	got, err := e.store.LastSweep(ctx, "")
	if err != nil || got == nil {
		t.Fatalf("after a sweep: got %+v, %v; want it", got, err)
	}
	if got.StartedAt.Before(before.Add(-time.Second)) || got.FinishedAt.Before(got.StartedAt) ||
		got.FinishedAt.After(time.Now().Add(time.Second)) {
		t.Errorf("got started %v, finished %v; want between %v and now, in order",
			got.StartedAt, got.FinishedAt, before)
	}
	if !slices.Equal(got.Codes, res.Codes) || got.Checked != res.Checked ||
		got.Found != res.Found || got.Opened != res.Opened || got.Queued != res.Queued ||
		got.Escalated != res.Escalated || got.Deescalated != res.Deescalated ||
		got.Resolved != res.Resolved {
		t.Errorf("got %+v, want the sweep's %+v", got.SweepResult, res)
	}
	if slices.Contains(got.Codes, verify.CodeRecordingTampered) {
		t.Errorf("got codes %v, want no %s from a sweep without the store", got.Codes,
			verify.CodeRecordingTampered)
	}
	if none, err := e.store.LastSweep(ctx, verify.CodeRecordingTampered); err != nil ||
		none != nil {
		t.Errorf("LastSweep(%s): got %+v, %v; want nil", verify.CodeRecordingTampered, none,
			err)
	}

	e.sweep(t, e.sweeper(t, Config{}))
	second, err := e.store.LastSweep(ctx, verify.CodeNoMeeting)
	if err != nil || second == nil || second.ID <= got.ID ||
		!second.StartedAt.After(got.StartedAt) {
		t.Errorf("after a second sweep: got %+v, %v; want a later one than %d", second, err,
			got.ID)
	}
}

package alert

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// fakeObjects answers every Stat alike: an in-memory stand-in for the
// evidence store, as verify's own tests use.
type fakeObjects struct {
	size int64
	err  error
}

func (f *fakeObjects) Stat(context.Context, string) (int64, error) { return f.size, f.err }

func (f *fakeObjects) Rehash(context.Context, string, int64) ([32]byte, int64, error) {
	return [32]byte{}, f.size, f.err
}

var _ verify.ObjectChecker = (*fakeObjects)(nil)

// record catalogues a finished recording of the sample's meeting with one
// segment of size bytes, and returns the segment's key.
func (e *env) record(t *testing.T, size int64) string {
	t.Helper()
	ctx := context.Background()
	store := agenda.NewStore(e.pool)
	zero := time.Now().Add(-time.Minute)
	ref, err := store.OpenTrack(ctx, e.sample.MeetingID, "alert-test", "opus", "", zero)
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/000000.webm", ref.MeetingID,
		ref.RecordingID, ref.TrackID)
	if err := store.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{ObjectKey: key,
		Size: size, MediaEnd: 10 * time.Second, WallStart: zero,
		WallEnd: zero.Add(10 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := store.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{State: agenda.StateFinished,
		Segments: -1, At: zero.Add(10 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSweepChecksObjectsWhenItCan(t *testing.T) {
	e := newEnv(t)
	key := e.record(t, 1000)
	objects := &fakeObjects{err: fmt.Errorf("%w: %s", verify.ErrObjectMissing, key)}
	s, err := NewSweeper(e.pool, objects, Config{}, e.logger)
	if err != nil {
		t.Fatal(err)
	}
	tampered := func() []Finding {
		page, err := e.store.List(context.Background(),
			Filter{Codes: []string{verify.CodeRecordingTampered}})
		if err != nil {
			t.Fatal(err)
		}
		return page.Items
	}

	e.sweep(t, s)
	found := tampered()
	if len(found) == 0 || found[0].ObjectKey != key || found[0].State != StateOpen {
		t.Fatalf("object missing: got %+v, want RECORDING_TAMPERED findings of %s", found, key)
	}

	objects.err = fmt.Errorf("stat: %w", storage.ErrUnavailable)
	res := e.sweep(t, s)
	if slices.Contains(res.Codes, verify.CodeRecordingTampered) ||
		!errors.Is(res.StoreErr, storage.ErrUnavailable) {
		t.Errorf("store unreachable: got codes %v and %v, want RECORDING_TAMPERED left out "+
			"for want of the store", res.Codes, res.StoreErr)
	}
	for _, f := range tampered() {
		if f.State != StateOpen {
			t.Errorf("store unreachable: finding %d is %s, want it left open", f.ID, f.State)
		}
	}

	objects.size, objects.err = 1000, nil
	if res := e.sweep(t, s); res.StoreErr != nil {
		t.Errorf("object back: got %v, want no store error", res.StoreErr)
	}
	for _, f := range tampered() {
		if f.State != StateResolved || f.StateReason != ReasonGone {
			t.Errorf("object back: finding %d is %s (%s), want resolved", f.ID, f.State,
				f.StateReason)
		}
	}
}

package viewing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/capture"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
)

// fakeSpool says a track's segments wait in the spool until emptied.
type fakeSpool struct {
	track   int64
	pending atomic.Int64
}

func (s *fakeSpool) PendingSegments(trackID int64) int {
	if trackID != s.track {
		return 0
	}
	return int(s.pending.Load())
}

// openClosed opens a track of the sample meeting and closes it at once as
// having written written segments (-1: unknown, as after a crash), with
// none catalogued yet.
func (e *env) openClosed(t *testing.T, session string, written int) agenda.TrackRef {
	t.Helper()
	ctx := context.Background()
	ref, err := e.agenda.OpenTrack(ctx, e.sample.MeetingID, session, "opus", "vp8", time.Now())
	if err != nil {
		t.Fatalf("open track: %v", err)
	}
	err = e.agenda.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{State: agenda.StateInterrupted,
		Reason: "crash", Segments: written, At: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatalf("close track: %v", err)
	}
	return ref
}

// storeLate uploads and catalogues segments of a track that is closed.
func (e *env) storeLate(t *testing.T, ref agenda.TrackRef, segs []capture.Segment) {
	t.Helper()
	ctx := context.Background()
	zero := time.Now()
	for _, s := range segs {
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.%s", ref.MeetingID,
			ref.RecordingID, ref.TrackID, s.Seq, s.Ext)
		if err := e.objects.PutFile(ctx, key, s.Path, s.SHA256, "video/webm"); err != nil {
			t.Fatalf("store segment %d: %v", s.Seq, err)
		}
		err := e.agenda.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{Seq: s.Seq,
			ObjectKey: key, SHA256: s.SHA256, Size: s.Size, MediaStart: s.MediaStart,
			MediaEnd: s.MediaEnd, WallStart: zero.Add(s.MediaStart), WallEnd: zero.Add(s.MediaEnd)})
		if err != nil {
			t.Fatalf("catalogue segment %d: %v", s.Seq, err)
		}
	}
}

// startWith runs a Runner like start, with spool and a short wait for
// recordings that are not ready.
func (e *env) startWith(t *testing.T, spool Spool) {
	t.Helper()
	r, err := NewRunner(Config{Workers: 1, Sweep: time.Second, MaxAttempts: 2,
		TempDir: t.TempDir(), notReadyWait: time.Second},
		Deps{Pool: e.pool, Objects: e.objects, Spool: spool, Logger: e.logger})
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// waitNotReadyThenDone checks that a copy waits, without failing, until
// land stores its segments, then is made from all of them.
func (e *env) waitNotReadyThenDone(t *testing.T, ref agenda.TrackRef, segs []capture.Segment,
	land func()) {
	t.Helper()
	waiting := e.wait(t, ref.RecordingID, "wait for segments", func(c Copy) bool {
		return strings.Contains(c.LastError, ErrNotReady.Error()) || c.State == StateFailed
	})
	if waiting.State != StateQueued {
		t.Fatalf("got state %q (%s), want queued: segments are on their way",
			waiting.State, waiting.LastError)
	}
	time.Sleep(2 * time.Second) // a few snoozes; none may spend an attempt
	land()
	c := e.wait(t, ref.RecordingID, "finished copy", func(c Copy) bool {
		return c.State == StateDone || c.State == StateFailed
	})
	if c.State != StateDone || len(c.Sources) != len(segs) {
		t.Fatalf("got state %q with %d sources (%s), want done from %d segments",
			c.State, len(c.Sources), c.LastError, len(segs))
	}
	if state, errs := e.waitJob(t, "completed"); state != "completed" || errs != 0 {
		t.Errorf("got River job %q with %d errors, want completed with none: waiting "+
			"spends no attempt", state, errs)
	}
}

func TestViewingCopyWaitsForSegmentsStillUncatalogued(t *testing.T) {
	e := newEnv(t)
	segs := vp8Segments(t, 4)
	ref := e.openClosed(t, "session-late", len(segs))
	e.startWith(t, nil)
	e.waitNotReadyThenDone(t, ref, segs, func() { e.storeLate(t, ref, segs) })
}

func TestViewingCopyWaitsForSpooledSegments(t *testing.T) {
	e := newEnv(t)
	segs := vp8Segments(t, 4)
	ref := e.openClosed(t, "session-crashed", -1) // a crash: the count is unknown
	spool := &fakeSpool{track: ref.TrackID}
	spool.pending.Store(int64(len(segs)))
	e.startWith(t, spool)
	e.waitNotReadyThenDone(t, ref, segs, func() {
		e.storeLate(t, ref, segs)
		spool.pending.Store(0)
	})
}

func TestViewingCopyAPIWhileMinIODoesNotAnswer(t *testing.T) {
	e := newEnv(t)
	ref := e.record(t, "session-linked", nil, damage{})
	_, err := e.pool.Exec(context.Background(), `INSERT INTO viewing_copies (recording_id,
		state, object_key, sha256, size_bytes, duration_ms, source_keys, source_sha256,
		finished_at) VALUES ($1, 'done', 'viewing/x.mp4', $2, 1, 1, '{}', '{}', now())`, ref.RecordingID,
		make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	hung, err := storage.New(storage.Config{Endpoint: testenv.BlackHole(t), AccessKey: "a",
		SecretKey: "b", Bucket: "liuhen-evidence", CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.objects = hung
	status, body, header := e.getWithHeader(t, adminToken, fmt.Sprint(ref.RecordingID))
	if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" ||
		!strings.Contains(body, "evidence store") {
		t.Errorf("got %d, Retry-After %q, %s; want 503 with Retry-After naming the "+
			"evidence store", status, header.Get("Retry-After"), body)
	}
}

// TestCheckReadyWaitsForARecentRecordingOnly: a recording whose tracks
// wrote segments not yet catalogued is not ready while it ended less than
// notReadyPatience ago, whichever of its tracks lags; past that it is.
func TestCheckReadyWaitsForARecentRecordingOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var refs []agenda.TrackRef
	for _, session := range []string{"caught-up", "behind"} {
		ref, err := e.agenda.OpenTrack(ctx, e.sample.MeetingID, session, "opus", "vp8",
			time.Now())
		if err != nil {
			t.Fatalf("open track: %v", err)
		}
		refs = append(refs, ref)
	}
	if refs[0].RecordingID != refs[1].RecordingID {
		t.Fatalf("got recordings %d and %d, want one", refs[0].RecordingID, refs[1].RecordingID)
	}
	for i, written := range []int{0, 2} {
		err := e.agenda.CloseTrack(ctx, refs[i].TrackID, agenda.TrackEnd{
			State: agenda.StateFinished, Segments: written, At: time.Now()})
		if err != nil {
			t.Fatalf("close track: %v", err)
		}
	}
	m := &maker{store: &store{pool: e.pool}}
	rec := refs[0].RecordingID

	err := m.checkReady(ctx, rec)
	if !errors.Is(err, ErrNotReady) ||
		!strings.Contains(err.Error(), fmt.Sprintf("track %d wrote 2", refs[1].TrackID)) {
		t.Errorf("just ended: got %v, want not ready for track %d", err, refs[1].TrackID)
	}
	_, err = e.pool.Exec(ctx, `UPDATE recordings SET ended_at = now() - $2::interval
		WHERE id = $1`, rec, notReadyPatience+time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.checkReady(ctx, rec); err != nil {
		t.Errorf("ended %v ago: got %v, want ready from what is stored",
			notReadyPatience+time.Hour, err)
	}
	if err := m.checkReady(ctx, rec+1000); err != nil {
		t.Errorf("no such recording: got %v, want nil", err)
	}
}

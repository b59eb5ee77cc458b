package agenda_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

func claim(t testing.TB, w *world) *agenda.Recorder {
	t.Helper()
	r, err := agenda.ClaimRecorder(context.Background(), w.pool,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

// lastRecording returns the latest recording of a meeting.
func lastRecording(t testing.TB, w *world, meetingID int64) agenda.Recording {
	t.Helper()
	recs, err := w.store.RecordingSummary(context.Background(), meetingID)
	must(t, err)
	if len(recs) == 0 {
		t.Fatalf("meeting %d has no recording", meetingID)
	}
	return recs[len(recs)-1]
}

// TestRecorderLockConnectionsProbeTheirPeer: the connection that holds a
// recorder's lock asks for TCP keepalives, and so does the one that takes
// the lock again after the first was lost.
func TestRecorderLockConnectionsProbeTheirPeer(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := claim(t, w)
	wantKeepalives(t, r, "the first connection")

	// Advisory locks belong to a database; other tests' databases have
	// recorders of the same ids, whose backends are not this test's to end.
	tag, err := w.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
		  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		agenda.RecorderLockClass, r.ID)
	must(t, err)
	if tag.RowsAffected() != 1 {
		t.Fatalf("got %d backends holding recorder %d's lock, want 1", tag.RowsAffected(), r.ID)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.CheckLock(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond) // until the old backend has let the lock go
	}
	wantKeepalives(t, r, "the connection made again")
}

func wantKeepalives(t *testing.T, r *agenda.Recorder, which string) {
	t.Helper()
	want := map[string]string{"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10",
		"tcp_keepalives_count": "3"}
	for name, v := range want {
		got, err := r.LockSetting(context.Background(), name)
		if err != nil || got != v {
			t.Errorf("%s: got %s = %q (%v), want %q", which, name, got, err, v)
		}
	}
}

// TestInterruptAbandoned: a server that starts interrupts the open tracks
// of servers that are gone, and of none, but not those of a server that
// runs, even in a recording it shares with a gone one.
func TestInterruptAbandoned(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	live, gone, self := claim(t, w), claim(t, w), claim(t, w)
	if live.ID == gone.ID || gone.ID == self.ID {
		t.Fatalf("got recorder ids %d, %d, %d, want three different", live.ID, gone.ID, self.ID)
	}
	shared := w.meeting
	liveRef, err := w.store.As(live).OpenTrack(ctx, shared.ID, "live", "opus", "vp8", at(0))
	must(t, err)
	_, err = w.store.As(gone).OpenTrack(ctx, shared.ID, "gone-1", "opus", "", at(0))
	must(t, err)
	alone := w.newMeeting(t, "第2次")
	goneRef, err := w.store.As(gone).OpenTrack(ctx, alone.ID, "gone-2", "opus", "vp8", at(0))
	must(t, err)
	must(t, w.store.AddSegment(ctx, goneRef.TrackID, segment(0, 0)))
	old := w.newMeeting(t, "第3次")
	_, err = w.store.OpenTrack(ctx, old.ID, "no-recorder", "opus", "vp8", at(0))
	must(t, err)
	must(t, gone.Close(ctx)) // as its process would on exit

	n, err := w.store.InterruptAbandoned(ctx, self, at(60))
	must(t, err)
	if n != 3 {
		t.Errorf("got %d tracks interrupted, want 3: two of the gone server, one of none", n)
	}
	t.Run("the live server's recording goes on", func(t *testing.T) {
		r := lastRecording(t, w, shared.ID)
		if r.State != agenda.StateRecording {
			t.Fatalf("got recording %s, want recording: a live track holds it", r.State)
		}
		for _, tr := range r.Tracks {
			want := agenda.StateInterrupted
			if tr.ID == liveRef.TrackID {
				want = agenda.StateRecording
			}
			if tr.State != want {
				t.Errorf("track %s: got %s, want %s", tr.SessionID, tr.State, want)
			}
		}
		_, err := w.store.Mark(ctx, w.item.ID, agenda.MarkStart, at(61))
		must(t, err)
	})
	t.Run("the gone server's recording ends at its last segment", func(t *testing.T) {
		r := lastRecording(t, w, alone.ID)
		if r.State != agenda.StateInterrupted || r.EndedAt == nil ||
			!r.EndedAt.Equal(segment(0, 0).WallEnd) {
			t.Errorf("got %s ended %v, want interrupted at %v", r.State, r.EndedAt,
				segment(0, 0).WallEnd)
		}
	})
	t.Run("a track without recorder is interrupted at the start", func(t *testing.T) {
		r := lastRecording(t, w, old.ID)
		if r.State != agenda.StateInterrupted || r.EndedAt == nil || !r.EndedAt.Equal(at(60)) {
			t.Errorf("got %s ended %v, want interrupted at %v", r.State, r.EndedAt, at(60))
		}
	})
	t.Run("the gone server's lock is released", func(t *testing.T) {
		var held int
		// Advisory locks belong to a database; other tests' databases have
		// recorders of the same ids.
		must(t, w.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND objid = $1 AND objsubid = 2
			  AND database = (SELECT oid FROM pg_database
			                  WHERE datname = current_database())`, gone.ID).Scan(&held))
		if held != 0 {
			t.Errorf("got %d locks on the gone recorder %d, want 0", held, gone.ID)
		}
	})
	n, err = w.store.InterruptAbandoned(ctx, self, at(62))
	must(t, err)
	if n != 0 {
		t.Errorf("got %d tracks interrupted again, want 0", n)
	}
}

// TestCloseTrackEndsWhereMediaEnds: tracks that stopped at 6 and 7 s and
// are closed later, in the other order (their uploads were slow), end
// their recording at 7 s and its open index point where the media ends.
func TestCloseTrackEndsWhereMediaEnds(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	zero := at(0)
	ref, err := w.store.OpenTrack(ctx, w.meeting.ID, "a", "opus", "vp8", zero)
	must(t, err)
	late, err := w.store.OpenTrack(ctx, w.meeting.ID, "b", "opus", "", zero)
	must(t, err)
	_, err = w.store.Mark(ctx, w.item.ID, agenda.MarkStart, zero.Add(2*time.Second))
	must(t, err)
	must(t, w.store.AddSegment(ctx, ref.TrackID, segment(0, 0)))
	must(t, w.store.AddSegment(ctx, ref.TrackID, segment(1, 2000)))

	// Track b stopped at 7 s but closes first; track a stopped at 6 s,
	// with media to 5.5 s, of which its last segment (4 to 5.5 s) is not
	// catalogued yet, and closes last.
	must(t, w.store.CloseTrack(ctx, late.TrackID, agenda.TrackEnd{State: agenda.StateFinished,
		Segments: 0, At: zero.Add(7 * time.Second)}))
	must(t, w.store.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{State: agenda.StateFinished,
		Segments: 3, MediaEnd: 5500 * time.Millisecond, At: zero.Add(6 * time.Second)}))

	r := lastRecording(t, w, w.meeting.ID)
	if want := zero.Add(7 * time.Second); r.EndedAt == nil || !r.EndedAt.Equal(want) {
		t.Errorf("got recording ended %v, want %v, when its last track stopped", r.EndedAt,
			want)
	}
	d, err := w.store.GetMeetingDetail(ctx, w.meeting.ID)
	must(t, err)
	points := d.AgendaItems[0].IndexPoints
	if len(points) != 1 || points[0].EndMs == nil || *points[0].EndMs != 5500 {
		t.Errorf("got index points %+v, want one ending at 5500 ms, where the media ends",
			points)
	}
	if d.EndedAt == nil || !d.EndedAt.Equal(zero.Add(7*time.Second)) {
		t.Errorf("got meeting ended %v, want %v", d.EndedAt, zero.Add(7*time.Second))
	}
	t.Run("negative media end", func(t *testing.T) {
		wantFields(t, w.store.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{
			State: agenda.StateFinished, MediaEnd: -time.Second, At: zero}), "media_end")
	})
}

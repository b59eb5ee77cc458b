package agenda_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

func segment(seq int, startMs int) agenda.SegmentRow {
	return agenda.SegmentRow{
		Seq:        seq,
		ObjectKey:  fmt.Sprintf("seg-%d-%d", seq, startMs),
		SHA256:     sha256.Sum256([]byte{byte(seq)}),
		Size:       1000,
		MediaStart: time.Duration(startMs) * time.Millisecond,
		MediaEnd:   time.Duration(startMs+2000) * time.Millisecond,
		WallStart:  at(0).Add(time.Duration(startMs) * time.Millisecond),
		WallEnd:    at(0).Add(time.Duration(startMs+2000) * time.Millisecond),
	}
}

func TestOpenTrack(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first, err := w.store.OpenTrack(ctx, w.meeting.ID, "s1", "opus", "vp8", at(0))
	must(t, err)
	second, err := w.store.OpenTrack(ctx, w.meeting.ID, "s2", "opus", "", at(5))
	must(t, err)
	if second.RecordingID != first.RecordingID || !second.Zero.Equal(at(0)) {
		t.Errorf("got %+v, want to join recording %d with zero %v", second, first.RecordingID,
			at(0))
	}
	if first.TrackID == second.TrackID || first.MeetingID != w.meeting.ID {
		t.Errorf("got %+v and %+v, want two tracks of meeting %d", first, second, w.meeting.ID)
	}
	m, err := w.store.GetMeeting(ctx, w.meeting.ID)
	must(t, err)
	if m.StartedAt != nil {
		t.Errorf("got started_at %v before any media was stored, want none", m.StartedAt)
	}
	must(t, w.store.AddSegment(ctx, second.TrackID, segment(0, 3000)))
	m, err = w.store.GetMeeting(ctx, w.meeting.ID)
	must(t, err)
	if want := at(0).Add(3 * time.Second); m.StartedAt == nil || !m.StartedAt.Equal(want) {
		t.Errorf("got started_at %v, want the first segment's start %v", m.StartedAt, want)
	}

	t.Run("unknown meeting", func(t *testing.T) {
		_, err := w.store.OpenTrack(ctx, 999999, "s3", "opus", "vp8", at(0))
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("session taken", func(t *testing.T) {
		_, err := w.store.OpenTrack(ctx, w.meeting.ID, "s1", "opus", "vp8", at(0))
		wantIs(t, err, agenda.ErrConflict)
	})
	t.Run("no session", func(t *testing.T) {
		_, err := w.store.OpenTrack(ctx, w.meeting.ID, "", "opus", "vp8", at(0))
		wantFields(t, err, "session_id")
	})
}

// TestOpenTrackConcurrent checks that publishers connecting at once share
// one recording.
func TestOpenTrackConcurrent(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const n = 8
	refs := make([]agenda.TrackRef, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			refs[i], errs[i] = w.store.OpenTrack(ctx, w.meeting.ID, fmt.Sprintf("c%d", i),
				"opus", "vp8", at(i))
		})
	}
	wg.Wait()
	for i := range n {
		must(t, errs[i])
		if refs[i].RecordingID != refs[0].RecordingID {
			t.Fatalf("got recordings %d and %d, want one", refs[0].RecordingID,
				refs[i].RecordingID)
		}
	}
	recs, err := w.store.RecordingSummary(ctx, w.meeting.ID)
	must(t, err)
	if len(recs) != 1 || len(recs[0].Tracks) != n {
		t.Errorf("got %d recordings, want 1 with %d tracks", len(recs), n)
	}
}

func TestAddSegment(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ref, err := w.store.OpenTrack(ctx, w.meeting.ID, "s1", "opus", "vp8", at(0))
	must(t, err)
	must(t, w.store.AddSegment(ctx, ref.TrackID, segment(0, 0)))
	must(t, w.store.AddSegment(ctx, ref.TrackID, segment(1, 2000)))

	t.Run("same segment again", func(t *testing.T) {
		must(t, w.store.AddSegment(ctx, ref.TrackID, segment(1, 2000)))
	})
	t.Run("other content under a taken seq", func(t *testing.T) {
		seg := segment(1, 2000)
		seg.SHA256[0] ^= 1
		wantIs(t, w.store.AddSegment(ctx, ref.TrackID, seg), agenda.ErrConflict)
	})
	t.Run("taken object key", func(t *testing.T) {
		seg := segment(2, 4000)
		seg.ObjectKey = segment(0, 0).ObjectKey
		wantIs(t, w.store.AddSegment(ctx, ref.TrackID, seg), agenda.ErrConflict)
	})
	t.Run("unknown track", func(t *testing.T) {
		wantIs(t, w.store.AddSegment(ctx, 999999, segment(9, 90000)), agenda.ErrNotFound)
	})
	t.Run("bad row", func(t *testing.T) {
		seg := agenda.SegmentRow{Seq: -1, MediaStart: time.Second, WallEnd: at(0)}
		wantFields(t, w.store.AddSegment(ctx, ref.TrackID, seg),
			"seq", "object_key", "size", "media_end", "wall_end")
	})

	recs, err := w.store.RecordingSummary(ctx, w.meeting.ID)
	must(t, err)
	tr := recs[0].Tracks[0]
	last := segment(1, 2000)
	if tr.Segments != 2 || tr.Bytes != 2000 || tr.MediaEndMs != 4000 ||
		tr.LastSegmentSHA256 != fmt.Sprintf("%x", last.SHA256) ||
		tr.LastSegmentAt == nil || !tr.LastSegmentAt.Equal(last.WallEnd) {
		t.Errorf("got %+v, want 2 segments, 2000 bytes, ending at 4000 ms with seq 1", tr)
	}
}

func TestCloseTrack(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.store.OpenTrack(ctx, w.meeting.ID, "a", "opus", "vp8", at(0))
	must(t, err)
	b, err := w.store.OpenTrack(ctx, w.meeting.ID, "b", "opus", "vp8", at(1))
	must(t, err)
	_, err = w.store.Mark(ctx, w.item.ID, agenda.MarkStart, at(2))
	must(t, err)

	must(t, w.store.AddSegment(ctx, a.TrackID, segment(0, 60_000)))
	must(t, w.store.CloseTrack(ctx, a.TrackID,
		agenda.TrackEnd{State: agenda.StateInterrupted, Segments: 1, At: at(10)}))
	recs, err := w.store.RecordingSummary(ctx, w.meeting.ID)
	must(t, err)
	if recs[0].State != agenda.StateRecording {
		t.Fatalf("got recording %s with a track open, want recording", recs[0].State)
	}

	must(t, w.store.CloseTrack(ctx, b.TrackID,
		agenda.TrackEnd{State: agenda.StateFinished, Segments: -1, At: at(20)}))
	recs, err = w.store.RecordingSummary(ctx, w.meeting.ID)
	must(t, err)
	r := recs[0]
	if r.State != agenda.StateInterrupted || r.EndedAt == nil || !r.EndedAt.Equal(at(20)) {
		t.Errorf("got %s ended %v, want interrupted at %v", r.State, r.EndedAt, at(20))
	}
	m, err := w.store.GetMeeting(ctx, w.meeting.ID)
	must(t, err)
	if m.EndedAt == nil || !m.EndedAt.Equal(at(20)) {
		t.Errorf("got meeting ended %v, want %v", m.EndedAt, at(20))
	}
	it, err := w.store.GetAgendaItem(ctx, w.item.ID)
	must(t, err)
	// The media ends at 62 s, before the item started: the point closes
	// where it starts, not at the recording's end (20 min).
	if p := it.IndexPoints[0]; p.EndMs == nil || *p.EndMs != 2*60*1000 {
		t.Errorf("got index point %+v, want it closed at its start, after the media", p)
	}

	t.Run("closing twice does nothing", func(t *testing.T) {
		must(t, w.store.CloseTrack(ctx, b.TrackID,
			agenda.TrackEnd{State: agenda.StateInterrupted, Segments: -1, At: at(30)}))
		recs, err := w.store.RecordingSummary(ctx, w.meeting.ID)
		must(t, err)
		if tr := recs[0].Tracks[1]; tr.State != agenda.StateFinished {
			t.Errorf("got track %s, want finished", tr.State)
		}
	})
	t.Run("unknown track", func(t *testing.T) {
		wantIs(t, w.store.CloseTrack(ctx, 999999,
			agenda.TrackEnd{State: agenda.StateFinished, Segments: -1, At: at(0)}),
			agenda.ErrNotFound)
	})
	t.Run("bad state", func(t *testing.T) {
		wantFields(t, w.store.CloseTrack(ctx, a.TrackID,
			agenda.TrackEnd{State: "done", Segments: -1, At: at(0)}), "state")
	})
	t.Run("next publisher opens a new recording", func(t *testing.T) {
		c, err := w.store.OpenTrack(ctx, w.meeting.ID, "c", "opus", "vp8", at(40))
		must(t, err)
		if c.RecordingID == a.RecordingID || !c.Zero.Equal(at(40)) {
			t.Errorf("got %+v, want a new recording starting %v", c, at(40))
		}
		m, err := w.store.GetMeeting(ctx, w.meeting.ID)
		must(t, err)
		if !m.StartedAt.Equal(at(1)) {
			t.Errorf("got meeting started %v, want %v, when its first media was", m.StartedAt, at(1))
		}
		must(t, w.store.CloseTrack(ctx, c.TrackID,
			agenda.TrackEnd{State: agenda.StateFinished, Segments: 0, At: at(41)}))
	})
	t.Run("a track that wrote nothing does not interrupt the recording", func(t *testing.T) {
		c, err := w.store.OpenTrack(ctx, w.meeting.ID, "d", "opus", "vp8", at(50))
		must(t, err)
		must(t, w.store.CloseTrack(ctx, c.TrackID, agenda.TrackEnd{State: agenda.StateInterrupted,
			Reason: "publisher did not connect", Segments: 0, At: at(51)}))
		recs, err := w.store.RecordingSummary(ctx, w.meeting.ID)
		must(t, err)
		if r := recs[len(recs)-1]; r.State != agenda.StateFinished {
			t.Errorf("got recording %s, want finished: no track of it lost media", r.State)
		}
	})
}

func TestMark(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	t.Run("not recording", func(t *testing.T) {
		_, err := w.store.Mark(ctx, w.item.ID, agenda.MarkStart, at(0))
		wantIs(t, err, agenda.ErrNoOpenRecording)
	})
	ref, err := w.store.OpenTrack(ctx, w.meeting.ID, "a", "opus", "vp8", at(0))
	must(t, err)
	t.Run("end before start", func(t *testing.T) {
		_, err := w.store.Mark(ctx, w.item.ID, agenda.MarkEnd, at(1))
		wantIs(t, err, agenda.ErrNoOpenIndexPoint)
	})
	start, err := w.store.Mark(ctx, w.item.ID, agenda.MarkStart, at(0).Add(1500*time.Millisecond))
	must(t, err)
	if start.StartMs != 1500 || start.EndMs != nil || start.RecordingID != ref.RecordingID {
		t.Errorf("got %+v, want an open point at 1500 ms", start)
	}
	again, err := w.store.Mark(ctx, w.item.ID, agenda.MarkStart, at(1))
	must(t, err)
	if again.ID != start.ID {
		t.Errorf("got point %d on a second start, want the open point %d", again.ID, start.ID)
	}
	end, err := w.store.Mark(ctx, w.item.ID, agenda.MarkEnd, at(2))
	must(t, err)
	if end.ID != start.ID || end.EndMs == nil || *end.EndMs != 120000 {
		t.Errorf("got %+v, want point %d ended at 120000 ms", end, start.ID)
	}
	t.Run("unknown item", func(t *testing.T) {
		_, err := w.store.Mark(ctx, 999999, agenda.MarkStart, at(0))
		wantIs(t, err, agenda.ErrNotFound)
	})
	t.Run("bad action", func(t *testing.T) {
		_, err := w.store.Mark(ctx, w.item.ID, "pause", at(0))
		wantFields(t, err, "action")
	})
}

func TestAddIndexPoint(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ref, err := w.store.OpenTrack(ctx, w.meeting.ID, "a", "opus", "vp8", at(0))
	must(t, err)
	other := w.newMeeting(t, "第2次")
	otherRef, err := w.store.OpenTrack(ctx, other.ID, "b", "opus", "vp8", at(0))
	must(t, err)

	p, err := w.store.AddIndexPoint(ctx, w.item.ID, ref.RecordingID, 1000, new(int64(5000)))
	must(t, err)
	if p.StartMs != 1000 || p.EndMs == nil || *p.EndMs != 5000 {
		t.Errorf("got %+v, want 1000 to 5000 ms", p)
	}
	tests := []struct {
		name      string
		item, rec int64
		start     int64
		end       *int64
		fields    []string
	}{
		{"bad offsets", w.item.ID, 0, -1, nil, []string{"recording_id", "start_ms"}},
		{"end before start", w.item.ID, ref.RecordingID, 10, new(int64(5)), []string{"end_ms"}},
		{"unknown recording", w.item.ID, 999999, 0, nil, []string{"recording_id"}},
		{"other meeting", w.item.ID, otherRef.RecordingID, 0, nil, []string{"recording_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.store.AddIndexPoint(ctx, tt.item, tt.rec, tt.start, tt.end)
			wantFields(t, err, tt.fields...)
		})
	}
	t.Run("unknown item", func(t *testing.T) {
		_, err := w.store.AddIndexPoint(ctx, 999999, ref.RecordingID, 0, nil)
		wantIs(t, err, agenda.ErrNotFound)
	})
}

func TestAddSegmentKeepsGaps(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ref, err := w.store.OpenTrack(ctx, w.meeting.ID, "g", "opus", "vp8", at(0))
	must(t, err)
	seg := segment(0, 0)
	seg.Gaps = []agenda.SegmentGap{
		{Video: true, StartMs: 500, EndMs: 1500, Lost: 40},
		{StartMs: 700, EndMs: 900, Lost: 10},
	}
	must(t, w.store.AddSegment(ctx, ref.TrackID, seg))
	must(t, w.store.AddSegment(ctx, ref.TrackID, seg)) // a retry adds nothing twice

	segs, err := w.store.MeetingSegments(ctx, w.meeting.ID)
	must(t, err)
	if len(segs) != 1 || len(segs[0].Gaps) != 2 {
		t.Fatalf("got %+v, want one segment with two gaps", segs)
	}
	if g := segs[0].Gaps[0]; !g.Video || g.StartMs != 500 || g.EndMs != 1500 || g.Lost != 40 {
		t.Errorf("got first gap %+v, want video 500-1500 ms with 40 packets lost", g)
	}

	t.Run("a gap that ends before it starts", func(t *testing.T) {
		bad := segment(1, 2000)
		bad.Gaps = []agenda.SegmentGap{{StartMs: 900, EndMs: 800}}
		wantFields(t, w.store.AddSegment(ctx, ref.TrackID, bad), "gaps")
	})
}

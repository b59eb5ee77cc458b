package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/publish"
)

// TestRecordThreePublishers records a meeting room with two cameras and a
// room microphone, each its own WHIP publisher joining a second apart, on
// the real stack: one recording with three tracks on one timeline.
func TestRecordThreePublishers(t *testing.T) {
	s := startStack(t, 3*time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	const length = 8 * time.Second
	camera1, mic := ffmpegMedia(t, length)
	camera2 := secondCamera(t, length)
	publishers := []struct {
		name string
		opts publish.Options
	}{
		{"camera 1", publish.Options{VideoIVF: camera1}},
		{"room microphone", publish.Options{AudioOgg: mic}},
		{"camera 2", publish.Options{VideoIVF: camera2}},
	}

	results := make([]publish.Result, len(publishers))
	var wg sync.WaitGroup
	for i, p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * time.Second)
			p.opts.Endpoint = fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID)
			p.opts.Token = token
			var err error
			if results[i], err = publish.Run(ctx, p.opts); err != nil {
				t.Errorf("publish %s: %v", p.name, err)
			}
		}()
	}
	wg.Wait()

	rec := s.waitRecordingEnded(t, sample.MeetingID)
	if rec.State != agenda.StateFinished || len(rec.Tracks) != len(publishers) {
		t.Fatalf("got a %s recording with %d tracks, want a finished one with %d",
			rec.State, len(rec.Tracks), len(publishers))
	}
	segs, err := s.app.svc.store.MeetingSegments(ctx, sample.MeetingID)
	if err != nil {
		t.Fatalf("list segments: %v", err)
	}
	for i, p := range publishers {
		t.Run(p.name, func(t *testing.T) {
			track := trackOf(t, rec, results[i].Location)
			checkTrack(t, s, track, segs, p.opts.VideoIVF != "")
			checkOnTimeline(t, track, segs, results[i].Started.Sub(rec.StartedAt), length)
		})
	}
}

// secondCamera encodes another picture, 320x180, as VP8 in IVF.
func secondCamera(t *testing.T, length time.Duration) string {
	t.Helper()
	ivf := filepath.Join(t.TempDir(), "camera2.ivf")
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc2=size=320x180:rate=30", "-t", fmt.Sprintf("%.1f", length.Seconds()),
		"-c:v", "libvpx", "-g", "30", "-b:v", "300k", "-deadline", "realtime",
		"-cpu-used", "8", ivf).CombinedOutput()
	if err != nil {
		t.Fatalf("encode VP8: %v\n%s (install FFmpeg with `apt-get install ffmpeg`)", err, out)
	}
	return ivf
}

// trackOf finds the track of the session at a WHIP location.
func trackOf(t *testing.T, rec agenda.Recording, location string) agenda.Track {
	t.Helper()
	for _, tr := range rec.Tracks {
		if tr.SessionID == filepath.Base(location) {
			return tr
		}
	}
	t.Fatalf("no track of session %s in recording %d", location, rec.ID)
	return agenda.Track{}
}

// checkTrack checks a track's segments: numbered from 0 without a gap,
// joined end to start, hashed right, and playable.
func checkTrack(t *testing.T, s *stack, track agenda.Track, segs []agenda.StoredSegment,
	video bool) {
	t.Helper()
	if track.State != agenda.StateFinished {
		t.Errorf("got track state %q, want %q", track.State, agenda.StateFinished)
	}
	dir := t.TempDir()
	n := 0
	for _, g := range segs {
		if g.TrackID != track.ID {
			continue
		}
		if g.Seq != n {
			t.Errorf("segment %d has seq %d: the sequence has a gap", n, g.Seq)
		}
		n++
		path := filepath.Join(dir, filepath.Base(g.ObjectKey))
		body := s.download(t, g.ObjectKey, path)
		if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != g.SHA256 {
			t.Errorf("segment %s: got SHA-256 %x, want %s", g.ObjectKey, sum, g.SHA256)
		}
		checkPlayable(t, path, video)
	}
	if n < 2 {
		t.Errorf("got %d segments, want at least 2 of 8 s in 3 s segments", n)
	}
}

// checkOnTimeline checks that a track's segments sit on the recording's
// timeline where its publisher streamed: from started to started+length.
func checkOnTimeline(t *testing.T, track agenda.Track, segs []agenda.StoredSegment,
	started, length time.Duration) {
	t.Helper()
	first, last := int64(-1), int64(0)
	for _, g := range segs {
		if g.TrackID == track.ID {
			if first < 0 {
				first = g.MediaStartMs
			}
			last = g.MediaEndMs
		}
	}
	begin, end := time.Duration(first)*time.Millisecond, time.Duration(last)*time.Millisecond
	// A camera's first keyframe may come up to a second in (a GOP).
	if begin < started-200*time.Millisecond || begin > started+1200*time.Millisecond {
		t.Errorf("the track begins at %v of the recording, want from %v", begin, started)
	}
	if d := end - (started + length); d < -300*time.Millisecond || d > 300*time.Millisecond {
		t.Errorf("the track ends at %v of the recording, want %v ± 300ms", end, started+length)
	}
	t.Logf("streamed from %v; recorded %v to %v", started, begin, end)
}

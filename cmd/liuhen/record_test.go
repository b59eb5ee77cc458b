package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/publish"
	"github.com/liuhen/liuhen/verify"
)

// TestRecordWithPionPublisher streams VP8 and Opus from a pion publisher
// over WHIP to a running server, marks two agenda items through the API
// while it streams, and checks the stored segments in MinIO and what the
// verifier makes of the sample's decisions.
func TestRecordWithPionPublisher(t *testing.T) {
	s := startStack(t, 3*time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	ivf, ogg := ffmpegMedia(t, 12*time.Second)
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}

	done := make(chan error, 1)
	var res publish.Result
	go func() {
		var err error
		res, err = publish.Run(ctx, publish.Options{
			Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: token,
			VideoIVF: ivf, AudioOgg: ogg,
		})
		done <- err
	}()
	marks := []struct {
		at     time.Duration
		item   int64
		action string
	}{
		{1 * time.Second, sample.AgendaItemIDs[0], "start"},
		{5 * time.Second, sample.AgendaItemIDs[0], "end"},
		{6 * time.Second, sample.AgendaItemIDs[1], "start"},
		{10 * time.Second, sample.AgendaItemIDs[1], "end"},
	}
	start := time.Now()
	for _, m := range marks {
		time.Sleep(time.Until(start.Add(m.at)))
		status, body := s.call(t, "POST", fmt.Sprintf("/api/v1/agenda-items/%d/marks", m.item),
			token, fmt.Sprintf(`{"action":%q}`, m.action))
		if status != 200 && status != 201 {
			t.Fatalf("mark item %d %s: got status %d, want 200 or 201; body %s",
				m.item, m.action, status, body)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("publish: %v", err)
	}
	if res.VideoFrames < 300 || res.AudioFrames < 500 {
		t.Fatalf("published %d video and %d audio frames, want at least 300 and 500",
			res.VideoFrames, res.AudioFrames)
	}

	rec := s.waitRecordingEnded(t, sample.MeetingID)
	if rec.State != agenda.StateFinished {
		t.Errorf("got recording state %q, want %q", rec.State, agenda.StateFinished)
	}
	segs := s.checkSegments(t, sample.MeetingID, true)
	if len(segs) < 3 {
		t.Fatalf("got %d segments of 12 s in 3 s segments, want at least 3", len(segs))
	}
	last := segs[len(segs)-1]
	if last.MediaEndMs < 10_000 {
		t.Errorf("the recording ends at %d ms, want about 12000", last.MediaEndMs)
	}
	checkSampleVerdicts(t, s, sample)
}

// checkSampleVerdicts runs the verifier, rehashing, and checks that every
// sample decision gets the finding the sample was built to show, and that
// the decisions of the recorded meeting pass.
func checkSampleVerdicts(t *testing.T, s *stack, sample agenda.Sample) {
	t.Helper()
	report, err := verify.Run(context.Background(), s.app.svc.pool, objectChecker{s.app.svc.objects},
		verify.Options{Rehash: true})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	codes := map[int64][]string{}
	for _, f := range report.Findings {
		codes[f.DecisionID] = append(codes[f.DecisionID], f.Code)
	}
	for _, d := range sample.Decisions {
		got := codes[d.ID]
		switch {
		case d.WantFinding == "" && len(got) > 0:
			t.Errorf("decision %s: got findings %v, want none", d.Reference, got)
		case d.WantFinding != "" && !slices.Contains(got, d.WantFinding):
			t.Errorf("decision %s: got findings %v, want %s", d.Reference, got, d.WantFinding)
		}
	}
}

// TestRecordFromMeetingRoomPage is the demo as a test: headless Chromium
// opens the meeting-room page, publishes its fake camera and the meeting
// audio, marks both agenda items from the page and stops.
func TestRecordFromMeetingRoomPage(t *testing.T) {
	s := startStack(t, 4*time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	b, err := browser.Start(ctx, browser.Options{
		AudioFile: repoRoot(t) + "/testdata/media/EN2002a_30s.wav", Log: t.Logf})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	defer b.Close()
	room, err := b.OpenRoom(s.url, sample.MeetingID, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := room.Start(); err != nil {
		t.Fatal(err)
	}
	for _, item := range sample.AgendaItemIDs[:2] {
		time.Sleep(time.Second)
		if err := room.Mark(item, "start"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(4 * time.Second)
		if err := room.Mark(item, "end"); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(2 * time.Second)
	status, err := room.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status["segments"] == "0" || status["hash"] == "–" {
		t.Errorf("page status %v: want stored segments and a hash shown while recording", status)
	}
	if err := room.Stop(); err != nil {
		t.Fatal(err)
	}

	rec := s.waitRecordingEnded(t, sample.MeetingID)
	if rec.State != agenda.StateFinished {
		t.Errorf("got recording state %q, want %q", rec.State, agenda.StateFinished)
	}
	if len(rec.Tracks) != 1 || rec.Tracks[0].AudioCodec != "opus" || rec.Tracks[0].VideoCodec != "vp8" {
		t.Errorf("got tracks %+v, want one track of opus and vp8", rec.Tracks)
	}
	if segs := s.checkSegments(t, sample.MeetingID, true); len(segs) < 2 {
		t.Errorf("got %d segments, want at least 2 for ~13 s in 4 s segments", len(segs))
	}
	checkSampleVerdicts(t, s, sample)
}

// TestRecordH264Publisher streams H.264 as OBS sends it (packetization
// mode 1, parameter sets before every IDR, each picture in four slices)
// with Opus, and checks that the Matroska segments decode.
func TestRecordH264Publisher(t *testing.T) {
	s := startStack(t, 3*time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	_, ogg := ffmpegMedia(t, 8*time.Second)
	h264 := filepath.Join(t.TempDir(), "video.h264")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i",
		"testsrc=size=640x360:rate=30", "-t", "8", "-c:v", "libx264", "-profile:v", "baseline",
		"-pix_fmt", "yuv420p", "-bf", "0", "-g", "30", "-slices", "4", "-tune", "zerolatency",
		"-x264-params", "repeat-headers=1", "-f", "h264", h264).CombinedOutput()
	if err != nil {
		t.Fatalf("encode H.264: %v\n%s", err, out)
	}

	res, err := publish.Run(ctx, publish.Options{
		Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: s.admin,
		VideoH264: h264, AudioOgg: ogg,
	})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if res.VideoFrames != 240 {
		t.Errorf("published %d H.264 pictures, want 240", res.VideoFrames)
	}
	rec := s.waitRecordingEnded(t, sample.MeetingID)
	if len(rec.Tracks) != 1 || rec.Tracks[0].VideoCodec != "h264" {
		t.Fatalf("got tracks %+v, want one H.264 track", rec.Tracks)
	}
	segs := s.checkSegments(t, sample.MeetingID, true)
	if len(segs) < 2 {
		t.Fatalf("got %d segments, want at least 2", len(segs))
	}
	for _, g := range segs {
		if !strings.HasSuffix(g.ObjectKey, ".mkv") {
			t.Errorf("segment %s: want Matroska (.mkv) for H.264", g.ObjectKey)
		}
	}
}

package capture

import (
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/publish"
)

// These tests record a pion publisher that misbehaves the ways real ones
// do, in real time, and probe the stored segments with ffprobe and ffmpeg.

// TestRecordingAlignsAudioAndVideo: the publisher's video starts a second
// after its audio and crosses the network 400 ms slower; the sender
// reports put both back where they were captured.
func TestRecordingAlignsAudioAndVideo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf, ogg := encodeVP8Size(t, dir, "320x180", 6, 30), encodeOpus(t, dir, 7)
	video, audio := sentFrames(readIVF(t, ivf), time.Second), sentFrames(readOgg(t, ogg), 0)
	net := publish.Network{VideoDelay: 400 * time.Millisecond}

	tests := []struct {
		name          string
		noReports     bool
		wantMin, want time.Duration
	}{
		{"with sender reports", false, -80 * time.Millisecond, 80 * time.Millisecond},
		// Placed by first arrival, the video is late by its extra transit
		// (400 ms), give or take how late each stream's first frame was.
		{"without sender reports", true, 250 * time.Millisecond, 650 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMediaServer(t, 3*time.Second)
			p := m.publish(t, publish.Options{VideoIVF: ivf, AudioOgg: ogg,
				VideoStart: time.Second, Network: net, NoSenderReports: tt.noReports})
			p.wait(t)
			if st, _ := m.waitEnded(t, 20*time.Second); st != stateFinished {
				t.Errorf("got track state %q, want %q", st, stateFinished)
			}
			files := m.objects.files()
			checkSegmentFiles(t, files)
			got := avError(t, files, video, audio)
			t.Logf("video placed %v off the audio it was captured with", got)
			if got < tt.wantMin || got > tt.want {
				t.Errorf("got video %v off audio, want %v to %v", got, tt.wantMin, tt.want)
			}
		})
	}
}

// TestRecordingKeepsDTXSilence: the publisher sends no audio for 20 s, as
// Opus DTX does in a silence; the audio's timeline keeps its length.
func TestRecordingKeepsDTXSilence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf, ogg := encodeVP8Size(t, dir, "320x180", 30, 30), encodeOpus(t, dir, 30)
	silence := publish.Span{From: 5 * time.Second, To: 25 * time.Second}
	var sent []sentFrame
	for _, f := range sentFrames(readOgg(t, ogg), 0) {
		if f.capture < silence.From || f.capture >= silence.To {
			sent = append(sent, f)
		}
	}

	m := newMediaServer(t, 4*time.Second)
	p := m.publish(t, publish.Options{VideoIVF: ivf, AudioOgg: ogg,
		Silences: []publish.Span{silence}})
	res := p.wait(t)
	m.waitEnded(t, 20*time.Second)
	files := m.objects.files()
	checkSegmentFiles(t, files)
	if res.AudioFrames != len(sent) {
		t.Fatalf("publisher sent %d audio frames, want %d", res.AudioFrames, len(sent))
	}

	audio := packets(t, files, "a")
	if len(audio) != len(sent) {
		t.Errorf("got %d audio packets recorded, want the %d sent", len(audio), len(sent))
	}
	span := audio[len(audio)-1].pts - audio[0].pts
	want := sent[len(sent)-1].capture - sent[0].capture
	if d := span - want; d < -100*time.Millisecond || d > 100*time.Millisecond {
		t.Errorf("got audio spanning %v, want the %v it took to send, within 100ms", span, want)
	}
	var longest time.Duration
	for i := 1; i < len(audio); i++ {
		longest = max(longest, audio[i].pts-audio[i-1].pts)
	}
	if d := longest - 20*time.Second; d < -100*time.Millisecond || d > 100*time.Millisecond {
		t.Errorf("got the longest pause between audio packets %v, want 20s", longest)
	}
	if gaps := p.session.gapHistory(); len(gaps) > 0 {
		t.Errorf("got gaps %s, want none: a silence is no loss", describeGaps(gaps))
	}
	t.Logf("audio spans %v for %v sent; silence recorded as %v", span, want, longest)
}

// TestRecordingThroughPacketLoss: 5% of the packets are lost for 6 s, then
// everything for 3 s. NACK recovers what it can; video after a loss waits
// for a keyframe, which the publisher sends only when asked; the gaps are
// logged and show in the timestamps.
func TestRecordingThroughPacketLoss(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf := encodeVP8Size(t, dir, "320x180", 16, 10000)
	keys := encodeVP8Size(t, dir, "320x180", 16, 1)
	ogg := encodeOpus(t, dir, 16)
	blackout := publish.Span{From: 10 * time.Second, To: 13 * time.Second}

	m := newMediaServer(t, 3*time.Second)
	p := m.publish(t, publish.Options{VideoIVF: ivf, KeyframeIVF: keys, AudioOgg: ogg,
		Network: publish.Network{Loss: 0.05, Seed: 7, Blackouts: []publish.Span{blackout},
			LossDuring: []publish.Span{{From: 2 * time.Second, To: 8 * time.Second}}}})
	res := p.wait(t)
	if st, _ := m.waitEnded(t, 20*time.Second); st != stateFinished {
		t.Errorf("got track state %q, want %q", st, stateFinished)
	}
	files := m.objects.files()
	checkSegmentFiles(t, files)
	t.Logf("publisher: %d packets dropped, %d keyframe requests, %d keyframes sent",
		res.Dropped, res.KeyframeRequests, res.KeyframesSent)

	video, audio := packets(t, files, "v"), packets(t, files, "a")
	t.Run("the recording goes on after the blackout", func(t *testing.T) {
		for _, kind := range []struct {
			name string
			pkts []probePacket
		}{{"video", video}, {"audio", audio}} {
			if last := kind.pkts[len(kind.pkts)-1].pts; last < 15*time.Second {
				t.Errorf("%s ends at %v, want about 16s", kind.name, last)
			}
		}
	})
	t.Run("NACK recovers most video", func(t *testing.T) {
		n := 0
		for _, v := range video {
			if v.pts >= 3*time.Second && v.pts < 8*time.Second {
				n++
			}
		}
		if n < 120 { // of 150 sent
			t.Errorf("got %d video frames recorded from 3s to 8s, want at least 120 of 150", n)
		}
	})
	gaps := p.session.gapHistory()
	t.Logf("gaps: %s", describeGaps(gaps))
	for _, kind := range []struct {
		name  string
		video bool
		pkts  []probePacket
	}{{"video", true, video}, {"audio", false, audio}} {
		t.Run("the blackout is a gap in the "+kind.name, func(t *testing.T) {
			var gap time.Duration
			for i := 1; i < len(kind.pkts); i++ {
				gap = max(gap, kind.pkts[i].pts-kind.pkts[i-1].pts)
			}
			if gap < 2900*time.Millisecond {
				t.Errorf("got the longest pause between packets %v, want at least 2.9s", gap)
			}
			logged := false
			for _, g := range gaps {
				logged = logged || g.Video == kind.video && g.End-g.Start >= 2900*time.Millisecond
			}
			if !logged {
				t.Errorf("no %s gap of 2.9s or more in the gap log: %s", kind.name,
					describeGaps(gaps))
			}
		})
	}
}

// TestRecordingAsksForKeyframes: the publisher sends keyframes only when
// asked, and ignores the first two requests; the audio before the first
// keyframe is kept, on the same timeline.
func TestRecordingAsksForKeyframes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf := encodeVP8Size(t, dir, "320x180", 8, 10000)
	keys := encodeVP8Size(t, dir, "320x180", 8, 1)
	ogg := encodeOpus(t, dir, 8)

	m := newMediaServer(t, 3*time.Second)
	p := m.publish(t, publish.Options{VideoIVF: ivf, KeyframeIVF: keys, AudioOgg: ogg,
		IgnoreKeyframeRequests: 2})
	res := p.wait(t)
	m.waitEnded(t, 20*time.Second)
	files := m.objects.files()
	checkSegmentFiles(t, files)

	if res.KeyframeRequests < 3 || res.KeyframesSent < 1 {
		t.Errorf("publisher got %d keyframe requests and sent %d keyframes, want 3 or more "+
			"and 1 or more", res.KeyframeRequests, res.KeyframesSent)
	}
	video, audio := packets(t, files, "v"), packets(t, files, "a")
	if !video[0].key {
		t.Errorf("the first video packet is no keyframe")
	}
	if video[0].pts-audio[0].pts < 500*time.Millisecond {
		t.Errorf("audio starts at %v, video at %v: want the audio from before the first "+
			"keyframe kept", audio[0].pts, video[0].pts)
	}
	got := avError(t, files, sentFrames(readIVF(t, ivf), 0), sentFrames(readOgg(t, ogg), 0))
	if got < -80*time.Millisecond || got > 80*time.Millisecond {
		t.Errorf("got video %v off audio, want within 80ms", got)
	}
	t.Logf("%d requests, first keyframe at %v, audio from %v, A/V offset %v",
		res.KeyframeRequests, video[0].pts, audio[0].pts, got)
}

// TestRecordingAcrossResolutionChange: the publisher switches from 640x360
// to 320x180 after 4 s; the recording goes on in a new segment on the same
// timeline.
func TestRecordingAcrossResolutionChange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	large, small := encodeVP8Size(t, dir, "640x360", 4, 30), encodeVP8Size(t, dir, "320x180", 4, 30)
	ogg := encodeOpus(t, dir, 8)

	m := newMediaServer(t, 10*time.Second)
	p := m.publish(t, publish.Options{VideoIVF: large, MoreVideoIVF: []string{small},
		AudioOgg: ogg})
	p.wait(t)
	m.waitEnded(t, 20*time.Second)
	files := m.objects.files()
	checkSegmentFiles(t, files)

	first, okLarge := fileWithSize(t, files, 640, 360)
	second, okSmall := fileWithSize(t, files, 320, 180)
	if !okLarge || !okSmall || second <= first {
		t.Fatalf("got the 640x360 video in segment %d (%v) and 320x180 in %d (%v), want both, "+
			"in that order", first, okLarge, second, okSmall)
	}
	video := packets(t, files, "v")
	for i := 1; i < len(video); i++ {
		if video[i].file == second && video[i-1].file != second {
			if !video[i].key {
				t.Errorf("the 320x180 segment starts without a keyframe")
			}
			if step := video[i].pts - video[i-1].pts; step < 20*time.Millisecond ||
				step > 50*time.Millisecond {
				t.Errorf("got %v between the last 640x360 frame and the first 320x180, "+
					"want one frame (33ms)", step)
			}
		}
	}
}

// TestRecordingShortPublisher: a publisher that leaves after 2 s leaves a
// recording that plays, not a stub.
func TestRecordingShortPublisher(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf, ogg := encodeVP8Size(t, dir, "320x180", 4, 30), encodeOpus(t, dir, 4)

	m := newMediaServer(t, 10*time.Second)
	p := m.publish(t, publish.Options{VideoIVF: ivf, AudioOgg: ogg, Duration: 2 * time.Second})
	p.wait(t)
	if st, _ := m.waitEnded(t, 20*time.Second); st != stateFinished {
		t.Errorf("got track state %q, want %q", st, stateFinished)
	}
	files := m.objects.files()
	checkSegmentFiles(t, files)
	for _, kind := range []string{"a", "v"} {
		pkts := packets(t, files, kind)
		if len(pkts) == 0 {
			t.Fatalf("no %s packets recorded", kind)
		}
		if span := pkts[len(pkts)-1].pts - pkts[0].pts; span < 1700*time.Millisecond {
			t.Errorf("got %s spanning %v, want about 2s", kind, span)
		}
	}
}

// TestRecordingPublisherLeavesWithoutDelete: the recording of a publisher
// that is gone without DELETE ends as interrupted within 15 s, with its
// segments stored.
func TestRecordingPublisherLeavesWithoutDelete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf, ogg := encodeVP8Size(t, dir, "320x180", 4, 30), encodeOpus(t, dir, 4)
	tests := []struct {
		name string
		end  publish.Ending
	}{
		{"closes its peer connection", publish.EndClose},
		{"vanishes from the network", publish.EndVanish},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMediaServer(t, 10*time.Second)
			p := m.publish(t, publish.Options{VideoIVF: ivf, AudioOgg: ogg,
				Duration: 3 * time.Second, End: tt.end})
			p.wait(t)
			left := time.Now()
			st, at := m.waitEnded(t, 20*time.Second)
			if st != stateInterrupted {
				t.Errorf("got track state %q, want %q", st, stateInterrupted)
			}
			if took := at.Sub(left); took > 15*time.Second {
				t.Errorf("the track closed %v after the publisher left, want within 15s", took)
			} else {
				t.Logf("the track closed %v after the publisher left", took)
			}
			checkSegmentFiles(t, m.objects.files())
		})
	}
}

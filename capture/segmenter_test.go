package capture

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// testZero is the wall clock of media time zero in these tests.
var testZero = time.Date(2025, 3, 14, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// recorder runs a Segmenter and keeps what it reports.
type recorder struct {
	seg      *Segmenter
	cfg      SegmenterConfig
	segments []Segment
	requests []time.Duration // PTS of the frame being written at each request
	now      time.Duration
}

// newRecorder makes a Segmenter writing into a fresh directory; cfg gives
// codecs and Duration.
func newRecorder(t testing.TB, cfg SegmenterConfig) *recorder {
	t.Helper()
	r := &recorder{}
	cfg.Dir = filepath.Join(t.TempDir(), "spool")
	cfg.Name = "track-7"
	cfg.Zero = testZero
	cfg.OnSegment = func(s Segment) { r.segments = append(r.segments, s) }
	cfg.RequestKeyframe = func() { r.requests = append(r.requests, r.now) }
	seg, err := NewSegmenter(cfg)
	if err != nil {
		t.Fatalf("NewSegmenter: %v", err)
	}
	r.seg, r.cfg = seg, cfg
	return r
}

// feed writes frames in the given order and closes the Segmenter.
func (r *recorder) feed(t testing.TB, frames []Frame) {
	t.Helper()
	r.write(t, frames)
	if err := r.seg.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// write writes frames in the given order.
func (r *recorder) write(t testing.TB, frames []Frame) {
	t.Helper()
	for i, f := range frames {
		r.now = f.PTS
		if err := r.seg.Write(f); err != nil {
			t.Fatalf("Write frame %d (video=%v, PTS %v): %v", i, f.Video, f.PTS, err)
		}
	}
}

// mediaCase is one recording fed to a Segmenter, and what must come out.
type mediaCase struct {
	name       string
	audio      string // AudioCodec
	video      string // VideoCodec
	duration   time.Duration
	frames     []Frame         // in arrival order
	wantStarts []time.Duration // MediaStart of each segment
	keyless    []int           // segments that may start without a keyframe
	noVideo    []int           // segments without a video stream
	wantExt    string
}

func TestSegmenterMedia(t *testing.T) {
	mediatest.RequireTool(t, "ffprobe")
	dir := t.TempDir()
	gop10 := readIVF(t, encodeVP8(t, dir, 25, 300))
	gop1 := readIVF(t, encodeVP8(t, dir, 25, 30))
	speech := before(readOgg(t, encodeOpus(t, dir, 25)), 25*time.Second)
	h264 := readH264(t, encodeH264(t, dir, 25, 60))
	s := time.Second

	cases := []mediaCase{
		{name: "VP8 and Opus, keyframe every 10 s", audio: "opus", video: "vp8",
			frames: mergeFrames(speech, gop10), wantStarts: []time.Duration{0, 10 * s, 20 * s}},
		{name: "VP8 and Opus, keyframe every second", audio: "opus", video: "vp8",
			frames:     mergeFrames(speech, gop1),
			wantStarts: []time.Duration{0, 5 * s, 10 * s, 15 * s, 20 * s}},
		{name: "Opus only", audio: "opus", frames: speech,
			wantStarts: []time.Duration{0, 5 * s, 10 * s, 15 * s, 20 * s}},
		{name: "VP8 only", video: "vp8", frames: gop10,
			wantStarts: []time.Duration{0, 10 * s, 20 * s}},
		{name: "H.264 and Opus in Matroska", audio: "opus", video: "h264", wantExt: "mkv",
			frames:     mergeFrames(speech, h264),
			wantStarts: []time.Duration{0, 6 * s, 12 * s, 18 * s, 24 * s}},
		{name: "audio arrives 300 ms behind video", audio: "opus", video: "vp8",
			frames:     arriveLate(mergeFrames(speech, gop10), 300*time.Millisecond),
			wantStarts: []time.Duration{0, 10 * s, 20 * s}},
		{name: "video joins mid-GOP, audio held for it", audio: "opus", video: "vp8",
			frames:     mergeFrames(speech, after(gop10, 2*s)),
			wantStarts: []time.Duration{0, 20 * s}},
		{name: "no keyframe ever, audio kept", audio: "opus", video: "vp8",
			frames:     mergeFrames(speech, interOnly(gop10)),
			wantStarts: []time.Duration{0}, noVideo: []int{0}},
		{name: "no keyframe for 30 s of held audio", audio: "opus", video: "vp8",
			frames:     keylessStart(speech, gop10),
			wantStarts: []time.Duration{0, 30*s + 20*time.Millisecond, 35 * s, 45 * s},
			noVideo:    []int{0, 1}},
		{name: "video frames less than a millisecond apart", audio: "opus", video: "vp8",
			frames:     mergeFrames(speech, crowded(gop10)),
			wantStarts: []time.Duration{0, 10 * s, 20 * s}},
		{name: "keyframes too rare, cut anyway", audio: "opus", video: "vp8", duration: 3 * s,
			frames:     mergeFrames(speech, gop10),
			wantStarts: []time.Duration{0, 9 * s, 10 * s, 19 * s, 20 * s}, keyless: []int{1, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRecorder(t, SegmenterConfig{AudioCodec: tc.audio, VideoCodec: tc.video,
				Duration: cmp.Or(tc.duration, 5*time.Second)})
			r.feed(t, tc.frames)
			checkSegments(t, r, tc)
		})
	}
}

// checkSegments checks a recording's segments against its case.
func checkSegments(t *testing.T, r *recorder, tc mediaCase) {
	t.Helper()
	starts := make([]time.Duration, len(r.segments))
	for i, seg := range r.segments {
		starts[i] = seg.MediaStart
	}
	if !slices.Equal(starts, tc.wantStarts) {
		t.Fatalf("got segment starts %v, want %v", starts, tc.wantStarts)
	}
	checkSpool(t, r)
	checkTimeline(t, r, tc.frames)
	for i, seg := range r.segments {
		t.Run(fmt.Sprintf("segment %d", i), func(t *testing.T) {
			checkSegmentFile(t, r, tc, seg)
		})
	}
}

// checkSpool checks the files: named by Seq, no leftovers.
func checkSpool(t *testing.T, r *recorder) {
	t.Helper()
	entries, err := os.ReadDir(r.cfg.Dir)
	if err != nil {
		t.Fatalf("read spool: %v", err)
	}
	if len(entries) != len(r.segments) {
		t.Errorf("got %d files in the spool, want %d", len(entries), len(r.segments))
	}
	for i, seg := range r.segments {
		want := filepath.Join(r.cfg.Dir, fmt.Sprintf("track-7-%06d.%s", i, seg.Ext))
		if seg.Seq != i || seg.Path != want {
			t.Errorf("got Seq %d at %s, want %d at %s", seg.Seq, seg.Path, i, want)
		}
	}
}

// checkTimeline checks that segments join, cover the input, and keep wall
// clock and media time in step.
func checkTimeline(t *testing.T, r *recorder, frames []Frame) {
	t.Helper()
	var end time.Duration
	for _, f := range frames {
		d := f.Duration
		if !f.Video {
			d, _ = opusPacketDuration(f.Data)
		}
		end = max(end, f.PTS+d)
	}
	for i, seg := range r.segments {
		if i > 0 && seg.MediaStart != r.segments[i-1].MediaEnd {
			t.Errorf("segment %d starts at %v, want the previous end %v", i, seg.MediaStart,
				r.segments[i-1].MediaEnd)
		}
		if !seg.WallStart.Equal(testZero.Add(seg.MediaStart)) ||
			!seg.WallEnd.Equal(testZero.Add(seg.MediaEnd)) {
			t.Errorf("segment %d: got wall %v-%v, want Zero+media", i, seg.WallStart,
				seg.WallEnd)
		}
	}
	if last := r.segments[len(r.segments)-1]; last.MediaEnd != end {
		t.Errorf("got last MediaEnd %v, want the input's end %v", last.MediaEnd, end)
	}
}

// checkSegmentFile checks one file with ffprobe and ffmpeg: readable,
// decodable, on the recording's timeline, starting on a keyframe, holding
// exactly the frames of its media range, and hashed right.
func checkSegmentFile(t *testing.T, r *recorder, tc mediaCase, seg Segment) {
	sum, size := fileSum(t, seg.Path)
	if sum != seg.SHA256 || size != seg.Size {
		t.Errorf("got file sha256 %x size %d, want %x size %d", sum, size, seg.SHA256, seg.Size)
	}
	if want := cmp.Or(tc.wantExt, "webm"); seg.Ext != want {
		t.Errorf("got Ext %q, want %q", seg.Ext, want)
	}

	p := probe(t, seg.Path)
	if got := seconds(t, p.Format.StartTime); (got - seg.MediaStart).Abs() > time.Millisecond {
		t.Errorf("got file start %v, want MediaStart %v", got, seg.MediaStart)
	}
	audio, video := countFrames(tc.frames, seg)
	if got := p.packets("audio"); got != audio {
		t.Errorf("got %d audio packets, want %d", got, audio)
	}
	if got := p.packets("video"); got != video {
		t.Errorf("got %d video packets, want %d", got, video)
	}
	if tc.video != "" && !slices.Contains(tc.noVideo, seg.Seq) {
		checkVideoStream(t, p, tc.video)
	}
	if video == 0 {
		requireDecodes(t, seg.Path)
		return
	}
	flags := firstVideoFlags(t, seg.Path)
	if slices.Contains(tc.keyless, seg.Seq) {
		if strings.Contains(flags, "K") {
			t.Errorf("got first video packet flags %q, want no keyframe", flags)
		}
		return // decoding complains until the first keyframe
	}
	if !strings.HasPrefix(flags, "K") {
		t.Errorf("got first video packet flags %q, want K", flags)
	}
	requireDecodes(t, seg.Path)
}

func checkVideoStream(t *testing.T, p probeResult, codec string) {
	t.Helper()
	for _, s := range p.Streams {
		if s.CodecType != "video" {
			continue
		}
		if s.CodecName != codec || s.Width != 640 || s.Height != 360 {
			t.Errorf("got video %s %dx%d, want %s 640x360", s.CodecName, s.Width, s.Height,
				codec)
		}
		return
	}
	t.Errorf("got no video stream, want %s", codec)
}

// countFrames counts the input frames that belong in a segment: those in its
// media range, video only from the first keyframe on.
func countFrames(frames []Frame, seg Segment) (audio, video int) {
	firstKey := time.Duration(-1)
	for _, f := range frames {
		if f.Video && f.Keyframe && (firstKey < 0 || f.PTS < firstKey) {
			firstKey = f.PTS
		}
	}
	for _, f := range frames {
		if f.PTS < seg.MediaStart || f.PTS >= seg.MediaEnd {
			continue
		}
		switch {
		case !f.Video:
			audio++
		case firstKey >= 0 && f.PTS >= firstKey:
			video++
		}
	}
	return audio, video
}

func TestSegmenterRequestsKeyframes(t *testing.T) {
	mediatest.RequireTool(t, "ffprobe")
	dir := t.TempDir()
	video := readIVF(t, encodeVP8(t, dir, 25, 300))
	r := newRecorder(t, SegmenterConfig{VideoCodec: "vp8", Duration: 5 * time.Second})
	r.feed(t, after(video, 2*time.Second))

	// Dropping from 2 s: one a second until 10 s; then due from 15 s to 20 s.
	want := []time.Duration{2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19}
	got := make([]time.Duration, len(r.requests))
	for i, pts := range r.requests {
		got[i] = pts.Round(time.Second) / time.Second
	}
	if !slices.Equal(got, want) {
		t.Errorf("got requests at %v s, want %v s", got, want)
	}
}

func TestSegmenterCutsOnResolutionChange(t *testing.T) {
	mediatest.RequireTool(t, "ffprobe")
	dir := t.TempDir()
	large := readIVF(t, encodeVP8(t, dir, 2, 300))
	small := readIVF(t, encodeVP8Size(t, dir, "320x180", 2, 300))
	for _, f := range small {
		f.PTS += 2 * time.Second
		large = append(large, f)
	}
	r := newRecorder(t, SegmenterConfig{VideoCodec: "vp8"})
	r.feed(t, large)

	if len(r.segments) != 2 || r.segments[1].MediaStart != 2*time.Second {
		t.Fatalf("got %d segments, want 2 with the second from 2 s", len(r.segments))
	}
	for i, want := range []int{640, 320} {
		p := probe(t, r.segments[i].Path)
		if len(p.Streams) != 1 || p.Streams[0].Width != want {
			t.Errorf("segment %d: got streams %+v, want one %d pixels wide", i, p.Streams,
				want)
		}
		requireDecodes(t, r.segments[i].Path)
	}
}

func TestSegmenterRefusesBadFrames(t *testing.T) {
	dir := t.TempDir()
	audio := before(readOgg(t, encodeOpus(t, dir, 2)), 2*time.Second)
	vp8 := readIVF(t, encodeVP8(t, dir, 2, 30))
	h264 := readH264(t, encodeH264(t, dir, 2, 30))
	mid := time.Second
	badStart := slices.Clone(vp8[0].Data)
	badStart[4] = 0x02 // start code 9d 02 2a

	type badFrame struct {
		name  string
		frame Frame
		want  error
	}
	common := []badFrame{
		{"empty audio", Frame{PTS: mid}, ErrEmptyFrame},
		{"empty video", Frame{Video: true, PTS: mid}, ErrEmptyFrame},
		{"negative PTS", Frame{Data: audio[0].Data, PTS: -time.Millisecond}, ErrFrameOrder},
		{"audio PTS goes back", Frame{Data: audio[0].Data}, ErrFrameOrder},
		{"video PTS goes back", Frame{Video: true, Data: vp8[1].Data}, ErrFrameOrder},
		{"Opus code 3 without count", Frame{Data: []byte{31<<3 | 3}, PTS: mid}, ErrOpusPacket},
		{"Opus longer than 120 ms", Frame{Data: []byte{3<<3 | 3, 3}, PTS: mid}, ErrOpusPacket},
	}
	cases := []struct {
		codec string
		video []Frame
		bad   []badFrame
	}{
		{codec: "vp8", video: vp8, bad: append(slices.Clone(common),
			badFrame{"VP8 keyframe with a bad start code",
				Frame{Video: true, Data: badStart, PTS: mid}, ErrVP8Header},
			badFrame{"VP8 keyframe cut short",
				Frame{Video: true, Data: vp8[0].Data[:8], PTS: mid}, ErrVP8Header})},
		{codec: "h264", video: h264, bad: append(slices.Clone(common),
			badFrame{"H.264 length-prefixed",
				Frame{Video: true, Data: []byte{0, 0, 0, 2, 0x65, 0x88}, PTS: mid},
				ErrH264Stream})},
	}
	for _, tc := range cases {
		t.Run(tc.codec, func(t *testing.T) {
			r := newRecorder(t, SegmenterConfig{AudioCodec: "opus", VideoCodec: tc.codec})
			good := mergeFrames(audio, tc.video)
			half := slices.IndexFunc(good, func(f Frame) bool { return f.PTS >= mid })
			r.write(t, good[:half])
			for _, bad := range tc.bad {
				err := r.seg.Write(bad.frame)
				if !errors.Is(err, bad.want) || !errors.Is(err, ErrBadFrame) {
					t.Errorf("%s: got %v, want %v and ErrBadFrame", bad.name, err, bad.want)
				}
			}
			r.feed(t, good[half:])

			// The bad frames left no trace: every good frame is there and plays.
			if len(r.segments) != 1 {
				t.Fatalf("got %d segments, want 1", len(r.segments))
			}
			p := probe(t, r.segments[0].Path)
			if a, v := p.packets("audio"), p.packets("video"); a != len(audio) ||
				v != len(tc.video) {
				t.Errorf("got %d audio and %d video packets, want %d and %d", a, v,
					len(audio), len(tc.video))
			}
			requireDecodes(t, r.segments[0].Path)
		})
	}
}

func TestSegmenterH264NeedsParameterSets(t *testing.T) {
	r := newRecorder(t, SegmenterConfig{VideoCodec: "h264"})
	idr := annexB([][]byte{{0x65, 0x88, 0x84, 0x00, 0x33}})
	err := r.seg.Write(Frame{Video: true, Data: idr, Keyframe: true})
	if !errors.Is(err, ErrH264Stream) || !strings.Contains(err.Error(), "SPS and PPS") {
		t.Errorf("got %v, want ErrH264Stream naming SPS and PPS", err)
	}
	if err := r.seg.Close(); err != nil || len(r.segments) != 0 {
		t.Errorf("got Close %v and %d segments, want nil and none", err, len(r.segments))
	}
}

func TestSegmenterFrameKind(t *testing.T) {
	tests := []struct {
		name  string
		cfg   SegmenterConfig
		frame Frame
	}{
		{name: "video on an audio track", cfg: SegmenterConfig{AudioCodec: "opus"},
			frame: Frame{Video: true, Data: vp8Keyframe(640, 360, 0), Keyframe: true}},
		{name: "audio on a video track", cfg: SegmenterConfig{VideoCodec: "vp8"},
			frame: Frame{Data: []byte{31 << 3, 0xff}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRecorder(t, tt.cfg)
			defer r.seg.Close()
			if err := r.seg.Write(tt.frame); !errors.Is(err, ErrFrameKind) {
				t.Errorf("got %v, want ErrFrameKind", err)
			}
		})
	}
}

func TestSegmenterConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ok := SegmenterConfig{Dir: dir, Name: "track-1", AudioCodec: "opus"}
	tests := []struct {
		name   string
		change func(*SegmenterConfig)
		want   string // in the message; empty for a valid config
	}{
		{name: "valid", change: func(*SegmenterConfig) {}},
		{name: "no Dir", change: func(c *SegmenterConfig) { c.Dir = "" }, want: "Dir"},
		{name: "no Name", change: func(c *SegmenterConfig) { c.Name = "" }, want: "Name"},
		{name: "Name with a slash", change: func(c *SegmenterConfig) { c.Name = "a/b" },
			want: "Name"},
		{name: "Name ..", change: func(c *SegmenterConfig) { c.Name = ".." }, want: "Name"},
		{name: "negative Duration", change: func(c *SegmenterConfig) { c.Duration = -1 },
			want: "Duration"},
		{name: "AAC", change: func(c *SegmenterConfig) { c.AudioCodec = "aac" },
			want: "AudioCodec"},
		{name: "VP9", change: func(c *SegmenterConfig) { c.VideoCodec = "vp9" },
			want: "VideoCodec"},
		{name: "no codec", change: func(c *SegmenterConfig) { c.AudioCodec = "" },
			want: "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.change(&cfg)
			s, err := NewSegmenter(cfg)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if err := s.Close(); err != nil {
					t.Errorf("Close: got %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrSegmenterConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrSegmenterConfig naming %s", err, tt.want)
			}
		})
	}
	t.Run("Dir is a file", func(t *testing.T) {
		cfg := ok
		cfg.Dir = filepath.Join(file, "spool")
		if _, err := NewSegmenter(cfg); err == nil ||
			!strings.Contains(err.Error(), "spool directory") {
			t.Errorf("got %v, want an error about the spool directory", err)
		}
	})
}

// opusFrames makes n synthetic 20 ms Opus packets (hybrid fullband).
func opusFrames(n int) []Frame {
	frames := make([]Frame, n)
	for i := range frames {
		frames[i] = Frame{Data: append([]byte{15 << 3}, make([]byte, 60)...),
			PTS: time.Duration(i) * 20 * time.Millisecond}
	}
	return frames
}

func TestSegmenterClosed(t *testing.T) {
	r := newRecorder(t, SegmenterConfig{AudioCodec: "opus"})
	if err := r.seg.Close(); err != nil {
		t.Fatalf("Close: got %v, want nil", err)
	}
	if len(r.segments) != 0 {
		t.Errorf("got %d segments from an empty track, want none", len(r.segments))
	}
	if err := r.seg.Write(opusFrames(1)[0]); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: got %v, want ErrClosed", err)
	}
	if err := r.seg.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

func TestSegmenterKeepsExistingFile(t *testing.T) {
	r := newRecorder(t, SegmenterConfig{AudioCodec: "opus"})
	existing := filepath.Join(r.cfg.Dir, "track-7-000000.webm")
	if err := os.WriteFile(existing, []byte("evidence"), 0o600); err != nil {
		t.Fatal(err)
	}
	r.write(t, opusFrames(10))
	if err := r.seg.Close(); !errors.Is(err, ErrSegmentExists) {
		t.Errorf("Close: got %v, want ErrSegmentExists", err)
	}
	if data, _ := os.ReadFile(existing); string(data) != "evidence" {
		t.Errorf("got existing file %q, want it untouched", data)
	}
	if _, err := os.Stat(existing + ".tmp"); err == nil {
		t.Errorf("got a .tmp file left behind, want none")
	}
}

// BenchmarkSegmenterVP8Opus muxes a minute of 800 kb/s VP8 (keyframe every
// 10 s) and 32 kb/s Opus, made in memory, into 10 s segments.
func BenchmarkSegmenterVP8Opus(b *testing.B) {
	var frames []Frame
	var total int64
	for i := range 60 * 30 {
		data := vp8Keyframe(640, 360, 3000)
		if i%300 != 0 {
			data = append([]byte{1}, make([]byte, 3300)...)
		}
		frames = append(frames, Frame{Video: true, Data: data, Keyframe: i%300 == 0,
			PTS: time.Duration(i) * time.Second / 30, Duration: time.Second / 30})
	}
	frames = mergeFrames(frames, opusFrames(60*50))
	for _, f := range frames {
		total += int64(len(f.Data))
	}

	dir := b.TempDir()
	b.SetBytes(total)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s, err := NewSegmenter(SegmenterConfig{Dir: dir, Name: fmt.Sprintf("bench-%d", i),
			AudioCodec: "opus", VideoCodec: "vp8",
			OnSegment: func(seg Segment) { os.Remove(seg.Path) }})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range frames {
			if err := s.Write(f); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

package viewing

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/liuhen/liuhen/capture"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// timeTolerance is how far a measured time may be from the expected one:
// a video frame at 30 fps plus rounding.
const timeTolerance = 100 * time.Millisecond

// transcodeCase is a recording cut into master segments by capture's
// Segmenter, and what its viewing copy must show.
type transcodeCase struct {
	name         string
	audio, video string // codecs of the track
	frames       func(t testing.TB, dir string) []capture.Frame
	wantCodecs   []string
	wantSize     string // WxH of the copy
	wantSilences []span // digital silence in the copy
	wantBlack    []span // black pictures in the copy
}

// span is a stretch of the copy's timeline.
type span struct{ start, end time.Duration }

func TestTranscode(t *testing.T) {
	mediatest.RequireTool(t, "ffprobe")
	cases := []transcodeCase{{
		name: "VP8 and Opus joined across segments", audio: "opus", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			// First arrivals 300 ms and 250 ms after the recording's zero.
			return merge(shift(readIVF(t, encodeVP8(t, dir, "640x360", 12)), 300*ms),
				shift(readOgg(t, encodeOpus(t, dir, 12)), 250*ms))
		},
		wantCodecs:   []string{"video:h264", "audio:aac"},
		wantSize:     "640x360",
		wantSilences: []span{{0, 250 * ms}},
		wantBlack:    []span{{0, 300 * ms}},
	}, {
		name: "H.264 in Matroska", audio: "opus", video: "h264",
		frames: func(t testing.TB, dir string) []capture.Frame {
			return merge(readH264(t, encodeH264(t, dir, 9)), readOgg(t, encodeOpus(t, dir, 9)))
		},
		wantCodecs: []string{"video:h264", "audio:aac"},
		wantSize:   "640x360",
	}, {
		name: "a gap of 2 s stays in place, silent", audio: "opus", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			all := merge(readIVF(t, encodeVP8(t, dir, "640x360", 12)),
				readOgg(t, encodeOpus(t, dir, 12)))
			return cut(all, 5*time.Second, 7*time.Second)
		},
		wantCodecs:   []string{"video:h264", "audio:aac"},
		wantSize:     "640x360",
		wantSilences: []span{{5 * time.Second, 7 * time.Second}},
	}, {
		name: "a publisher that starts 2 s after zero", audio: "opus", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			return shift(merge(readIVF(t, encodeVP8(t, dir, "640x360", 6)),
				readOgg(t, encodeOpus(t, dir, 6))), 2*time.Second)
		},
		wantCodecs:   []string{"video:h264", "audio:aac"},
		wantSize:     "640x360",
		wantSilences: []span{{0, 2 * time.Second}},
		wantBlack:    []span{{0, 2 * time.Second}},
	}, {
		name: "picture size changes", audio: "opus", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			big := readIVF(t, encodeVP8(t, dir, "640x360", 5))
			small := shift(readIVF(t, encodeVP8(t, dir, "320x240", 5)), 5*time.Second)
			return merge(big, small, readOgg(t, encodeOpus(t, dir, 10)))
		},
		wantCodecs: []string{"video:h264", "audio:aac"},
		wantSize:   "640x360",
	}, {
		// With no keyframe after the first, the Segmenter cuts after three
		// segment lengths anyway: the next segment starts with pictures that
		// refer to the previous one, which decode only because the decoder
		// carries on across the cut.
		name: "a segment that starts without a keyframe", audio: "opus", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			return merge(readIVF(t, encodeVP8GOP(t, dir, "640x360", 16, 1000)),
				readOgg(t, encodeOpus(t, dir, 16)))
		},
		wantCodecs: []string{"video:h264", "audio:aac"},
		wantSize:   "640x360",
	}, {
		name: "audio only", audio: "opus",
		frames: func(t testing.TB, dir string) []capture.Frame {
			return readOgg(t, encodeOpus(t, dir, 9))
		},
		wantCodecs: []string{"audio:aac"},
	}, {
		name: "video only", video: "vp8",
		frames: func(t testing.TB, dir string) []capture.Frame {
			return readIVF(t, encodeVP8(t, dir, "480x270", 9))
		},
		wantCodecs: []string{"video:h264"},
		wantSize:   "480x270",
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t) })
	}
}

const ms = time.Millisecond

func (tc transcodeCase) run(t *testing.T) {
	dir := t.TempDir()
	segs := segment(t, tc.audio, tc.video, 4*time.Second, tc.frames(t, dir))
	if len(segs) < 2 {
		t.Fatalf("got %d segments, want at least 2 to join", len(segs))
	}
	end := segs[len(segs)-1].MediaEnd
	out := filepath.Join(dir, "copy.mp4")
	res, err := Transcode(context.Background(), paths(segs), out, TranscodeOptions{End: end})
	if err != nil {
		t.Fatalf("Transcode: %v", err)
	}
	near(t, "result duration", res.Duration, end)
	if res.BadPackets != 0 || res.Dropped != 0 {
		t.Errorf("got %d packets refused by a decoder and %d pictures dropped, want none",
			res.BadPackets, res.Dropped)
	}

	p := probe(t, out)
	if got := p.codecs(); !slices.Equal(got, tc.wantCodecs) {
		t.Errorf("got streams %v, want %v", got, tc.wantCodecs)
	}
	checkStreams(t, p, tc.wantSize, end)
	requireFaststart(t, out)
	requireDecodes(t, out)
	if tc.audio != "" {
		checkSpans(t, "silence", detect(t, out, "-af", "silencedetect=noise=-60dB:d=0.2",
			"silence_start: ", "silence_end: "), tc.wantSilences)
	}
	if tc.video != "" {
		checkSpans(t, "black", detect(t, out, "-vf", "blackdetect=d=0.1:pix_th=0.1",
			"black_start:", "black_end:"), tc.wantBlack)
	}
}

// checkStreams checks the formats, and that every stream and the file last
// until the recording's end.
func checkStreams(t *testing.T, p probeResult, wantSize string, end time.Duration) {
	t.Helper()
	near(t, "file duration", seconds(t, p.Format.Duration), end)
	for _, s := range p.Streams {
		near(t, s.CodecType+" duration", seconds(t, s.Duration), end)
		switch s.CodecType {
		case "video":
			if got := fmt.Sprintf("%dx%d", s.Width, s.Height); got != wantSize ||
				s.PixFmt != "yuv420p" {
				t.Errorf("got video %s %s, want %s yuv420p", got, s.PixFmt, wantSize)
			}
		case "audio":
			if s.SampleRate != "48000" || s.Channels != 2 {
				t.Errorf("got audio %s Hz, %d channels, want 48000 Hz, 2", s.SampleRate,
					s.Channels)
			}
		}
	}
}

func near(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if d := got - want; d < -timeTolerance || d > timeTolerance {
		t.Errorf("got %s %v, want %v within %v", what, got, want, timeTolerance)
	}
}

// detect runs one of FFmpeg's detection filters over the copy and returns
// the spans it reports.
func detect(t *testing.T, path, flag, filter, startKey, endKey string) []span {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostats", "-i", path, flag, filter,
		"-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", filter, err, out)
	}
	number := `(-?[0-9.]+)`
	starts := regexp.MustCompile(regexp.QuoteMeta(startKey)+number).FindAllSubmatch(out, -1)
	ends := regexp.MustCompile(regexp.QuoteMeta(endKey)+number).FindAllSubmatch(out, -1)
	var spans []span
	for i, m := range starts {
		s := span{start: secondsOf(t, string(m[1])), end: -1}
		if i < len(ends) {
			s.end = secondsOf(t, string(ends[i][1]))
		}
		spans = append(spans, s)
	}
	return spans
}

func secondsOf(t *testing.T, s string) time.Duration {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return time.Duration(f * float64(time.Second))
}

func checkSpans(t *testing.T, what string, got, want []span) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %s at %v, want at %v", what, got, want)
		return
	}
	for i := range want {
		if d := got[i].start - want[i].start; d < -timeTolerance || d > timeTolerance {
			t.Errorf("got %s %d starting at %v, want %v", what, i, got[i].start, want[i].start)
		}
		if d := got[i].end - want[i].end; d < -timeTolerance || d > timeTolerance {
			t.Errorf("got %s %d ending at %v, want %v", what, i, got[i].end, want[i].end)
		}
	}
}

func TestTranscodeRefuses(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("这不是录像 this is not a recording\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	segs := segment(t, "opus", "", 2*time.Second, readOgg(t, encodeOpus(t, dir, 3)))
	noise := segment(t, "opus", "", 2*time.Second, undecodable(readOgg(t, encodeOpus(t, dir, 3))))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name   string
		ctx    context.Context
		inputs []string
		output string
		want   error
	}{
		{"no inputs", context.Background(), nil, "out.mp4", ErrNoSource},
		{"a file that is not media", context.Background(), []string{text}, "out.mp4",
			ErrBadSource},
		{"a missing file", context.Background(), []string{filepath.Join(dir, "gone.webm")},
			"out.mp4", ErrBadSource},
		{"segments of which no frame decodes", context.Background(), paths(noise), "out.mp4",
			ErrBadSource},
		{"an output in a missing directory", context.Background(), paths(segs),
			filepath.Join("missing", "out.mp4"), ErrTranscode},
		{"a cancelled context", cancelled, paths(segs), "out.mp4", context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.output)
			_, err := Transcode(tc.ctx, tc.inputs, out, TranscodeOptions{})
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
}

// undecodable replaces every Opus packet with one that keeps its TOC byte
// (which the Segmenter reads) but is longer than an Opus frame may be
// (RFC 6716 §3.2.1), which the decoder refuses.
func undecodable(frames []capture.Frame) []capture.Frame {
	r := rand.New(rand.NewPCG(1, 2))
	out := slices.Clone(frames)
	for i := range out {
		d := make([]byte, 1400)
		d[0] = out[i].Data[0] &^ 3 // code 0: one frame
		for j := 1; j < len(d); j++ {
			d[j] = byte(r.IntN(256))
		}
		out[i].Data = d
	}
	return out
}

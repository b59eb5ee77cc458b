package viewing

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"

	"github.com/liuhen/liuhen/capture"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// Helpers that make master segments the way Liuhen makes them: media
// encoded by the ffmpeg CLI, read into frames with pion's readers, and cut
// into segments by capture's own Segmenter.

// encodeVP8 writes seconds of 30 fps VP8 of the given size, a keyframe every
// second.
func encodeVP8(t testing.TB, dir, size string, seconds int) string {
	t.Helper()
	return encodeVP8GOP(t, dir, size, seconds, 30)
}

// encodeVP8GOP is encodeVP8 with a keyframe every gop frames.
func encodeVP8GOP(t testing.TB, dir, size string, seconds, gop int) string {
	t.Helper()
	out := filepath.Join(dir, "vp8-"+size+"-g"+strconv.Itoa(gop)+".ivf")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc=size="+size+":rate=30", "-t", strconv.Itoa(seconds), "-c:v", "libvpx",
		"-deadline", "realtime", "-cpu-used", "8", "-g", strconv.Itoa(gop),
		"-keyint_min", strconv.Itoa(gop), "-b:v", "800k", out)
	return out
}

// encodeH264 writes seconds of 30 fps constrained-baseline H.264, Annex B,
// one slice per picture.
func encodeH264(t testing.TB, dir string, seconds int) string {
	t.Helper()
	out := filepath.Join(dir, "video.h264")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc=size=640x360:rate=30", "-t", strconv.Itoa(seconds), "-pix_fmt", "yuv420p",
		"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v",
		"baseline", "-g", "30", "-bsf:v", "h264_mp4toannexb", "-f", "h264", out)
	return out
}

// encodeOpus writes seconds of the speech as Opus in Ogg, one 20 ms packet
// per page.
func encodeOpus(t testing.TB, dir string, seconds int) string {
	t.Helper()
	out := filepath.Join(dir, "speech.ogg")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-i", mediatest.SpeechWAV(t), "-t", strconv.Itoa(seconds),
		"-c:a", "libopus", "-ar", "48000", "-b:a", "32k", "-frame_duration", "20",
		"-page_duration", "20000", out)
	return out
}

func openFile(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readIVF reads VP8 frames; a keyframe has bit 0 of its first byte clear.
func readIVF(t testing.TB, path string) []capture.Frame {
	t.Helper()
	r, hdr, err := ivfreader.NewWith(openFile(t, path))
	if err != nil {
		t.Fatalf("read IVF header of %s: %v", path, err)
	}
	tick := time.Second * time.Duration(hdr.TimebaseNumerator) /
		time.Duration(hdr.TimebaseDenominator)
	var frames []capture.Frame
	for i := 0; ; i++ {
		data, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			t.Fatalf("read IVF frame of %s: %v", path, err)
		}
		frames = append(frames, capture.Frame{Video: true, Data: data,
			Keyframe: data[0]&1 == 0, PTS: time.Duration(i) * tick, Duration: tick})
	}
}

// readOgg reads 20 ms Opus packets, each stamped with the granule position
// reached before it (RFC 7845 §4).
func readOgg(t testing.TB, path string) []capture.Frame {
	t.Helper()
	r, _, err := oggreader.NewWith(openFile(t, path))
	if err != nil {
		t.Fatalf("read Ogg header of %s: %v", path, err)
	}
	var frames []capture.Frame
	var granule uint64
	for {
		data, page, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			t.Fatalf("read Ogg page of %s: %v", path, err)
		}
		if bytes.HasPrefix(data, []byte("OpusTags")) {
			continue
		}
		frames = append(frames, capture.Frame{Data: data,
			PTS: time.Duration(granule) * time.Second / 48000, Duration: 20 * time.Millisecond})
		granule = page.GranulePosition
	}
}

// readH264 reads an Annex-B stream into access units of 30 fps. A unit
// ends where a parameter set or SEI follows a slice, or at a slice whose
// first_mb_in_slice is 0 (ITU-T H.264 §7.4.1.2.3); libx264 cuts a picture
// into several slices when it threads by slices.
func readH264(t testing.TB, path string) []capture.Frame {
	t.Helper()
	r, err := h264reader.NewReaderWithOptions(openFile(t, path),
		h264reader.WithIncludeSEI(true))
	if err != nil {
		t.Fatalf("open H.264 reader on %s: %v", path, err)
	}
	var frames []capture.Frame
	var au []byte
	key, hasSlice := false, false
	emit := func() {
		frames = append(frames, capture.Frame{Video: true, Data: au, Keyframe: key,
			PTS: time.Duration(len(frames)) * time.Second / 30, Duration: time.Second / 30})
		au, key, hasSlice = nil, false, false
	}
	for {
		nal, err := r.NextNAL()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read NAL unit of %s: %v", path, err)
		}
		typ := nal.Data[0] & 0x1f
		slice := typ == 1 || typ == 5
		if hasSlice && (!slice || len(nal.Data) > 1 && nal.Data[1]&0x80 != 0) {
			emit()
		}
		au = append(au, 0, 0, 0, 1)
		au = append(au, nal.Data...)
		key = key || typ == 5
		hasSlice = hasSlice || slice
	}
	if hasSlice {
		emit()
	}
	return frames
}

// merge orders frames by PTS, video first on ties, as a publisher sends
// them.
func merge(lists ...[]capture.Frame) []capture.Frame {
	var all []capture.Frame
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b capture.Frame) int {
		if c := cmp.Compare(a.PTS, b.PTS); c != 0 {
			return c
		}
		return cmp.Compare(kindRank(a), kindRank(b))
	})
	return all
}

func kindRank(f capture.Frame) int {
	if f.Video {
		return 0
	}
	return 1
}

// shift moves frames later on the timeline.
func shift(frames []capture.Frame, by time.Duration) []capture.Frame {
	out := slices.Clone(frames)
	for i := range out {
		out[i].PTS += by
	}
	return out
}

// cut drops the frames whose PTS falls in [from, to).
func cut(frames []capture.Frame, from, to time.Duration) []capture.Frame {
	return slices.DeleteFunc(slices.Clone(frames), func(f capture.Frame) bool {
		return f.PTS >= from && f.PTS < to
	})
}

// segment cuts frames into master segments with capture's Segmenter.
func segment(t testing.TB, audio, video string, every time.Duration,
	frames []capture.Frame) []capture.Segment {
	t.Helper()
	var segs []capture.Segment
	seg, err := capture.NewSegmenter(capture.SegmenterConfig{
		Dir: filepath.Join(t.TempDir(), "spool"), Name: "track-1", Duration: every,
		AudioCodec: audio, VideoCodec: video, Zero: time.Unix(1_700_000_000, 0),
		OnSegment: func(s capture.Segment) { segs = append(segs, s) },
	})
	if err != nil {
		t.Fatalf("NewSegmenter: %v", err)
	}
	for i, f := range frames {
		if err := seg.Write(f); err != nil {
			t.Fatalf("write frame %d (video %v, PTS %v): %v", i, f.Video, f.PTS, err)
		}
	}
	if err := seg.Close(); err != nil {
		t.Fatalf("close segmenter: %v", err)
	}
	return segs
}

func paths(segs []capture.Segment) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.Path
	}
	return out
}

// probeResult is what ffprobe says about a file.
type probeResult struct {
	Streams []struct {
		CodecType  string `json:"codec_type"`
		CodecName  string `json:"codec_name"`
		Width      int    `json:"width"`
		Height     int    `json:"height"`
		PixFmt     string `json:"pix_fmt"`
		SampleRate string `json:"sample_rate"`
		Channels   int    `json:"channels"`
		Duration   string `json:"duration"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

func probe(t testing.TB, path string) probeResult {
	t.Helper()
	out := mediatest.Run(t, "ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,codec_name,width,height,pix_fmt,sample_rate,channels,duration:"+
			"format=format_name,duration", "-of", "json", path)
	var p probeResult
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("parse ffprobe output for %s: %v\n%s", path, err, out)
	}
	return p
}

// codecs lists "kind:codec" of every stream.
func (p probeResult) codecs() []string {
	var out []string
	for _, s := range p.Streams {
		out = append(out, s.CodecType+":"+s.CodecName)
	}
	return out
}

func seconds(t testing.TB, s string) time.Duration {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse ffprobe time %q: %v", s, err)
	}
	return time.Duration(f * float64(time.Second))
}

// requireDecodes decodes every stream of a file and fails on any complaint.
func requireDecodes(t testing.TB, path string) {
	t.Helper()
	mediatest.RequireTool(t, "ffmpeg")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").
		CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("decode %s: got error %v and output %q, want neither", filepath.Base(path),
			err, out)
	}
}

// topBoxes lists the types of an MP4 file's top-level boxes in order
// (ISO/IEC 14496-12 §4.2).
func topBoxes(t testing.TB, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for off := uint64(0); off+8 <= uint64(len(data)); {
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		types = append(types, string(data[off+4:off+8]))
		switch size {
		case 0:
			return types
		case 1:
			if off+16 > uint64(len(data)) {
				t.Fatalf("%s: truncated 64-bit box size at %d", path, off)
			}
			size = binary.BigEndian.Uint64(data[off+8:])
		}
		if size < 8 {
			t.Fatalf("%s: box %q at %d has size %d", path, types[len(types)-1], off, size)
		}
		off += size
	}
	return types
}

// requireFaststart fails unless the index (moov) comes before the media
// (mdat).
func requireFaststart(t testing.TB, path string) {
	t.Helper()
	boxes := topBoxes(t, path)
	moov, mdat := slices.Index(boxes, "moov"), slices.Index(boxes, "mdat")
	if moov < 0 || mdat < 0 || moov > mdat {
		t.Errorf("%s: got top-level boxes %v, want moov before mdat", filepath.Base(path), boxes)
	}
}

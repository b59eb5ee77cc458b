package capture

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/h264reader"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// Helpers that make real media with the ffmpeg CLI, read it into Frames with
// pion's readers, and inspect segment files with ffprobe.

// requireEncoder fails the test when ffmpeg lacks an encoder.
func requireEncoder(t testing.TB, name string) {
	t.Helper()
	out := mediatest.Run(t, "ffmpeg", "-hide_banner", "-encoders")
	if !bytes.Contains(out, []byte(" "+name+" ")) {
		t.Fatalf("ffmpeg has no %s encoder: install Debian's ffmpeg (apt-get install ffmpeg)",
			name)
	}
}

// testVideo is the synthetic picture every video input shows.
var testVideo = []string{"-f", "lavfi", "-i", "testsrc=size=640x360:rate=30"}

// encodeVP8 writes seconds of 640x360, 30 fps VP8 with a keyframe every gop
// frames.
func encodeVP8(t testing.TB, dir string, seconds, gop int) string {
	t.Helper()
	return encodeVP8Size(t, dir, "640x360", seconds, gop)
}

// encodeVP8Size is encodeVP8 with another picture size, such as "320x180".
func encodeVP8Size(t testing.TB, dir, size string, seconds, gop int) string {
	t.Helper()
	requireEncoder(t, "libvpx")
	out := filepath.Join(dir, "vp8-"+size+"-g"+strconv.Itoa(gop)+".ivf")
	args := []string{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=" + size + ":rate=30"}
	args = append(args, "-t", strconv.Itoa(seconds), "-c:v", "libvpx", "-deadline", "realtime",
		"-cpu-used", "8", "-g", strconv.Itoa(gop), "-keyint_min", strconv.Itoa(gop),
		"-b:v", "800k", out)
	mediatest.Run(t, "ffmpeg", args...)
	return out
}

// encodeH264 writes seconds of 30 fps constrained-baseline H.264, Annex-B.
func encodeH264(t testing.TB, dir string, seconds, gop int) string {
	t.Helper()
	requireEncoder(t, "libx264")
	out := filepath.Join(dir, "h264-g"+strconv.Itoa(gop)+".h264")
	args := append([]string{"-v", "error", "-y"}, testVideo...)
	args = append(args, "-t", strconv.Itoa(seconds), "-pix_fmt", "yuv420p", "-c:v", "libx264",
		"-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline",
		"-g", strconv.Itoa(gop), "-bsf:v", "h264_mp4toannexb", "-f", "h264", out)
	mediatest.Run(t, "ffmpeg", args...)
	return out
}

// encodeOpus writes seconds of the speech sample as Opus in Ogg, one packet
// per page so that every page's granule position times its packet.
func encodeOpus(t testing.TB, dir string, seconds int) string {
	t.Helper()
	requireEncoder(t, "libopus")
	out := filepath.Join(dir, "speech.ogg")
	mediatest.Run(t, "ffmpeg", "-v", "error", "-y", "-i", mediatest.SpeechWAV(t), "-t", strconv.Itoa(seconds),
		"-c:a", "libopus", "-ar", "48000", "-b:a", "32k", "-page_duration", "20000", out)
	return out
}

// readIVF reads VP8 frames; keyframes have bit 0 of the first byte clear.
func readIVF(t testing.TB, path string) []Frame {
	t.Helper()
	f := openFile(t, path)
	r, hdr, err := ivfreader.NewWith(f)
	if err != nil {
		t.Fatalf("read IVF header of %s: %v", path, err)
	}
	// pion scales timestamps by rate/scale; undo that, then count seconds.
	den, num := time.Duration(hdr.TimebaseDenominator), time.Duration(hdr.TimebaseNumerator)
	var frames []Frame
	for {
		data, fh, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			t.Fatalf("read IVF frame %d of %s: %v", len(frames), path, err)
		}
		ticks := time.Duration(fh.Timestamp) * num / den
		frames = append(frames, Frame{Video: true, Data: data, Keyframe: data[0]&1 == 0,
			PTS: ticks * time.Second * num / den, Duration: time.Second * num / den})
	}
}

// readOgg reads Opus packets; each one's PTS is the granule position reached
// before it (RFC 7845 §4), the encoder's pre-skip included.
func readOgg(t testing.TB, path string) []Frame {
	t.Helper()
	r, _, err := oggreader.NewWith(openFile(t, path))
	if err != nil {
		t.Fatalf("read Ogg header of %s: %v", path, err)
	}
	var frames []Frame
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
		d, err := opusPacketDuration(data)
		if err != nil {
			t.Fatalf("Ogg page %d of %s: %v", len(frames), path, err)
		}
		samples := uint64(d * opusSampleRate / time.Second)
		if got := page.GranulePosition - granule; got > samples {
			t.Fatalf("Ogg page advances %d samples, want at most %d: one packet per page",
				got, samples)
		}
		frames = append(frames, Frame{Data: data,
			PTS: time.Duration(granule) * time.Second / opusSampleRate})
		granule = page.GranulePosition
	}
}

// readH264 reads an Annex-B stream into access units of a 30 fps stream. An
// access unit ends where a parameter set, SEI or delimiter follows a slice,
// or at a slice whose first_mb_in_slice is 0 (ITU-T H.264 §7.4.1.2.3).
func readH264(t testing.TB, path string) []Frame {
	t.Helper()
	r, err := h264reader.NewReaderWithOptions(openFile(t, path), h264reader.WithIncludeSEI(true))
	if err != nil {
		t.Fatalf("open H.264 reader on %s: %v", path, err)
	}
	var frames []Frame
	var au [][]byte
	hasSlice := false
	emit := func() {
		data := annexB(au)
		frames = append(frames, Frame{Video: true, Data: data, Keyframe: hasIDR(data),
			PTS: time.Duration(len(frames)) * time.Second / 30, Duration: time.Second / 30})
		au, hasSlice = nil, false
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
		slice := typ == h264NALSlice || typ == h264NALIDR
		if hasSlice && (!slice || len(nal.Data) > 1 && nal.Data[1]&0x80 != 0) {
			emit()
		}
		au = append(au, nal.Data)
		hasSlice = hasSlice || slice
	}
	if len(au) > 0 {
		emit()
	}
	return frames
}

func openFile(t testing.TB, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open input: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// mergeFrames orders audio and video frames by PTS, video first on ties,
// the order a publisher's frames would arrive in without network skew.
func mergeFrames(lists ...[]Frame) []Frame {
	var all []Frame
	for _, l := range lists {
		all = append(all, l...)
	}
	slices.SortStableFunc(all, func(a, b Frame) int {
		if c := cmp.Compare(a.PTS, b.PTS); c != 0 {
			return c
		}
		return kindIndex(b.Video) - kindIndex(a.Video)
	})
	return all
}

// arriveLate delays audio frames' arrival (not their PTS) behind video.
func arriveLate(frames []Frame, by time.Duration) []Frame {
	out := slices.Clone(frames)
	arrival := func(f Frame) time.Duration {
		if f.Video {
			return f.PTS
		}
		return f.PTS + by
	}
	slices.SortStableFunc(out, func(a, b Frame) int { return cmp.Compare(arrival(a), arrival(b)) })
	return out
}

// after keeps the frames from PTS from on.
func after(frames []Frame, from time.Duration) []Frame {
	return slices.DeleteFunc(slices.Clone(frames), func(f Frame) bool { return f.PTS < from })
}

// before keeps the frames before PTS to.
func before(frames []Frame, to time.Duration) []Frame {
	return slices.DeleteFunc(slices.Clone(frames), func(f Frame) bool { return f.PTS >= to })
}

// crowded moves every tenth inter frame to 0.4 ms after the frame before it,
// as a publisher's clock mapping can, so that two frames fall in one
// millisecond of the muxer's time base.
func crowded(frames []Frame) []Frame {
	out := slices.Clone(frames)
	for i := 1; i < len(out); i++ {
		if i%10 == 0 && !out[i].Keyframe {
			out[i].PTS = out[i-1].PTS + 400*time.Microsecond
		}
	}
	return out
}

// interOnly drops the keyframes, as from a publisher whose keyframes are lost.
func interOnly(frames []Frame) []Frame {
	return slices.DeleteFunc(slices.Clone(frames), func(f Frame) bool { return f.Keyframe })
}

// keylessStart makes 50 s: speech twice, video without keyframes for the first
// 25 s, then the video from 10 s on, shifted to 35 s.
func keylessStart(speech, video []Frame) []Frame {
	shift := speech[len(speech)-1].PTS + 20*time.Millisecond
	audio := slices.Clone(speech)
	for _, f := range speech {
		f.PTS += shift
		audio = append(audio, f)
	}
	v := interOnly(video)
	for _, f := range after(video, 10*time.Second) {
		f.PTS += 25 * time.Second
		v = append(v, f)
	}
	return mergeFrames(audio, v)
}

// probeResult is what ffprobe says about a file.
type probeResult struct {
	Streams []struct {
		CodecType     string `json:"codec_type"`
		CodecName     string `json:"codec_name"`
		Width         int    `json:"width"`
		Height        int    `json:"height"`
		NbReadPackets string `json:"nb_read_packets"`
	} `json:"streams"`
	Format struct {
		FormatName string `json:"format_name"`
		StartTime  string `json:"start_time"`
		Duration   string `json:"duration"`
	} `json:"format"`
}

// probe runs ffprobe on a file, counting its packets.
func probe(t testing.TB, path string) probeResult {
	t.Helper()
	out := mediatest.Run(t, "ffprobe", "-v", "error", "-count_packets", "-show_entries",
		"stream=codec_type,codec_name,width,height,nb_read_packets:"+
			"format=format_name,start_time,duration", "-of", "json", path)
	var p probeResult
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("parse ffprobe output for %s: %v\n%s", path, err, out)
	}
	return p
}

// packets returns a stream kind's packet count from a probe.
func (p probeResult) packets(kind string) int {
	for _, s := range p.Streams {
		if s.CodecType == kind {
			n, _ := strconv.Atoi(s.NbReadPackets)
			return n
		}
	}
	return 0
}

// seconds parses one of ffprobe's decimal times.
func seconds(t testing.TB, s string) time.Duration {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parse ffprobe time %q: %v", s, err)
	}
	return time.Duration(f * float64(time.Second))
}

// requireDecodes decodes every stream of a file and fails on any complaint.
// -enc_time_base -1 keeps the file's own timestamps in the null output,
// which by default runs at the stream's guessed frame rate and so
// complains of two frames sent within one frame interval.
func requireDecodes(t testing.TB, path string) {
	t.Helper()
	mediatest.RequireTool(t, "ffmpeg")
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-enc_time_base", "-1", "-f", "null", "-").
		CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("decode %s: got error %v and output %q, want neither", filepath.Base(path), err,
			out)
	}
}

// firstVideoFlags returns the flags of a file's first video packet.
func firstVideoFlags(t testing.TB, path string) string {
	t.Helper()
	out := mediatest.Run(t, "ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
		"packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", path)
	return strings.TrimSpace(string(out))
}

// fileSum hashes a file.
func fileSum(t testing.TB, path string) ([32]byte, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read segment: %v", err)
	}
	return sha256.Sum256(data), int64(len(data))
}

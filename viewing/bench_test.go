package viewing

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// benchSeconds is the length of the benchmark's recording.
const benchSeconds = 30

// BenchmarkTranscode measures how many times faster than real time a
// recording becomes a viewing copy: with Transcode (go-astiav), and with
// the ffmpeg command line given the same settings, on the same master
// segment in the same run. The recording is one segment, since the command
// line cannot join segments on their timeline the way Transcode does.
//
//	go test -run '^$' -bench Transcode -benchtime 3x ./viewing
func BenchmarkTranscode(b *testing.B) {
	mediatest.RequireTool(b, "ffmpeg")
	for _, size := range []string{"640x360", "1280x720"} {
		dir := b.TempDir()
		frames := merge(readIVF(b, encodeVP8(b, dir, size, benchSeconds)),
			readOgg(b, encodeOpus(b, dir, benchSeconds)))
		segs := segment(b, "opus", "vp8", time.Hour, frames)
		if len(segs) != 1 {
			b.Fatalf("got %d segments, want 1", len(segs))
		}
		media := segs[0].MediaEnd
		b.Run("astiav/"+size, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				out := filepath.Join(b.TempDir(), "copy.mp4")
				if _, err := Transcode(context.Background(), paths(segs), out,
					TranscodeOptions{End: media}); err != nil {
					b.Fatal(err)
				}
			}
			reportRealTime(b, media)
		})
		b.Run("ffmpeg-cli/"+size, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ffmpegCopy(b, segs[0].Path, filepath.Join(b.TempDir(), "copy.mp4"))
			}
			reportRealTime(b, media)
		})
	}
}

// ffmpegCopy makes the same copy as Transcode with the ffmpeg command line.
func ffmpegCopy(b *testing.B, in, out string) {
	b.Helper()
	cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-i", in,
		"-fps_mode", "passthrough",
		"-vf", "format=yuv420p", "-c:v", "libx264", "-preset", videoPreset, "-crf", videoCRF,
		"-g", strconv.Itoa(videoGOP),
		"-af", "aresample=async=1:first_pts=0", "-c:a", "aac", "-ar", strconv.Itoa(audioRate),
		"-ac", "2", "-b:a", strconv.Itoa(audioBitRate),
		"-movflags", "+faststart", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ffmpeg: %v\n%s", err, msg)
	}
}

// reportRealTime reports media seconds transcoded per second of wall time.
func reportRealTime(b *testing.B, media time.Duration) {
	b.ReportMetric(media.Seconds()*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}

package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/testenv"
)

// stack is a Liuhen server on real PostgreSQL and MinIO, serving on
// loopback.
type stack struct {
	app   *app
	url   string
	cfg   config
	admin string
}

func startStack(t *testing.T, segment time.Duration) *stack {
	t.Helper()
	return startStackWith(t, segment, func(*config) {})
}

// startStackWith starts a stack whose settings edit changes.
func startStackWith(t *testing.T, segment time.Duration, edit func(*config)) *stack {
	t.Helper()
	minio := testenv.MinIOServer(t)
	c, err := loadConfig()
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	c.DatabaseURL = testenv.DatabaseURL(t)
	c.MinIOEndpoint, c.MinIOAccessKey, c.MinIOSecretKey = minio.Endpoint, minio.AccessKey, minio.SecretKey
	c.MinIOBucket = testenv.BucketName()
	c.RetentionDays = 1
	c.SpoolDir = t.TempDir()
	c.SigningKeyFile = filepath.Join(t.TempDir(), "signing.key")
	c.SegmentDuration = segment
	c.AdminToken = "e2e-admin-token"
	edit(&c)

	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := newApp(context.Background(), c, logger)
	if err != nil {
		t.Fatalf("start Liuhen: %v", err)
	}
	hs := httptest.NewServer(a.handler)
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.recorder.Close(ctx); err != nil {
			t.Errorf("close recorder: %v", err)
		}
		a.close()
	})
	return &stack{app: a, url: hs.URL, cfg: c, admin: c.AdminToken}
}

// testWriter sends the server's logs to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// call sends a JSON request to the API and returns the status and body.
func (s *stack) call(t *testing.T, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitRecordingEnded waits until the meeting's last recording is no longer
// being recorded and returns it.
func (s *stack) waitRecordingEnded(t *testing.T, meeting int64) agenda.Recording {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		recs, err := s.app.svc.store.RecordingSummary(context.Background(), meeting)
		if err != nil {
			t.Fatalf("recording summary: %v", err)
		}
		if n := len(recs); n > 0 && recs[n-1].State != agenda.StateRecording {
			return recs[n-1]
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the recording of meeting %d did not end within 60s", meeting)
	return agenda.Recording{}
}

// checkSegments checks every stored segment of a meeting in MinIO: its
// bytes hash to the catalogued SHA-256, ffprobe reads it, FFmpeg decodes
// it without an error, and its first video packet is a keyframe. It
// returns the segments.
func (s *stack) checkSegments(t *testing.T, meeting int64, wantVideo bool) []agenda.StoredSegment {
	t.Helper()
	ctx := context.Background()
	segs, err := s.app.svc.store.MeetingSegments(ctx, meeting)
	if err != nil {
		t.Fatalf("list segments: %v", err)
	}
	dir := t.TempDir()
	for i, g := range segs {
		if g.Seq != i {
			t.Errorf("segment %d has seq %d: the sequence has a gap", i, g.Seq)
		}
		if i > 0 && g.MediaStartMs < segs[i-1].MediaEndMs-1 {
			t.Errorf("segment %d starts at %d ms, before segment %d ends at %d ms",
				i, g.MediaStartMs, i-1, segs[i-1].MediaEndMs)
		}
		path := filepath.Join(dir, fmt.Sprintf("%06d%s", g.Seq, filepath.Ext(g.ObjectKey)))
		body := s.download(t, g.ObjectKey, path)
		if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != g.SHA256 {
			t.Errorf("segment %s: got SHA-256 %x, want %s", g.ObjectKey, got, g.SHA256)
		}
		if int64(len(body)) != g.Size {
			t.Errorf("segment %s: got %d bytes, want %d", g.ObjectKey, len(body), g.Size)
		}
		checkPlayable(t, path, wantVideo)
	}
	return segs
}

func (s *stack) download(t *testing.T, key, path string) []byte {
	t.Helper()
	u, err := s.app.svc.objects.PresignGet(context.Background(), key, time.Minute)
	if err != nil {
		t.Fatalf("presign %s: %v", key, err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatalf("download %s: %v", key, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: status %d, %v", key, resp.StatusCode, err)
	}
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	return body
}

// checkPlayable runs the FFmpeg tools on one segment file.
func checkPlayable(t *testing.T, path string, wantVideo bool) {
	t.Helper()
	for _, tool := range []string{"ffprobe", "ffmpeg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found: install it with `apt-get install ffmpeg`", tool)
		}
	}
	if out, err := exec.Command("ffprobe", "-v", "error", "-show_format", path).CombinedOutput(); err != nil {
		t.Errorf("ffprobe %s: %v\n%s", path, err, out)
	}
	// -enc_time_base -1 keeps the segment's own timestamps in the null
	// output; by default it runs at the stream's guessed frame rate and
	// complains of two frames a stalled camera sent within one frame
	// interval, which the segment keeps at their own times.
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-enc_time_base", "-1",
		"-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("decode %s: err %v, output %q; want no error", path, err, out)
	}
	if !wantVideo {
		return
	}
	out, err = exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe packets of %s: %v", path, err)
	}
	if flags := strings.TrimSpace(string(out)); !strings.HasPrefix(flags, "K") {
		t.Errorf("%s: first video packet has flags %q, want a keyframe (K)", path, flags)
	}
}

// ffmpegMedia encodes test media with the FFmpeg command line: VP8 in IVF
// with a keyframe every second, and the meeting audio as Opus in Ogg, one
// packet per page.
func ffmpegMedia(t *testing.T, length time.Duration) (ivf, ogg string) {
	t.Helper()
	dir := t.TempDir()
	ivf, ogg = filepath.Join(dir, "video.ivf"), filepath.Join(dir, "audio.ogg")
	secs := fmt.Sprintf("%.1f", length.Seconds())
	wav := filepath.Join(repoRoot(t), "testdata", "media", "EN2002a_30s.wav")
	cmds := [][]string{
		{"-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", secs, "-c:v", "libvpx",
			"-g", "30", "-b:v", "600k", "-deadline", "realtime", "-cpu-used", "8", ivf},
		{"-i", wav, "-t", secs, "-c:a", "libopus", "-b:a", "32k", "-ar", "48000",
			"-page_duration", "20000", ogg},
	}
	for _, args := range cmds {
		out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s (install FFmpeg with `apt-get install ffmpeg`)", args, err, out)
		}
	}
	return ivf, ogg
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

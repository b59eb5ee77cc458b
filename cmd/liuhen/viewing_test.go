package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/publish"
	"github.com/liuhen/liuhen/viewing"
)

// TestViewingCopyOfRecording records about 8 s from a pion publisher
// through a running server whose viewing-copy workers run, waits for the
// copy through the API, downloads it with the link the API gives and checks
// it with the FFmpeg tools: H.264 and AAC, as long as the recording, the
// index before the media, a clean decode, and the SHA-256 of the row.
func TestViewingCopyOfRecording(t *testing.T) {
	t.Setenv("LIUHEN_TRANSCODE_SWEEP", "1s")
	s := startStack(t, 3*time.Second)
	s.startCopies(t)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	ivf, ogg := ffmpegMedia(t, 8*time.Second)
	if _, err := publish.Run(ctx, publish.Options{
		Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: token,
		VideoIVF: ivf, AudioOgg: ogg,
	}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	rec := s.waitRecordingEnded(t, sample.MeetingID)
	segs, err := s.app.svc.store.MeetingSegments(ctx, sample.MeetingID)
	if err != nil || len(segs) < 2 {
		t.Fatalf("got %d segments (%v), want at least 2", len(segs), err)
	}
	end := time.Duration(segs[len(segs)-1].MediaEndMs) * time.Millisecond

	c := s.waitViewingCopy(t, rec.ID, token)
	if len(c.Sources) != len(segs) {
		t.Errorf("got %d sources, want the %d segments", len(c.Sources), len(segs))
	}
	path := filepath.Join(t.TempDir(), "copy.mp4")
	body := s.downloadLink(t, c.URL, path)
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != c.SHA256 ||
		int64(len(body)) != c.Size {
		t.Errorf("downloaded %d bytes with SHA-256 %x, the row says %d with %s",
			len(body), sum, c.Size, c.SHA256)
	}
	checkViewingCopy(t, path, end)
}

// TestViewingCopyWaitsForMinIO runs a viewing-copy job against the
// server's evidence store while it is not open, as when MinIO was
// unreachable at start: the job waits for it without spending an attempt,
// and the row says why.
func TestViewingCopyWaitsForMinIO(t *testing.T) {
	s := startStack(t, time.Second)
	ctx := context.Background()
	store := s.app.svc.store
	sample, err := agenda.LoadSample(ctx, store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	now := time.Now()
	ref, err := store.OpenTrack(ctx, sample.MeetingID, "session-no-minio", "opus", "", now)
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/000000.webm", ref.MeetingID,
		ref.RecordingID, ref.TrackID)
	if err := store.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{ObjectKey: key,
		SHA256: sha256.Sum256([]byte(key)), Size: 1000, MediaEnd: time.Second,
		WallStart: now, WallEnd: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := store.CloseTrack(ctx, ref.TrackID,
		agenda.TrackEnd{State: agenda.StateFinished, Segments: -1, At: now}); err != nil {
		t.Fatal(err)
	}

	unopened := &evidence{}
	copies, err := viewing.NewRunner(viewing.Config{Workers: 1, Sweep: time.Second},
		viewing.Deps{Pool: s.app.svc.pool, Objects: unopened, Logger: slog.New(
			slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	(&stack{app: &app{jobs: copies}}).startCopies(t)

	path := fmt.Sprintf("/api/v1/recordings/%d/viewing-copy", ref.RecordingID)
	var c viewing.Copy
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if status, body := s.call(t, http.MethodGet, path, s.admin, ""); status == 200 {
			if err := json.Unmarshal([]byte(body), &c); err != nil {
				t.Fatal(err)
			}
			if c.LastError != "" {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if c.State != viewing.StateQueued || c.Attempts != 1 ||
		!strings.Contains(c.LastError, "MinIO is unreachable") {
		t.Errorf("got %+v, want queued after one attempt, the error naming MinIO", c)
	}
	// River records the job's snooze just after the worker wrote the row.
	var state string
	var attempt int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		err := s.app.svc.pool.QueryRow(ctx, `SELECT state, attempt FROM river_job
			WHERE kind = $1`, viewing.TranscodeArgs{}.Kind()).Scan(&state, &attempt)
		if err != nil {
			t.Fatalf("read River job: %v", err)
		}
		if state != "running" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state == "running" || attempt != 0 {
		t.Errorf("got River job %q at attempt %d, want one waiting at attempt 0: waiting "+
			"for MinIO spends no attempt", state, attempt)
	}
}

// TestTranscodeSettings reads LIUHEN_TRANSCODE_WORKERS and
// LIUHEN_TRANSCODE_SWEEP in each accepted form and refuses bad values with
// a message naming the variable.
func TestTranscodeSettings(t *testing.T) {
	cases := []struct {
		name, variable, value string
		wantWorkers           int
		wantSweep             time.Duration
		wantErr               bool
	}{
		{"defaults", "", "", 1, 15 * time.Second, false},
		{"no workers here", "LIUHEN_TRANSCODE_WORKERS", "0", 0, 15 * time.Second, false},
		{"two workers", "LIUHEN_TRANSCODE_WORKERS", "2", 2, 15 * time.Second, false},
		{"negative workers", "LIUHEN_TRANSCODE_WORKERS", "-1", 0, 0, true},
		{"too many workers", "LIUHEN_TRANSCODE_WORKERS", "65", 0, 0, true},
		{"workers not a number", "LIUHEN_TRANSCODE_WORKERS", "one", 0, 0, true},
		{"a sweep each minute", "LIUHEN_TRANSCODE_SWEEP", "1m", 1, time.Minute, false},
		{"a sweep under a second", "LIUHEN_TRANSCODE_SWEEP", "500ms", 0, 0, true},
		{"a sweep without unit", "LIUHEN_TRANSCODE_SWEEP", "15", 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []string{"LIUHEN_TRANSCODE_WORKERS", "LIUHEN_TRANSCODE_SWEEP"} {
				t.Setenv(v, "") // restored when the test ends
				os.Unsetenv(v)  // an empty variable would count as set
			}
			if tc.variable != "" {
				t.Setenv(tc.variable, tc.value)
			}
			c, err := loadConfig()
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.variable) {
					t.Errorf("got error %v, want one naming %s", err, tc.variable)
				}
				return
			}
			if err != nil || c.TranscodeWorkers != tc.wantWorkers ||
				c.TranscodeSweep != tc.wantSweep {
				t.Errorf("got workers %d, sweep %v, error %v; want %d, %v, none",
					c.TranscodeWorkers, c.TranscodeSweep, err, tc.wantWorkers, tc.wantSweep)
			}
		})
	}
}

// startCopies starts the app's viewing-copy workers, as serve does, and
// stops them when the test ends (before startStack closes the database).
func (s *stack) startCopies(t *testing.T) {
	t.Helper()
	if err := s.app.jobs.Start(context.Background()); err != nil {
		t.Fatalf("start viewing copies: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.app.jobs.Stop(ctx); err != nil {
			t.Errorf("stop viewing copies: %v", err)
		}
	})
}

// waitViewingCopy polls the API until the recording's copy is done.
func (s *stack) waitViewingCopy(t *testing.T, recording int64, token string) viewing.Copy {
	t.Helper()
	path := fmt.Sprintf("/api/v1/recordings/%d/viewing-copy", recording)
	var c viewing.Copy
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); {
		status, body := s.call(t, http.MethodGet, path, token, "")
		if status == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &c); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			switch c.State {
			case viewing.StateDone:
				return c
			case viewing.StateFailed:
				t.Fatalf("viewing copy failed: %s", c.LastError)
			}
		} else if status != http.StatusNotFound {
			t.Fatalf("GET %s: got %d %s, want 200 or (not yet queued) 404", path, status, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no viewing copy of recording %d within 90 s; last seen %+v", recording, c)
	return c
}

func (s *stack) downloadLink(t *testing.T, link, path string) []byte {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("download viewing copy: %v", err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download viewing copy: status %d, %v", resp.StatusCode, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkViewingCopy runs ffprobe and ffmpeg on a copy and reads its boxes.
func checkViewingCopy(t *testing.T, path string, end time.Duration) {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries",
		"stream=codec_name:format=duration", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 3 || lines[0] != "h264" || lines[1] != "aac" {
		t.Errorf("got streams and duration %q, want h264, aac and a duration", lines)
	} else if d, err := strconv.ParseFloat(lines[2], 64); err != nil ||
		time.Duration(d*float64(time.Second))-end > 200*time.Millisecond ||
		end-time.Duration(d*float64(time.Second)) > 200*time.Millisecond {
		t.Errorf("got duration %s s, want the recording's %v within 0.2 s", lines[2], end)
	}
	out, err = exec.Command("ffmpeg", "-v", "error", "-i", path, "-f", "null", "-").
		CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("decode %s: err %v, output %q; want neither", path, err, out)
	}
	boxes := mp4Boxes(t, path)
	if moov, mdat := slices.Index(boxes, "moov"), slices.Index(boxes, "mdat"); moov < 0 ||
		mdat < 0 || moov > mdat {
		t.Errorf("got top-level boxes %v, want moov before mdat (faststart)", boxes)
	}
}

// mp4Boxes lists the types of an MP4 file's top-level boxes (ISO/IEC
// 14496-12 §4.2).
func mp4Boxes(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for off := uint64(0); off+8 <= uint64(len(data)); {
		size := uint64(binary.BigEndian.Uint32(data[off:]))
		types = append(types, string(data[off+4:off+8]))
		if size == 1 && off+16 <= uint64(len(data)) {
			size = binary.BigEndian.Uint64(data[off+8:])
		}
		if size < 8 {
			break
		}
		off += size
	}
	return types
}

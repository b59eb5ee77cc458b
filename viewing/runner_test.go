package viewing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/capture"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
)

// env is a migrated database with the sample township and an evidence
// bucket on the real MinIO.
type env struct {
	pool    *pgxpool.Pool
	agenda  *agenda.Store
	objects *storage.Store
	sample  agenda.Sample
	logger  *slog.Logger
}

const adminToken = "viewing-test-admin"

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	if err := jobs.Migrate(ctx, pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	m := testenv.MinIOServer(t)
	objects, err := storage.Open(ctx, storage.Config{Endpoint: m.Endpoint,
		AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: testenv.BucketName(),
		Retention: 24 * time.Hour})
	if err != nil {
		t.Fatalf("open evidence store: %v", err)
	}
	store := agenda.NewStore(pool)
	sample, err := agenda.LoadSample(ctx, store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &env{pool: pool, agenda: store, objects: objects, sample: sample, logger: logger}
}

// testLog sends logs to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// damage names segments to leave out of MinIO (missing) or to catalogue
// with another SHA-256 than the one MinIO holds (changed), by seq.
type damage struct{ missing, changed []int }

// record catalogues a finished recording of the sample meeting with segs,
// uploading each to MinIO unless damage says otherwise.
func (e *env) record(t *testing.T, session string, segs []capture.Segment,
	dmg damage) agenda.TrackRef {
	t.Helper()
	ctx := context.Background()
	zero := time.Now()
	ref, err := e.agenda.OpenTrack(ctx, e.sample.MeetingID, session, "opus", "vp8", zero)
	if err != nil {
		t.Fatalf("open track: %v", err)
	}
	for _, s := range segs {
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.%s", ref.MeetingID,
			ref.RecordingID, ref.TrackID, s.Seq, s.Ext)
		if !contains(dmg.missing, s.Seq) {
			if err := e.objects.PutFile(ctx, key, s.Path, s.SHA256, "video/webm"); err != nil {
				t.Fatalf("store segment %d: %v", s.Seq, err)
			}
		}
		sum := s.SHA256
		if contains(dmg.changed, s.Seq) {
			sum[0] ^= 0xff
		}
		err := e.agenda.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{Seq: s.Seq,
			ObjectKey: key, SHA256: sum, Size: s.Size, MediaStart: s.MediaStart,
			MediaEnd: s.MediaEnd, WallStart: zero.Add(s.MediaStart), WallEnd: zero.Add(s.MediaEnd)})
		if err != nil {
			t.Fatalf("catalogue segment %d: %v", s.Seq, err)
		}
	}
	if len(segs) > 0 {
		zero = zero.Add(segs[len(segs)-1].MediaEnd)
	}
	if err := e.agenda.CloseTrack(ctx, ref.TrackID,
		agenda.TrackEnd{State: agenda.StateFinished, Segments: -1, At: zero}); err != nil {
		t.Fatalf("close track: %v", err)
	}
	return ref
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// start runs a Runner that sweeps every second and tries a copy twice,
// and stops it when the test ends.
func (e *env) start(t *testing.T) *jobs.Runner {
	t.Helper()
	r, err := NewRunner(Config{Workers: 1, Sweep: time.Second, MaxAttempts: 2,
		TempDir: t.TempDir()}, Deps{Pool: e.pool, Objects: e.objects, Logger: e.logger})
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return r
}

// wait polls a recording's copy until done says so.
func (e *env) wait(t *testing.T, recordingID int64, what string, done func(Copy) bool) Copy {
	t.Helper()
	s := &store{pool: e.pool}
	deadline := time.Now().Add(90 * time.Second)
	var last Copy
	for time.Now().Before(deadline) {
		c, err := s.get(context.Background(), recordingID)
		if err == nil && done(c) {
			return c
		}
		last = c
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("recording %d: no %s within 90 s; last seen %+v", recordingID, what, last)
	return last
}

func vp8Segments(t *testing.T, seconds int) []capture.Segment {
	t.Helper()
	dir := t.TempDir()
	frames := merge(shift(readIVF(t, encodeVP8(t, dir, "640x360", seconds)), 200*ms),
		shift(readOgg(t, encodeOpus(t, dir, seconds)), 180*ms))
	return segment(t, "opus", "vp8", 3*time.Second, frames)
}

func TestViewingCopyJob(t *testing.T) {
	e := newEnv(t)
	segs := vp8Segments(t, 8)
	ref := e.record(t, "session-done", segs, damage{})
	e.start(t)
	c := e.wait(t, ref.RecordingID, "finished copy", func(c Copy) bool {
		return c.State == StateDone || c.State == StateFailed
	})
	if c.State != StateDone {
		t.Fatalf("got state %q (%s), want done", c.State, c.LastError)
	}

	t.Run("row", func(t *testing.T) {
		prefix := fmt.Sprintf("viewing/meetings/%d/recordings/%d/", ref.MeetingID,
			ref.RecordingID)
		if !strings.HasPrefix(c.ObjectKey, prefix) || !strings.HasSuffix(c.ObjectKey, ".mp4") {
			t.Errorf("got key %q, want %s….mp4", c.ObjectKey, prefix)
		}
		if c.Attempts != 1 || c.LastError != "" || c.TrackID == nil || *c.TrackID != ref.TrackID {
			t.Errorf("got attempts %d, error %q, track %v; want 1, none, %d", c.Attempts,
				c.LastError, c.TrackID, ref.TrackID)
		}
		end := segs[len(segs)-1].MediaEnd
		near(t, "duration", time.Duration(c.DurationMs)*time.Millisecond, end)
		if len(c.Sources) != len(segs) {
			t.Fatalf("got %d sources, want %d", len(c.Sources), len(segs))
		}
		for i, s := range segs {
			if got := c.Sources[i]; !strings.HasSuffix(got.ObjectKey, fmt.Sprintf("%06d.webm",
				s.Seq)) || got.SHA256 != hex.EncodeToString(s.SHA256[:]) {
				t.Errorf("source %d: got %+v, want segment %d with SHA-256 %x", i, got, s.Seq,
					s.SHA256)
			}
		}
	})
	t.Run("object", func(t *testing.T) {
		sum, size, err := e.objects.Rehash(context.Background(), c.ObjectKey)
		if err != nil {
			t.Fatalf("rehash copy: %v", err)
		}
		if hex.EncodeToString(sum[:]) != c.SHA256 || size != c.Size {
			t.Errorf("got object of %d bytes with SHA-256 %x, want %d with %s", size, sum,
				c.Size, c.SHA256)
		}
	})
	t.Run("API", func(t *testing.T) {
		status, body := e.get(t, adminToken, fmt.Sprint(ref.RecordingID))
		if status != http.StatusOK {
			t.Fatalf("got status %d, want 200; body %s", status, body)
		}
		var got Copy
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		if got.State != StateDone || got.SHA256 != c.SHA256 || got.URL == "" ||
			got.URLExpiresAt == nil || len(got.Sources) != len(segs) {
			t.Fatalf("got %+v, want done with SHA-256 %s, a link and %d sources", got, c.SHA256,
				len(segs))
		}
		path := download(t, got.URL, c.SHA256)
		if codecs := probe(t, path).codecs(); strings.Join(codecs, ",") != "video:h264,audio:aac" {
			t.Errorf("got streams %v, want h264 and aac", codecs)
		}
		requireFaststart(t, path)
	})
}

// download fetches a link into a file and checks its SHA-256.
func download(t *testing.T, link, wantSHA256 string) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("download copy: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("download copy: status %d, %v", resp.StatusCode, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != wantSHA256 {
		t.Errorf("downloaded copy has SHA-256 %x, want %s", sum, wantSHA256)
	}
	path := filepath.Join(t.TempDir(), "copy.mp4")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestViewingCopyRetriesAndRecordsError(t *testing.T) {
	e := newEnv(t)
	segs := vp8Segments(t, 7)
	ref := e.record(t, "session-missing", segs, damage{missing: []int{1}})
	e.start(t)

	first := e.wait(t, ref.RecordingID, "failed first attempt", func(c Copy) bool {
		return c.LastError != ""
	})
	if first.Attempts != 1 || first.State == StateFailed || first.State == StateDone {
		t.Errorf("after the first failure got attempts %d, state %q; want 1 and another try",
			first.Attempts, first.State)
	}
	last := e.wait(t, ref.RecordingID, "final failure", func(c Copy) bool {
		return c.State == StateFailed
	})
	missingKey := fmt.Sprintf("tracks/%d/000001.webm", ref.TrackID)
	if last.Attempts != 2 || !strings.Contains(last.LastError, "missing from the evidence store") ||
		!strings.Contains(last.LastError, missingKey) {
		t.Errorf("got attempts %d, error %q; want 2 and an error naming %s", last.Attempts,
			last.LastError, missingKey)
	}
	if last.ObjectKey != "" || last.FinishedAt == nil {
		t.Errorf("got key %q, finished %v; want no key and a finish time", last.ObjectKey,
			last.FinishedAt)
	}
	state, errs := e.waitJob(t, "discarded")
	if state != "discarded" || errs != 2 {
		t.Errorf("got River job %q with %d errors, want discarded with 2", state, errs)
	}
}

// waitJob waits until the transcoding job reaches state in River's table,
// which River writes just after the worker returns, and returns the state
// it last saw and how many errors the job holds.
func (e *env) waitJob(t *testing.T, want string) (string, int) {
	t.Helper()
	var state string
	var errs int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		err := e.pool.QueryRow(context.Background(), `SELECT state, COALESCE(cardinality(errors), 0)
			FROM river_job WHERE kind = $1`, TranscodeArgs{}.Kind()).Scan(&state, &errs)
		if err != nil {
			t.Fatalf("read River job: %v", err)
		}
		if state == want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return state, errs
}

func TestViewingCopyStoppedMidJobRunsAgain(t *testing.T) {
	e := newEnv(t)
	ref := e.record(t, "session-stopped", vp8Segments(t, 40), damage{})
	first := e.start(t)
	e.wait(t, ref.RecordingID, "running copy", func(c Copy) bool {
		return c.State == StateRunning
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := first.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	c, err := (&store{pool: e.pool}).get(ctx, ref.RecordingID)
	if err != nil || c.State != StateQueued || c.Attempts != 1 ||
		!strings.Contains(c.LastError, "server shutdown") {
		t.Fatalf("after Stop got %+v (%v); want queued after 1 attempt, the error naming "+
			"the shutdown", c, err)
	}
	var state string
	var attempt int
	if err := e.pool.QueryRow(ctx, `SELECT state, attempt FROM river_job WHERE kind = $1`,
		TranscodeArgs{}.Kind()).Scan(&state, &attempt); err != nil {
		t.Fatalf("read River job: %v", err)
	}
	if (state != "available" && state != "scheduled") || attempt != 0 {
		t.Errorf("got River job %q after %d attempts, want one waiting to run (available "+
			"or scheduled) with its attempt given back", state, attempt)
	}

	e.start(t)
	c = e.wait(t, ref.RecordingID, "finished copy", func(c Copy) bool {
		return c.State == StateDone || c.State == StateFailed
	})
	if c.State != StateDone || c.Attempts != 1 {
		t.Errorf("got %q after %d attempts (%s), want done after 1: a shutdown spends none",
			c.State, c.Attempts, c.LastError)
	}
}

func TestViewingCopyWithoutSegmentsFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	ref := e.record(t, "session-empty", nil, damage{})
	e.start(t)
	c := e.wait(t, ref.RecordingID, "failure", func(c Copy) bool { return c.State == StateFailed })
	if c.Attempts != 1 || !strings.Contains(c.LastError, ErrNoSource.Error()) {
		t.Errorf("got attempts %d, error %q; want 1 and %q", c.Attempts, c.LastError, ErrNoSource)
	}
}

func TestViewingCopyOfChangedMasterFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	ref := e.record(t, "session-changed", vp8Segments(t, 4), damage{changed: []int{0}})
	e.start(t)
	c := e.wait(t, ref.RecordingID, "failure", func(c Copy) bool { return c.State == StateFailed })
	if c.Attempts != 1 || !strings.Contains(c.LastError, ErrSourceChanged.Error()) ||
		!strings.Contains(c.LastError, "000000.webm") {
		t.Errorf("got attempts %d, error %q; want 1 and %q naming segment 0", c.Attempts,
			c.LastError, ErrSourceChanged)
	}
	if state, _ := e.waitJob(t, "cancelled"); state != "cancelled" {
		t.Errorf("got River job %q, want cancelled: another try cannot mend it", state)
	}
}

// get asks the API for a recording's copy.
func (e *env) get(t *testing.T, token, id string) (int, string) {
	t.Helper()
	status, body, _ := e.getWithHeader(t, token, id)
	return status, body
}

// getWithHeader is get with the answer's header.
func (e *env) getWithHeader(t *testing.T, token, id string) (int, string, http.Header) {
	t.Helper()
	r := chi.NewRouter()
	r.With(access.NewGuard(adminToken, e.agenda).Require).
		Get("/recordings/{id}/viewing-copy", NewAPI(e.pool, e.objects, e.logger).ServeHTTP)
	req := httptest.NewRequest(http.MethodGet, "/recordings/"+id+"/viewing-copy", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

func TestViewingCopyAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	queued := e.record(t, "session-queued", nil, damage{})
	ended := e.record(t, "session-ended", nil, damage{})
	if err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		_, err := claimEnded(ctx, tx)
		return err
	}); err != nil {
		t.Fatalf("queue: %v", err)
	}
	if _, err := e.pool.Exec(ctx, `DELETE FROM viewing_copies WHERE recording_id = $1`,
		ended.RecordingID); err != nil {
		t.Fatal(err)
	}
	open, err := e.agenda.OpenTrack(ctx, e.sample.MeetingID, "session-open", "opus", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	own, err := e.agenda.CreatePublishToken(ctx, e.sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.agenda.CreatePublishToken(ctx, e.sample.EarlierMeetingID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, token, id string
		wantStatus      int
		wantBody        string
	}{
		{"no token", "", fmt.Sprint(queued.RecordingID), 401, "token"},
		{"an id that is no number", adminToken, "abc", 400, "positive integer"},
		{"id zero", adminToken, "0", 400, "positive integer"},
		{"an unknown recording", adminToken, "987654", 404, "recording 987654 does not exist"},
		{"a recording still being recorded", adminToken, fmt.Sprint(open.RecordingID), 404,
			"still being recorded"},
		{"an ended recording not yet queued", adminToken, fmt.Sprint(ended.RecordingID), 404,
			"no viewing copy yet"},
		{"a token of another meeting", other, fmt.Sprint(queued.RecordingID), 403,
			"does not give access"},
		{"a queued copy, admin", adminToken, fmt.Sprint(queued.RecordingID), 200,
			`"state":"queued"`},
		{"a queued copy, the meeting's token", own, fmt.Sprint(queued.RecordingID), 200,
			`"sources":[]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.get(t, tc.token, tc.id)
			if status != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Errorf("got %d %s, want %d with %q", status, body, tc.wantStatus, tc.wantBody)
			}
			if status == 200 && strings.Contains(body, `"url"`) {
				t.Errorf("got a link for a copy that is not done: %s", body)
			}
		})
	}
}

func TestRunnerWithoutWorkersLeavesCopiesToOthers(t *testing.T) {
	e := newEnv(t)
	ref := e.record(t, "session-elsewhere", nil, damage{})
	r, err := NewRunner(Config{Workers: 0, Sweep: time.Second},
		Deps{Pool: e.pool, Objects: e.objects, Logger: e.logger})
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	ctx := context.Background()
	if err := r.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	time.Sleep(2500 * time.Millisecond) // two sweeps, had it swept
	if err := r.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := (&store{pool: e.pool}).get(ctx, ref.RecordingID); !errors.Is(err, ErrNotFound) {
		t.Errorf("got %v, want no copy queued by a process without workers", err)
	}
}

func TestConfigRefuses(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"negative workers", Config{Workers: -1}},
		{"a sweep under a second", Config{Workers: 1, Sweep: 500 * time.Millisecond}},
		{"negative attempts", Config{Workers: 1, MaxAttempts: -2}},
		{"negative threads", Config{Workers: 1, Threads: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRunner(tc.cfg, Deps{Logger: slog.Default()})
			if !errors.Is(err, ErrConfig) {
				t.Errorf("got error %v, want %v", err, ErrConfig)
			}
		})
	}
}

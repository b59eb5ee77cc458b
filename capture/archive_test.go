package capture

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/storage"
)

// scriptedObjects answers PutFile from a script of errors per key (nil
// entries or a finished script mean success), like an evidence store that
// fails for a while.
type scriptedObjects struct {
	mu     sync.Mutex
	script map[string][]error
	stored []string
	calls  int
}

func (o *scriptedObjects) PutFile(_ context.Context, key, path string, _ [32]byte,
	_ string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if errs := o.script[key]; len(errs) > 0 {
		o.script[key] = errs[1:]
		if errs[0] != nil {
			return errs[0]
		}
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrInvalidArgument, err)
	}
	o.stored = append(o.stored, key)
	return nil
}

func (o *scriptedObjects) keys() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.stored...)
}

func (o *scriptedObjects) attempts() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// testSegment writes a segment file of track 5 into dir.
func testSegment(t testing.TB, dir string, seq int, size int) Segment {
	t.Helper()
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(seq + i)
	}
	path := filepath.Join(dir, fmt.Sprintf("track-5-%06d.webm", seq))
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Duration(seq) * 3 * time.Second
	return Segment{Seq: seq, Path: path, Ext: "webm", Size: int64(size),
		SHA256: sha256.Sum256(body), MediaStart: start, MediaEnd: start + 3*time.Second,
		WallStart: time.Unix(1_800_000_000, 0).Add(start),
		WallEnd:   time.Unix(1_800_000_003, 0).Add(start)}
}

func testStorer(objects ObjectStore, maxBytes int64) (*storer, *Metrics) {
	m := NewMetrics(prometheus.NewRegistry())
	return &storer{objects: objects, catalog: &fakeCatalog{}, metrics: m,
		usage: newSpoolUsage(maxBytes, nil, m.SpoolBytes)}, m
}

var testRef = agenda.TrackRef{MeetingID: 1, RecordingID: 2, TrackID: 5}

func TestRetryTellsUnstorableFromTransient(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		unstorable bool
	}{
		{"MinIO unreachable", fmt.Errorf("put: %w", storage.ErrUnavailable), false},
		{"attempt timed out", context.DeadlineExceeded, false},
		{"bucket missing", storage.ErrBucketMissing, false},
		{"spooled file gone", fmt.Errorf("put: %w", storage.ErrInvalidArgument), true},
		{"key holds other bytes", storage.ErrExists, true},
		{"file no longer matches its hash", storage.ErrChecksumMismatch, true},
		{"track gone", fmt.Errorf("add: %w", agenda.ErrNotFound), true},
		{"seq holds another segment", &agenda.ConflictError{Field: "seq"}, true},
		{"row invalid", &agenda.ValidationError{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			err := retry(t.Context(), discardLogger(), "step", time.Second,
				func(context.Context) error {
					calls++
					if calls == 1 {
						return tc.err
					}
					return nil
				})
			wantCalls := 2
			if tc.unstorable {
				wantCalls = 1
			}
			if calls != wantCalls {
				t.Errorf("got %d attempts, want %d", calls, wantCalls)
			}
			if got := errors.Is(err, errUnstorable); got != tc.unstorable {
				t.Errorf("got error %v (unstorable %v), want unstorable %v", err, got,
					tc.unstorable)
			}
		})
	}
}

func TestRetryBoundsEachAttempt(t *testing.T) {
	attempts := 0
	start := time.Now()
	err := retry(t.Context(), discardLogger(), "upload", 100*time.Millisecond,
		func(ctx context.Context) error {
			attempts++
			if attempts == 1 {
				<-ctx.Done() // a server that never answers
				return ctx.Err()
			}
			return nil
		})
	if err != nil {
		t.Fatalf("got %v, want success on the second attempt", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a hanging attempt held the retry %v, want about 0.6s", d)
	}
}

func TestArchiverSetsAsideUnstorableSegment(t *testing.T) {
	dir := t.TempDir()
	objects := &scriptedObjects{script: map[string][]error{
		"meetings/1/recordings/2/tracks/5/000001.webm": {storage.ErrExists},
	}}
	st, m := testStorer(objects, 1<<30)
	a := newArchiver(st, discardLogger(), testRef, func(string, string) {
		t.Error("the session was stopped; want it to go on")
	})
	done := make(chan bool, 1)
	go func() { done <- a.run(t.Context()) }()
	var segs []Segment
	for seq := range 3 {
		segs = append(segs, testSegment(t, dir, seq, 100))
		a.add(segs[seq])
	}
	a.finish()
	if allStored := <-done; allStored {
		t.Error("run reported every segment stored, want false: one was set aside")
	}
	if got := objects.keys(); len(got) != 2 {
		t.Errorf("got stored %v, want segments 0 and 2", got)
	}
	if _, err := os.Stat(segs[1].Path + unstorableSuffix); err != nil {
		t.Errorf("set-aside record of segment 1: %v", err)
	}
	if _, err := os.Stat(segs[1].Path); err != nil {
		t.Errorf("file of the unstorable segment 1 must stay in the spool: %v", err)
	}
	if got := testutil.ToFloat64(m.SegmentsUnstorable); got != 1 {
		t.Errorf("got liuhen_segments_unstorable_total %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.SpoolBytes); got != 0 {
		t.Errorf("got liuhen_spool_bytes %v, want 0: the set-aside file is kept but no "+
			"longer pending", got)
	}
}

func TestArchiverEndsSessionWhenSpoolFull(t *testing.T) {
	dir := t.TempDir()
	objects := &scriptedObjects{script: map[string][]error{}}
	for seq := range 4 { // MinIO down for the whole recording
		key := fmt.Sprintf("meetings/1/recordings/2/tracks/5/%06d.webm", seq)
		objects.script[key] = []error{storage.ErrUnavailable}
	}
	st, m := testStorer(objects, 250)
	var mu sync.Mutex
	var stops []string
	a := newArchiver(st, discardLogger(), testRef, func(state, reason string) {
		mu.Lock()
		defer mu.Unlock()
		stops = append(stops, state+": "+reason)
	})
	srv := &Server{cfg: Config{SpoolMaxBytes: 250}, deps: Deps{Metrics: m,
		Logger: discardLogger()}, store: st}

	for seq := range 2 {
		a.add(testSegment(t, dir, seq, 100))
	}
	if err := srv.admit(1); err != nil {
		t.Errorf("admit with 200 of 250 bytes: got %v, want nil", err)
	}
	for seq := 2; seq < 4; seq++ { // the segment that fills it, and the last one
		a.add(testSegment(t, dir, seq, 100))
	}
	mu.Lock()
	if len(stops) != 1 || stops[0] != "interrupted: spool full" {
		t.Errorf("got stops %q, want one \"interrupted: spool full\"", stops)
	}
	mu.Unlock()
	if err := srv.admit(1); !errors.Is(err, ErrSpoolFull) {
		t.Errorf("admit with 400 of 250 bytes: got %v, want ErrSpoolFull", err)
	}
	if got := testutil.ToFloat64(m.SpoolFull); got != 2 {
		t.Errorf("got liuhen_spool_full_total %v, want 2 (the session, the refusal)", got)
	}
	if got := testutil.ToFloat64(m.SpoolBytes); got != 400 {
		t.Errorf("got liuhen_spool_bytes %v, want 400", got)
	}

	// Nothing is dropped: once MinIO answers, every segment is stored.
	a.finish()
	if !a.run(t.Context()) {
		t.Error("run: want every segment stored once the store answers")
	}
	if got := objects.keys(); len(got) != 4 {
		t.Errorf("got stored %v, want all 4 segments", got)
	}
	if got := testutil.ToFloat64(m.SpoolBytes); got != 0 {
		t.Errorf("got liuhen_spool_bytes %v after the uploads, want 0", got)
	}
	if err := srv.admit(1); err != nil {
		t.Errorf("admit with an empty spool: got %v, want nil", err)
	}
}

func TestServerRecoveryRetriesUntilStoreAnswers(t *testing.T) {
	dir := t.TempDir()
	seg := spoolSegment(t, dir, 0, []byte("segment left by a crash"))
	objects := &scriptedObjects{script: map[string][]error{
		"meetings/1/recordings/2/tracks/5/000000.webm": {storage.ErrUnavailable,
			storage.ErrUnavailable, storage.ErrUnavailable},
	}}
	srv, err := NewServer(Config{SpoolDir: dir}, Deps{
		Catalog: &fakeCatalog{}, Objects: objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	select {
	case <-srv.recovered:
	case <-time.After(20 * time.Second):
		t.Fatal("spool recovery did not finish within 20s")
	}
	if calls := objects.attempts(); calls != 4 {
		t.Errorf("got %d upload attempts, want 4: three failures, then success", calls)
	}
	if _, err := os.Stat(seg.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stored segment still in the spool: %v", err)
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestServerReportsStraysAndCountsSpool(t *testing.T) {
	dir := t.TempDir()
	stray := filepath.Join(dir, "track-8-000003.webm")
	if err := os.WriteFile(stray, make([]byte, 70), 0o600); err != nil {
		t.Fatal(err)
	}
	spoolSegment(t, dir, 0, make([]byte, 30))
	contents, err := scanSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := newSpoolUsage(1<<20, contents.pending, prometheus.NewGauge(
		prometheus.GaugeOpts{Name: "g"})).state().bytes; got != 30 {
		t.Errorf("got %d pending bytes, want 30 (neither records nor the stray counted)", got)
	}
	if len(contents.strays) != 1 || contents.strays[0] != stray {
		t.Errorf("got strays %v, want [%s]", contents.strays, stray)
	}
	if len(contents.records) != 1 {
		t.Errorf("got records %v, want one", contents.records)
	}
}

func TestConfigRefusesNegativeSpoolBound(t *testing.T) {
	err := Config{SpoolDir: "x", SpoolMaxBytes: -1}.Validate()
	if err == nil {
		t.Fatal("got nil, want an error naming LIUHEN_SPOOL_MAX_BYTES")
	}
	if want := "LIUHEN_SPOOL_MAX_BYTES"; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to name %s", err, want)
	}
}

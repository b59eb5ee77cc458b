package capture

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liuhen/liuhen/storage"
)

// newSpoolServer starts a server on dir with a spool bound of maxBytes and
// objects as its store, and waits until the spool left in dir is handled.
func newSpoolServer(t *testing.T, dir string, maxBytes int64, objects ObjectStore) *Server {
	t.Helper()
	srv, err := NewServer(Config{SpoolDir: dir, SpoolMaxBytes: maxBytes}, Deps{
		Catalog: &fakeCatalog{}, Objects: objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()), Logger: discardLogger(),
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close(t.Context()) })
	<-srv.recovered
	return srv
}

func TestSpoolBoundLeavesOutSetAsideSegments(t *testing.T) {
	dir := t.TempDir()
	seg := spoolSegment(t, dir, 0, make([]byte, 500))
	if err := setAside(seg.Path); err != nil {
		t.Fatal(err)
	}
	srv := newSpoolServer(t, dir, 100, &scriptedObjects{script: map[string][]error{}})
	if err := srv.admit(1); err != nil {
		t.Errorf("admit with 500 set-aside bytes and a bound of 100: got %v, want nil", err)
	}
	if got := srv.store.usage.state().bytes; got != 0 {
		t.Errorf("got %d pending bytes, want 0", got)
	}
}

func TestSpoolBoundForgetsFilesRemovedByHand(t *testing.T) {
	dir := t.TempDir()
	st, _ := testStorer(&scriptedObjects{script: map[string][]error{}}, 150)
	srv := &Server{cfg: Config{SpoolMaxBytes: 150}, deps: Deps{Metrics: st.metrics,
		Logger: discardLogger()}, store: st}
	var segs []Segment
	for seq := range 2 {
		segs = append(segs, testSegment(t, dir, seq, 100))
		st.usage.add(segs[seq].Path, 5, 100)
	}
	if err := srv.admit(1); !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("admit with 200 of 150 bytes: got %v, want ErrSpoolFull", err)
	}
	if err := os.Remove(segs[0].Path); err != nil {
		t.Fatal(err)
	}
	if err := srv.admit(1); err != nil {
		t.Errorf("admit once a file was removed by hand: got %v, want nil", err)
	}
	if got := srv.PendingSegments(5); got != 1 {
		t.Errorf("got %d pending segments of track 5, want 1", got)
	}
}

func TestSpoolFullSaysWhy(t *testing.T) {
	st := spoolState{files: 3, bytes: 300, max: 250, full: true}
	tests := []struct {
		name    string
		failing error
		want    string
	}{
		{"uploads under way", nil, "uploads are under way"},
		{"MinIO down", fmt.Errorf("put: %w", storage.ErrUnavailable),
			"the evidence store (MinIO) is not taking them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := spoolFullError(st, tt.failing)
			msg := err.Error()
			if !errors.Is(err, ErrSpoolFull) || !strings.Contains(msg, tt.want) ||
				!strings.HasPrefix(msg, "the recorder's spool is full: ") ||
				!strings.Contains(msg, "3 segments (300 bytes") ||
				!strings.Contains(msg, "LIUHEN_SPOOL_MAX_BYTES") {
				t.Errorf("got %q, want ErrSpoolFull with the counts, the bound and %q", msg,
					tt.want)
			}
		})
	}
}

// TestStorerTellsWhetherTheStoreTakesUploads: store notes each upload's
// outcome, so that a failed attempt reports the evidence store down until
// an upload succeeds, and a segment the store refuses for its own fault
// does not.
func TestStorerTellsWhetherTheStoreTakesUploads(t *testing.T) {
	dir := t.TempDir()
	key := func(seq int) string {
		return fmt.Sprintf("meetings/1/recordings/2/tracks/5/%06d.webm", seq)
	}
	objects := &scriptedObjects{script: map[string][]error{
		key(0): {storage.ErrUnavailable}, key(1): {storage.ErrExists}}}
	st, _ := testStorer(objects, 1<<20)

	ctx, cancel := context.WithCancel(t.Context())
	st.objects = cancelOnFailure{ObjectStore: objects, cancel: cancel}
	seg := testSegment(t, dir, 0, 100)
	st.usage.add(seg.Path, 5, seg.Size)
	if err := st.store(ctx, discardLogger(), 5, key(0), seg); !errors.Is(err, context.Canceled) {
		t.Fatalf("store with MinIO down, given up after one attempt: got %v, want canceled", err)
	}
	if err := st.uploadFailing(); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("after a failed upload got failure %v, want the store reported down", err)
	}

	st.objects = objects
	if err := st.store(t.Context(), discardLogger(), 5, key(0), seg); err != nil {
		t.Fatalf("store: %v", err)
	}
	if err := st.uploadFailing(); err != nil {
		t.Errorf("after a stored segment got failure %v, want none", err)
	}

	refused := testSegment(t, dir, 1, 100)
	if err := st.store(t.Context(), discardLogger(), 5, key(1), refused); !errors.Is(err,
		errUnstorable) {
		t.Fatalf("store of a segment whose key holds other bytes: got %v, want unstorable", err)
	}
	if err := st.uploadFailing(); err != nil {
		t.Errorf("after an unstorable segment got failure %v, want none: the store is up", err)
	}
}

// cancelOnFailure cancels the caller's context once an upload fails, so
// that store gives up after its first attempt.
type cancelOnFailure struct {
	ObjectStore
	cancel context.CancelFunc
}

func (o cancelOnFailure) PutFile(ctx context.Context, key, path string, sum [32]byte,
	contentType string) error {
	err := o.ObjectStore.PutFile(ctx, key, path, sum, contentType)
	if err != nil {
		o.cancel()
	}
	return err
}

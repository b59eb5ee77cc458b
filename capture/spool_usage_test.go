package capture

import (
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

func TestStorerTellsWhetherTheStoreTakesUploads(t *testing.T) {
	dir := t.TempDir()
	seg := testSegment(t, dir, 0, 100)
	key := "meetings/1/recordings/2/tracks/5/000000.webm"
	st, _ := testStorer(&scriptedObjects{script: map[string][]error{
		key: {storage.ErrUnavailable}}}, 1<<20)
	st.usage.add(seg.Path, 5, seg.Size)
	_ = st.noteAndStoreOnce(t, key, seg)
	if st.uploadFailing() == nil {
		t.Error("after a failed upload got no failure, want the store reported down")
	}
	if err := st.store(t.Context(), discardLogger(), 5, key, seg); err != nil {
		t.Fatalf("store: %v", err)
	}
	if err := st.uploadFailing(); err != nil {
		t.Errorf("after a stored segment got failure %v, want none", err)
	}
}

// noteAndStoreOnce makes one upload attempt as the storer does.
func (st *storer) noteAndStoreOnce(t *testing.T, key string, seg Segment) error {
	t.Helper()
	err := st.objects.PutFile(t.Context(), key, seg.Path, seg.SHA256, "video/webm")
	st.noteUpload(err)
	return err
}

package capture

import (
	"crypto/sha256"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// spoolSegment writes a segment file and its record, as a run that
// stopped before storing it would have left them.
func spoolSegment(t *testing.T, dir string, seq int, body []byte) Segment {
	t.Helper()
	seg := Segment{
		Seq: seq, Path: filepath.Join(dir, "track-5-"+string(rune('0'+seq))+".webm"), Ext: "webm",
		Size: int64(len(body)), SHA256: sha256.Sum256(body),
		MediaStart: time.Duration(seq) * 10 * time.Second, MediaEnd: time.Duration(seq+1) * 10 * time.Second,
		WallStart: time.Unix(1_800_000_000, 0).UTC(), WallEnd: time.Unix(1_800_000_010, 0).UTC(),
	}
	if err := os.WriteFile(seg.Path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	key := "meetings/1/recordings/2/tracks/5/00000" + string(rune('0'+seq)) + ".webm"
	if err := writeRecord(seg, newSpoolRecord(key, 5, seg)); err != nil {
		t.Fatalf("write record: %v", err)
	}
	return seg
}

func TestServerStoresSegmentsLeftInSpool(t *testing.T) {
	dir := t.TempDir()
	good := spoolSegment(t, dir, 0, []byte("first segment bytes"))
	bad := spoolSegment(t, dir, 1, []byte("second segment bytes"))
	if err := os.WriteFile(bad.Path, []byte("second segment BYTES"), 0o600); err != nil {
		t.Fatal(err) // same size, other bytes: the file changed after it was hashed
	}

	cat, objects := &fakeCatalog{}, &fakeObjects{}
	srv, err := NewServer(Config{SpoolDir: dir}, Deps{
		Catalog: cat, Objects: objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	select {
	case <-srv.recovered:
	case <-time.After(10 * time.Second):
		t.Fatal("spool recovery did not finish within 10s")
	}

	if len(objects.keys) != 1 || objects.keys[0] != "meetings/1/recordings/2/tracks/5/000000.webm" {
		t.Errorf("got stored keys %v, want only the intact segment's key", objects.keys)
	}
	if len(cat.segments) != 1 || cat.segments[0].SHA256 != good.SHA256 ||
		cat.segments[0].MediaStart != good.MediaStart || !cat.segments[0].WallEnd.Equal(good.WallEnd) {
		t.Errorf("got catalogued %+v, want the intact segment with its record's times", cat.segments)
	}
	for _, p := range []string{good.Path, good.Path + recordSuffix} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still in the spool after it was stored", p)
		}
	}
	for _, p := range []string{bad.Path, bad.Path + recordSuffix} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("changed segment %s should stay in the spool for inspection: %v", p, err)
		}
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("close: %v", err)
	}
}

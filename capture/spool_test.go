package capture

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
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
	logs, logPath := logFile(t)
	srv, err := NewServer(Config{SpoolDir: dir}, Deps{
		Catalog: cat, Objects: objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	select {
	case <-srv.recovered:
	case <-time.After(10 * time.Second):
		t.Fatal("spool recovery did not finish within 10s")
	}

	leftBytes := good.Size + bad.Size
	if got := logged(t, logPath, "storing segments left in the spool by the last run"); got == nil ||
		got["count"] != 2.0 || got["bytes"] != float64(leftBytes) {
		t.Errorf("got log %v, want count 2 and bytes %d", got, leftBytes)
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

// logFile opens a file for a server's JSON logs; the file, unlike a
// buffer, can be read while the server may still write.
func logFile(t *testing.T) (*os.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "server.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

// logged returns the first JSON log record of the file at path with
// message msg, or nil.
func logged(t *testing.T, path, msg string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

// TestScanSpoolReadsEachRecordOnce: a start reads each segment's record
// when it scans the spool, and stores the segment from what it read; a
// record that cannot be read is reported with its error, and its file
// counts as pending of no track.
func TestScanSpoolReadsEachRecordOnce(t *testing.T) {
	dir := t.TempDir()
	good := spoolSegment(t, dir, 0, []byte("first segment bytes"))
	broken := spoolSegment(t, dir, 1, []byte("second segment"))
	if err := os.WriteFile(broken.Path+recordSuffix, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "track-5-cut.webm")
	if err := os.WriteFile(stray, []byte("cut off"), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := scanSpool(dir)
	if err != nil {
		t.Fatalf("scanSpool: %v", err)
	}
	for _, seg := range []Segment{good, broken} {
		if err := os.Remove(seg.Path + recordSuffix); err != nil {
			t.Fatal(err) // read again later, it would be missing
		}
	}
	if len(c.records) != 2 {
		t.Fatalf("got %d records, want 2", len(c.records))
	}
	rec := c.records[0]
	if rec.path != good.Path || rec.record.TrackID != 5 || rec.seg.SHA256 != good.SHA256 ||
		rec.record.Key != "meetings/1/recordings/2/tracks/5/000000.webm" {
		t.Errorf("got record %+v, want track 5 and the key and hash of %s", rec, good.Path)
	}
	if err := checkSpooled(rec); err != nil {
		t.Errorf("check the intact segment from its record as scanned: got %v, want nil", err)
	}
	err = checkSpooled(c.records[1])
	if err == nil || !strings.Contains(err.Error(), "spool record") {
		t.Errorf("check the segment of the unreadable record: got %v, want its parse error", err)
	}
	wantPending := map[string]spooledFile{good.Path: {size: good.Size, trackID: 5},
		broken.Path: {size: broken.Size}}
	if !maps.Equal(c.pending, wantPending) || c.pendingBytes != good.Size+broken.Size {
		t.Errorf("got pending %v (%d bytes), want %v", c.pending, c.pendingBytes, wantPending)
	}
	if len(c.strays) != 1 || c.strays[0] != stray {
		t.Errorf("got strays %v, want %s", c.strays, stray)
	}
}

package capture

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
)

// realStores opens a fresh database with the sample township and a fresh
// bucket on the test MinIO, and opens a track of the sample meeting.
func realStores(t testing.TB) (*agenda.Store, *storage.Store, agenda.TrackRef) {
	t.Helper()
	ctx := context.Background()
	cat := agenda.NewStore(testenv.Database(t))
	m := testenv.MinIOServer(t)
	objects, err := storage.Open(ctx, storage.Config{Endpoint: m.Endpoint,
		AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: testenv.BucketName(),
		Retention: 24 * time.Hour})
	if err != nil {
		t.Fatalf("open evidence store: %v", err)
	}
	sample, err := agenda.LoadSample(ctx, cat)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	ref, err := cat.OpenTrack(ctx, sample.MeetingID, "durability-"+rand.Text(), "opus", "vp8",
		time.Now())
	if err != nil {
		t.Fatalf("open track: %v", err)
	}
	return cat, objects, ref
}

// spoolReal writes a segment of the track into the spool with its record,
// as the archiver does, and returns it with its object key.
func spoolReal(t testing.TB, dir string, ref agenda.TrackRef, seq int) (Segment, string) {
	t.Helper()
	body := []byte(rand.Text() + rand.Text())
	path := filepath.Join(dir, fmt.Sprintf("track-%d-%06d.webm", ref.TrackID, seq))
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Duration(seq) * 3 * time.Second
	seg := Segment{Seq: seq, Path: path, Ext: "webm", Size: int64(len(body)),
		SHA256: sha256.Sum256(body), MediaStart: start, MediaEnd: start + 3*time.Second,
		WallStart: ref.Zero.Add(start), WallEnd: ref.Zero.Add(start + 3*time.Second)}
	key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.webm",
		ref.MeetingID, ref.RecordingID, ref.TrackID, seq)
	if err := writeRecord(seg, newSpoolRecord(key, ref.TrackID, seg)); err != nil {
		t.Fatalf("write record: %v", err)
	}
	return seg, key
}

func rowOf(seg Segment, key string) agenda.SegmentRow {
	return agenda.SegmentRow{Seq: seg.Seq, ObjectKey: key, SHA256: seg.SHA256, Size: seg.Size,
		MediaStart: seg.MediaStart, MediaEnd: seg.MediaEnd, WallStart: seg.WallStart,
		WallEnd: seg.WallEnd}
}

// startRecovery starts a server on the spool, as `liuhen serve` does after
// a crash, and waits until it has worked through the spool.
func startRecovery(t *testing.T, dir string, cat *agenda.Store, objects *storage.Store) {
	t.Helper()
	srv, err := NewServer(Config{SpoolDir: dir}, Deps{Catalog: cat, Objects: objects,
		Auth: fakeAuth{}, Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger: discardLogger()})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	select {
	case <-srv.recovered:
	case <-time.After(30 * time.Second):
		t.Fatal("spool recovery did not finish within 30s")
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Errorf("close: %v", err)
	}
}

// TestRecoveryRepairsInterruptedStore leaves the spool, the bucket and the
// catalogue as a crash at each point of storing a segment would, and
// checks that the next start finishes the job on the real PostgreSQL and
// MinIO: every segment catalogued once, with the object's SHA-256.
func TestRecoveryRepairsInterruptedStore(t *testing.T) {
	cases := []struct {
		name                 string
		uploaded, catalogued bool
	}{
		{"crash before the upload", false, false},
		{"crash between upload and catalogue", true, false},
		{"crash between catalogue and unspool", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			cat, objects, ref := realStores(t)
			dir := t.TempDir()
			seg, key := spoolReal(t, dir, ref, 0)
			if tc.uploaded {
				err := objects.PutFile(ctx, key, seg.Path, seg.SHA256, "video/webm")
				if err != nil {
					t.Fatalf("upload before the crash: %v", err)
				}
			}
			if tc.catalogued {
				if err := cat.AddSegment(ctx, ref.TrackID, rowOf(seg, key)); err != nil {
					t.Fatalf("catalogue before the crash: %v", err)
				}
			}

			startRecovery(t, dir, cat, objects)

			segs, err := cat.MeetingSegments(ctx, ref.MeetingID)
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) != 1 || segs[0].ObjectKey != key ||
				segs[0].SHA256 != fmt.Sprintf("%x", seg.SHA256) {
				t.Fatalf("got catalogue %+v, want one row for %s with its SHA-256", segs, key)
			}
			sum, size, err := objects.Rehash(ctx, key)
			if err != nil || sum != seg.SHA256 || size != seg.Size {
				t.Errorf("object %s: got SHA-256 %x, %d bytes, err %v; want %x, %d bytes",
					key, sum, size, err, seg.SHA256, seg.Size)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("got %d files left in the spool, want none", len(left))
			}
		})
	}
}

// TestRecoverySetsAsideWhatCannotBeStored: a spooled segment whose key
// already holds other bytes in MinIO can never be stored. The start says
// so, keeps the file, catalogues nothing for it, and still stores the
// next segment.
func TestRecoverySetsAsideWhatCannotBeStored(t *testing.T) {
	ctx := t.Context()
	cat, objects, ref := realStores(t)
	dir := t.TempDir()
	bad, badKey := spoolReal(t, dir, ref, 0)
	good, goodKey := spoolReal(t, dir, ref, 1)
	other := []byte("other bytes already stored under this key")
	if err := os.WriteFile(filepath.Join(dir, "other"), other, 0o600); err != nil {
		t.Fatal(err)
	}
	err := objects.PutFile(ctx, badKey, filepath.Join(dir, "other"), sha256.Sum256(other), "")
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "other"))

	startRecovery(t, dir, cat, objects)

	segs, err := cat.MeetingSegments(ctx, ref.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 1 || segs[0].ObjectKey != goodKey {
		t.Errorf("got catalogue %+v, want only %s", segs, goodKey)
	}
	for _, p := range []string{bad.Path, bad.Path + unstorableSuffix} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("unstorable segment must stay in the spool: %v", err)
		}
	}
	if _, err := os.Stat(good.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stored segment %s still in the spool (%v)", good.Path, err)
	}
}

// timedObjects notes when each upload to the real store returned.
type timedObjects struct {
	ObjectStore
	mu     sync.Mutex
	stored map[string]time.Time
}

func (o *timedObjects) PutFile(ctx context.Context, key, path string, sum [32]byte,
	ct string) error {
	err := o.ObjectStore.PutFile(ctx, key, path, sum, ct)
	if err == nil {
		o.mu.Lock()
		o.stored[key] = time.Now()
		o.mu.Unlock()
	}
	return err
}

// BenchmarkSegmentDurability measures how long a segment is at risk: from
// the frame that makes the segmenter cut it (its last packet is in) to its
// object being stored in MinIO (and, for comparison, to its file and record
// being synced into the spool, and to its row being catalogued), through
// the real segmenter, spool, archiver, MinIO and PostgreSQL. Each iteration
// is one 10 s segment of 640x360 VP8 at 800 kb/s and Opus; the next
// segment is fed once the last one is catalogued, as in a live recording,
// where segments are 10 s apart. BENCHMARKS.md has the numbers.
//
//	go test -run '^$' -bench SegmentDurability -benchtime 300x ./capture
func BenchmarkSegmentDurability(b *testing.B) {
	frames := durabilityFrames(b)
	cat, minio, ref := realStores(b)
	objects := &timedObjects{ObjectStore: minio, stored: map[string]time.Time{}}
	m := NewMetrics(prometheus.NewRegistry())
	st := &storer{objects: objects, catalog: cat, metrics: m,
		usage: newSpoolUsage(DefaultSpoolMaxBytes, nil, m.SpoolBytes)}
	a := newArchiver(st, discardLogger(), ref, func(string, string) {})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.run(ctx)

	var cutAt time.Time
	cuts, spooled := map[int]time.Time{}, map[int]time.Time{}
	var size int64
	seg, err := NewSegmenter(SegmenterConfig{Dir: b.TempDir(), Name: "bench",
		AudioCodec: "opus", VideoCodec: "vp8", Zero: ref.Zero,
		OnSegment: func(s Segment) {
			cuts[s.Seq], size = cutAt, s.Size
			a.add(s) // returns once the file and its record are synced to disk
			spooled[s.Seq] = time.Now()
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer seg.Close()

	var toSpool, toStore, toCatalogue []time.Duration
	next := 0 // index into the endless frame sequence
	for i := 0; b.Loop(); i++ {
		for len(cuts) <= i {
			f := frames.at(next)
			next++
			cutAt = time.Now()
			if err := seg.Write(f); err != nil {
				b.Fatal(err)
			}
		}
		key := a.key(Segment{Seq: i, Ext: "webm"})
		stored, catalogued := waitCatalogued(b, objects, m, key, i+1)
		toSpool = append(toSpool, spooled[i].Sub(cuts[i]))
		toStore = append(toStore, stored.Sub(cuts[i]))
		toCatalogue = append(toCatalogue, catalogued.Sub(cuts[i]))
	}
	reportPercentiles(b, "spooled", toSpool)
	reportPercentiles(b, "stored", toStore)
	reportPercentiles(b, "catalogued", toCatalogue)
	b.ReportMetric(float64(size), "bytes/segment")
}

// waitCatalogued waits until n segments are catalogued and returns when
// the one under key was stored and when the wait saw it catalogued.
func waitCatalogued(b *testing.B, o *timedObjects, m *Metrics, key string, n int) (
	stored, catalogued time.Time) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if testutil.ToFloat64(m.SegmentsStored) >= float64(n) {
			o.mu.Lock()
			defer o.mu.Unlock()
			return o.stored[key], time.Now()
		}
		time.Sleep(200 * time.Microsecond)
	}
	b.Fatalf("segment %s not stored within 30s", key)
	return
}

func reportPercentiles(b *testing.B, what string, d []time.Duration) {
	slices.Sort(d)
	p := func(q float64) float64 {
		i := min(int(q*float64(len(d))+0.999999)-1, len(d)-1)
		return float64(d[max(i, 0)]) / float64(time.Millisecond)
	}
	b.ReportMetric(p(0.50), what+"-p50-ms")
	b.ReportMetric(p(0.99), what+"-p99-ms")
	b.Logf("%d segments: cut to %s p50 %.1f ms, p99 %.1f ms, max %.1f ms", len(d), what,
		p(0.50), p(0.99), p(1))
}

// loopedFrames repeats a recording's frames endlessly, each pass shifted
// by the recording's length, so that PTS keep rising.
type loopedFrames struct {
	frames []Frame
	length time.Duration
}

func (l loopedFrames) at(i int) Frame {
	f := l.frames[i%len(l.frames)]
	f.PTS += time.Duration(i/len(l.frames)) * l.length
	return f
}

// durabilityFrames encodes 20 s of VP8 (a keyframe a second) and speech in
// Opus with the ffmpeg CLI.
func durabilityFrames(b *testing.B) loopedFrames {
	b.Helper()
	dir := b.TempDir()
	frames := mergeFrames(readIVF(b, encodeVP8(b, dir, 20, 30)), readOgg(b, encodeOpus(b, dir, 20)))
	return loopedFrames{frames: frames, length: 20 * time.Second}
}

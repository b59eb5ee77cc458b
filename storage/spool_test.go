package storage

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeUploader records uploads and fails the keys in failures with the
// given error. It checks each file against its digest, as MinIO would.
type fakeUploader struct {
	mu       sync.Mutex
	failures map[string]error
	stored   map[string][32]byte
	order    []string
}

var _ uploader = (*fakeUploader)(nil)

func (f *fakeUploader) PutFile(_ context.Context, key, path string, sum [32]byte,
	_ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failures[key]; err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	if sha256.Sum256(b) != sum {
		return ErrChecksumMismatch
	}
	if f.stored == nil {
		f.stored = map[string][32]byte{}
	}
	f.stored[key] = sum
	f.order = append(f.order, key)
	return nil
}

func openTestSpool(t testing.TB, dir string, maxBytes int64) *Spool {
	t.Helper()
	sp, err := OpenSpool(dir, maxBytes)
	if err != nil {
		t.Fatalf("open spool: %v", err)
	}
	return sp
}

// addSegment spools n bytes under key and returns their digest.
func addSegment(t testing.TB, sp *Spool, key string, n int, seed byte) [32]byte {
	t.Helper()
	path, sum := writeFile(t, segmentBytes(n, seed))
	if err := sp.Add(key, path, sum, "video/x-matroska"); err != nil {
		t.Fatalf("spool %s: %v", key, err)
	}
	return sum
}

func pendingKeys(t testing.TB, sp *Spool) []string {
	t.Helper()
	entries, err := sp.Pending()
	if err != nil {
		t.Fatalf("pending: %v", err)
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

func TestSpoolAdd(t *testing.T) {
	t.Run("entries keep their order and details", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 1<<20)
		sum := addSegment(t, sp, "r/000001.mkv", 100, 1)
		addSegment(t, sp, "r/000002.mkv", 50, 2)
		entries, err := sp.Pending()
		if err != nil || len(entries) != 2 {
			t.Fatalf("got %d entries, %v; want 2, nil", len(entries), err)
		}
		e := entries[0]
		if e.Key != "r/000001.mkv" || e.Size != 100 || e.SHA256 != fmt.Sprintf("%x", sum) ||
			e.ContentType != "video/x-matroska" {
			t.Errorf("got first entry %+v, want r/000001.mkv, 100 bytes, %x", e, sum)
		}
		if entries[1].Key != "r/000002.mkv" {
			t.Errorf("got second key %s, want r/000002.mkv", entries[1].Key)
		}
		if got := sp.Used(); got != 150 {
			t.Errorf("got %d bytes used, want 150", got)
		}
	})
	t.Run("file that does not match its digest", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 1<<20)
		path, _ := writeFile(t, []byte("changed after hashing"))
		err := sp.Add("r/1.mkv", path, sha256.Sum256([]byte("original")), "")
		if !errors.Is(err, ErrChecksumMismatch) {
			t.Errorf("got %v, want ErrChecksumMismatch", err)
		}
		if keys := pendingKeys(t, sp); len(keys) != 0 || sp.Used() != 0 {
			t.Errorf("got pending %v and %d bytes, want none", keys, sp.Used())
		}
	})
	t.Run("full", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 100)
		addSegment(t, sp, "r/1.mkv", 60, 1)
		path, sum := writeFile(t, segmentBytes(41, 2))
		if err := sp.Add("r/2.mkv", path, sum, ""); !errors.Is(err, ErrSpoolFull) {
			t.Errorf("got %v, want ErrSpoolFull", err)
		}
		addSegment(t, sp, "r/3.mkv", 40, 3) // exactly up to the limit
	})
	t.Run("bad arguments", func(t *testing.T) {
		if _, err := OpenSpool(t.TempDir(), 0); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("zero size limit: got %v, want ErrInvalidArgument", err)
		}
		sp := openTestSpool(t, t.TempDir(), 100)
		path, sum := writeFile(t, []byte("x"))
		if err := sp.Add("", path, sum, ""); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("empty key: got %v, want ErrInvalidArgument", err)
		}
		if err := sp.Add("k", path+".gone", sum, ""); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("missing file: got %v, want ErrInvalidArgument", err)
		}
	})
}

func TestSpoolSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	sp := openTestSpool(t, dir, 1<<20)
	addSegment(t, sp, "r/000001.mkv", 100, 1)
	addSegment(t, sp, "r/000002.mkv", 100, 2)

	// What a crash can leave: a partial write, the data of an Add that never
	// wrote its entry, and an entry whose data already moved to rejected/.
	for name, content := range map[string]string{
		"00000000000000000009-000009.data.tmp": "partial",
		"00000000000000000010-000010.data":     "orphan",
		"00000000000000000011-000011.json":     `{"key":"r/x.mkv"}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	again := openTestSpool(t, dir, 1<<20)
	keys := pendingKeys(t, again)
	if len(keys) != 2 || keys[0] != "r/000001.mkv" || keys[1] != "r/000002.mkv" {
		t.Errorf("got pending %v after restart, want r/000001.mkv r/000002.mkv", keys)
	}
	if got := again.Used(); got != 200 {
		t.Errorf("got %d bytes used after restart, want 200", got)
	}
	for _, gone := range []string{"00000000000000000009-000009.data.tmp",
		"00000000000000000010-000010.data", "00000000000000000011-000011.json"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %s still in the spool (%v), want it cleaned up", gone, err)
		}
	}
	moved := filepath.Join(dir, spoolRejected, "00000000000000000011-000011.json")
	if _, err := os.Stat(moved); err != nil {
		t.Errorf("got %v, want the dataless entry moved to rejected/", err)
	}
}

func TestSpoolFlush(t *testing.T) {
	t.Run("stops while MinIO is unreachable, resumes later", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 1<<20)
		for i := 1; i <= 3; i++ {
			addSegment(t, sp, fmt.Sprintf("r/%06d.mkv", i), 100, byte(i))
		}
		up := &fakeUploader{failures: map[string]error{"r/000002.mkv": ErrUnavailable}}
		n, err := sp.Flush(context.Background(), up)
		if n != 1 || !errors.Is(err, ErrUnavailable) {
			t.Fatalf("got %d uploaded, %v; want 1, ErrUnavailable", n, err)
		}
		if keys := pendingKeys(t, sp); len(keys) != 2 {
			t.Errorf("got pending %v, want the last two", keys)
		}

		delete(up.failures, "r/000002.mkv")
		n, err = sp.Flush(context.Background(), up)
		if n != 2 || err != nil {
			t.Fatalf("got %d uploaded, %v; want 2, nil", n, err)
		}
		want := []string{"r/000001.mkv", "r/000002.mkv", "r/000003.mkv"}
		if fmt.Sprint(up.order) != fmt.Sprint(want) {
			t.Errorf("got upload order %v, want %v", up.order, want)
		}
		if keys := pendingKeys(t, sp); len(keys) != 0 || sp.Used() != 0 {
			t.Errorf("got pending %v and %d bytes, want none", keys, sp.Used())
		}
	})
	t.Run("refused entries move aside", func(t *testing.T) {
		dir := t.TempDir()
		sp := openTestSpool(t, dir, 1<<20)
		addSegment(t, sp, "r/1.mkv", 100, 1)
		addSegment(t, sp, "r/2.mkv", 100, 2)
		up := &fakeUploader{failures: map[string]error{"r/1.mkv": ErrExists}}
		n, err := sp.Flush(context.Background(), up)
		if n != 1 || !errors.Is(err, ErrExists) {
			t.Fatalf("got %d uploaded, %v; want 1, ErrExists", n, err)
		}
		rejected, _ := filepath.Glob(filepath.Join(dir, spoolRejected, "*"))
		if len(rejected) != 2 {
			t.Errorf("got %d files in rejected/, want the entry and its data", len(rejected))
		}
		if keys := pendingKeys(t, sp); len(keys) != 0 || sp.Used() != 0 {
			t.Errorf("got pending %v and %d bytes, want none", keys, sp.Used())
		}
	})
}

func TestSpoolRun(t *testing.T) {
	t.Run("zero interval is off", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 1<<20)
		addSegment(t, sp, "r/1.mkv", 10, 1)
		sp.Run(context.Background(), &fakeUploader{}, 0, nil) // returns at once
		if keys := pendingKeys(t, sp); len(keys) != 1 {
			t.Errorf("got pending %v, want r/1.mkv untouched", keys)
		}
	})
	t.Run("flushes until canceled", func(t *testing.T) {
		sp := openTestSpool(t, t.TempDir(), 1<<20)
		addSegment(t, sp, "r/1.mkv", 10, 1)
		ctx, cancel := context.WithCancel(context.Background())
		reports := make(chan int, 1)
		done := make(chan struct{})
		go func() {
			defer close(done)
			sp.Run(ctx, &fakeUploader{}, 10*time.Millisecond, func(n int, _ error) {
				reports <- n
			})
		}()
		select {
		case n := <-reports:
			if n != 1 {
				t.Errorf("got %d uploaded, want 1", n)
			}
		case <-time.After(5 * time.Second):
			t.Error("got no flush within 5s, want one")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of cancel")
		}
	})
}

// TestSpoolFlushToMinIO is the real path: spooled while MinIO was away,
// uploaded later, with MinIO checking every digest.
func TestSpoolFlushToMinIO(t *testing.T) {
	s := openStore(t, 0)
	sp := openTestSpool(t, t.TempDir(), 1<<20)
	sums := map[string][32]byte{
		"r/000001.mkv": addSegment(t, sp, "r/000001.mkv", 5000, 1),
		"r/000002.mkv": addSegment(t, sp, "r/000002.mkv", 7000, 2),
	}
	n, err := sp.Flush(testContext(t), s)
	if n != 2 || err != nil {
		t.Fatalf("got %d uploaded, %v; want 2, nil", n, err)
	}
	for key, want := range sums {
		assertContent(t, s, key, want)
	}
}

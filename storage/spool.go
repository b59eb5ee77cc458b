package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// uploader is what a Spool needs from the evidence store. PutFile must be
// idempotent for identical content, as Store.PutFile is, because an upload
// interrupted by a crash is tried again after restart.
type uploader interface {
	PutFile(ctx context.Context, key, path string, sum [32]byte, contentType string) error
}

var _ uploader = (*Store)(nil)

// Spool file names: <entry>.data holds the bytes, <entry>.json the entry; an
// entry exists once its .json is in place. Entries that MinIO refuses for
// good move to the rejected/ subdirectory, for a person to look at.
const (
	spoolData     = ".data"
	spoolMeta     = ".json"
	spoolTemp     = ".tmp"
	spoolRejected = "rejected"
)

// SpoolEntry is one object waiting for upload.
type SpoolEntry struct {
	Key         string    `json:"key"`
	SHA256      string    `json:"sha256"` // hex
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Added       time.Time `json:"added"`

	name string // file name without extension
}

// Spool is a directory of objects waiting for upload while MinIO is
// unreachable. It holds at most a fixed number of bytes, and what it holds
// survives a restart: every entry is written and synced before Add returns.
// It is safe for concurrent use by one process; two processes must not
// share a directory.
type Spool struct {
	dir      string
	maxBytes int64

	mu   sync.Mutex
	used int64
	seq  int64
}

// OpenSpool opens (creating it if needed) the spool in dir, holding at most
// maxBytes. Leftovers of an Add cut short by a crash are removed; the
// entries that were complete are kept for Flush.
func OpenSpool(dir string, maxBytes int64) (*Spool, error) {
	if maxBytes <= 0 {
		return nil, fmt.Errorf("open spool %s: %w: size limit %d must be positive",
			dir, ErrInvalidArgument, maxBytes)
	}
	if err := os.MkdirAll(filepath.Join(dir, spoolRejected), 0o700); err != nil {
		return nil, fmt.Errorf("open spool: %w", err)
	}
	sp := &Spool{dir: dir, maxBytes: maxBytes}
	if err := sp.recover(); err != nil {
		return nil, fmt.Errorf("open spool %s: %w", dir, err)
	}
	return sp, nil
}

// recover finishes what a crash interrupted: it removes partial writes
// and the data of entries already uploaded, completes a half-done move to
// rejected/, and counts the bytes of the entries still pending.
func (sp *Spool) recover() error {
	names, err := os.ReadDir(sp.dir)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, d := range names {
		has[d.Name()] = true
	}
	for _, d := range names {
		if err := sp.recoverFile(d.Name(), has); err != nil {
			return err
		}
	}
	entries, err := sp.Pending()
	if err != nil {
		return err
	}
	for _, e := range entries {
		sp.used += e.Size
	}
	return nil
}

func (sp *Spool) recoverFile(name string, has map[string]bool) error {
	path := filepath.Join(sp.dir, name)
	if strings.HasSuffix(name, spoolTemp) {
		return os.Remove(path)
	}
	if base, ok := strings.CutSuffix(name, spoolData); ok && !has[base+spoolMeta] {
		return os.Remove(path) // Add cut short, or uploaded and half removed
	}
	if base, ok := strings.CutSuffix(name, spoolMeta); ok && !has[base+spoolData] {
		// A move to rejected/ cut short (data moves first), or data lost.
		return os.Rename(path, filepath.Join(sp.dir, spoolRejected, name))
	}
	return nil
}

// Used returns the bytes the spool holds.
func (sp *Spool) Used() int64 {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.used
}

// Add copies the file at path into the spool, to be uploaded under key. It
// checks the copy against sum (ErrChecksumMismatch when the file does not
// hash to it) and refuses with ErrSpoolFull when the spool would pass its
// size limit. After Add returns nil the caller may delete its file.
func (sp *Spool) Add(key, path string, sum [32]byte, contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("spool object: %w", err)
	}
	src, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("spool object %s: %w: %w", key, ErrInvalidArgument, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return fmt.Errorf("spool object %s: %w", key, err)
	}
	name, err := sp.reserve(st.Size())
	if err != nil {
		return fmt.Errorf("spool object %s: %w", key, err)
	}
	entry := SpoolEntry{Key: key, SHA256: hex.EncodeToString(sum[:]), Size: st.Size(),
		ContentType: contentType, Added: time.Now().UTC(), name: name}
	if err := sp.write(entry, src, sum); err != nil {
		sp.release(st.Size())
		return fmt.Errorf("spool object %s: %w", key, err)
	}
	return nil
}

// reserve books size bytes and returns a new entry name that sorts after
// every earlier one.
func (sp *Spool) reserve(size int64) (string, error) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.used+size > sp.maxBytes {
		return "", fmt.Errorf("%w: %d bytes held, %d more would pass the limit of %d",
			ErrSpoolFull, sp.used, size, sp.maxBytes)
	}
	sp.used += size
	sp.seq++
	return fmt.Sprintf("%020d-%06d", time.Now().UnixNano(), sp.seq%1_000_000), nil
}

func (sp *Spool) release(size int64) {
	sp.mu.Lock()
	sp.used -= size
	sp.mu.Unlock()
}

// write stores the data, then the entry, each synced and renamed into
// place, so that a crash leaves either a whole entry or none.
func (sp *Spool) write(e SpoolEntry, src io.Reader, sum [32]byte) error {
	dataPath := filepath.Join(sp.dir, e.name+spoolData)
	got, err := writeSynced(dataPath, src)
	if err != nil {
		return err
	}
	if got != sum {
		os.Remove(dataPath)
		return fmt.Errorf("%w: the file hashes to %x, not %x", ErrChecksumMismatch, got, sum)
	}
	meta, err := json.Marshal(e)
	if err != nil {
		os.Remove(dataPath)
		return err
	}
	if _, err := writeSynced(filepath.Join(sp.dir, e.name+spoolMeta),
		bytes.NewReader(meta)); err != nil {
		os.Remove(dataPath)
		return err
	}
	return syncDir(sp.dir)
}

// writeSynced copies r into path through a temporary file, syncs it and
// renames it into place. It returns the SHA-256 of what it wrote.
func writeSynced(path string, r io.Reader) ([32]byte, error) {
	var sum [32]byte
	tmp := path + spoolTemp
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return sum, err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Pending lists the entries waiting for upload, oldest first.
func (sp *Spool) Pending() ([]SpoolEntry, error) {
	matches, err := filepath.Glob(filepath.Join(sp.dir, "*"+spoolMeta))
	if err != nil {
		return nil, err
	}
	sort.Strings(matches)
	entries := make([]SpoolEntry, 0, len(matches))
	for _, m := range matches {
		e, err := readEntry(m)
		if err != nil {
			return nil, fmt.Errorf("read spool entry: %w", err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func readEntry(metaPath string) (SpoolEntry, error) {
	var e SpoolEntry
	b, err := os.ReadFile(metaPath)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%s: %w", metaPath, err)
	}
	e.name = strings.TrimSuffix(filepath.Base(metaPath), spoolMeta)
	return e, nil
}

// Flush uploads the pending entries in the order they were added and
// removes each once stored. It stops at the first entry MinIO could not
// take for now (unreachable, canceled) and returns that error; an entry
// MinIO refuses for good (checksum mismatch, key taken by other content)
// moves to rejected/ and Flush goes on. It returns how many it uploaded
// and the errors of rejected entries, joined.
func (sp *Spool) Flush(ctx context.Context, up uploader) (int, error) {
	entries, err := sp.Pending()
	if err != nil {
		return 0, fmt.Errorf("flush spool: %w", err)
	}
	var rejected []error
	uploaded := 0
	for _, e := range entries {
		err := sp.upload(ctx, up, e)
		switch {
		case err == nil:
			uploaded++
		case permanent(err):
			rejected = append(rejected, err)
			if rerr := sp.reject(e); rerr != nil {
				return uploaded, fmt.Errorf("flush spool: %w", rerr)
			}
		default:
			return uploaded, fmt.Errorf("flush spool: %w", err)
		}
	}
	return uploaded, errors.Join(rejected...)
}

func (sp *Spool) upload(ctx context.Context, up uploader, e SpoolEntry) error {
	var sum [32]byte
	b, err := hex.DecodeString(e.SHA256)
	if err != nil || len(b) != len(sum) {
		return fmt.Errorf("spool entry %s: %w: sha256 %q", e.name, ErrInvalidArgument, e.SHA256)
	}
	copy(sum[:], b)
	dataPath := filepath.Join(sp.dir, e.name+spoolData)
	if err := up.PutFile(ctx, e.Key, dataPath, sum, e.ContentType); err != nil {
		return err
	}
	if err := sp.remove(e); err != nil {
		return fmt.Errorf("remove uploaded spool entry %s: %w", e.name, err)
	}
	return nil
}

// permanent tells whether retrying an upload can never succeed.
func permanent(err error) bool {
	return errors.Is(err, ErrChecksumMismatch) || errors.Is(err, ErrExists) ||
		errors.Is(err, ErrInvalidArgument)
}

// remove deletes an uploaded entry: the entry first, so that a crash
// between the two leaves an orphan data file that recover deletes.
func (sp *Spool) remove(e SpoolEntry) error {
	if err := os.Remove(filepath.Join(sp.dir, e.name+spoolMeta)); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(sp.dir, e.name+spoolData)); err != nil {
		return err
	}
	sp.release(e.Size)
	return nil
}

func (sp *Spool) reject(e SpoolEntry) error {
	for _, ext := range []string{spoolData, spoolMeta} {
		from := filepath.Join(sp.dir, e.name+ext)
		if err := os.Rename(from, filepath.Join(sp.dir, spoolRejected, e.name+ext)); err != nil {
			return fmt.Errorf("move spool entry %s to %s: %w", e.name, spoolRejected, err)
		}
	}
	sp.release(e.Size)
	return nil
}

// Run flushes the spool every interval until ctx ends, handing each
// flush's error to report (which may be nil). A zero interval returns at
// once: the loop is off.
func (sp *Spool) Run(ctx context.Context, up uploader, interval time.Duration,
	report func(uploaded int, err error)) {
	if interval <= 0 {
		return
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			n, err := sp.Flush(ctx, up)
			if report != nil && (n > 0 || err != nil) {
				report(n, err)
			}
		}
	}
}

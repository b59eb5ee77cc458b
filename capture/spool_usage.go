package capture

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// spooledFile is a segment file in the spool waiting to be stored.
type spooledFile struct {
	size    int64
	trackID int64
}

// spoolUsage counts the segment files waiting in the spool to be stored
// against its bound, and shows their bytes in the liuhen_spool_bytes gauge.
// A file leaves the count when it is stored, set aside as unstorable, or
// found gone (removed behind the server's back) when the bound is reached.
type spoolUsage struct {
	max   int64
	gauge prometheus.Gauge

	mu    sync.Mutex
	files map[string]spooledFile
	bytes int64
}

func newSpoolUsage(max int64, files map[string]spooledFile,
	gauge prometheus.Gauge) *spoolUsage {
	u := &spoolUsage{max: max, gauge: gauge, files: map[string]spooledFile{}}
	for path, f := range files {
		u.files[path] = f
		u.bytes += f.size
	}
	gauge.Set(float64(u.bytes))
	return u
}

// add counts a segment file written to the spool and reports the bytes
// now pending and whether they reach the bound.
func (u *spoolUsage) add(path string, trackID, size int64) (used int64, full bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.files[path] = spooledFile{size: size, trackID: trackID}
	u.bytes += size
	u.gauge.Set(float64(u.bytes))
	return u.bytes, u.bytes >= u.max
}

// release uncounts a segment file that is no longer pending.
func (u *spoolUsage) release(path string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.drop(path)
}

func (u *spoolUsage) drop(path string) {
	if f, ok := u.files[path]; ok {
		delete(u.files, path)
		u.bytes -= f.size
		u.gauge.Set(float64(u.bytes))
	}
}

// spoolState is what the spool holds against its bound.
type spoolState struct {
	files       int
	bytes, max  int64
	full        bool
	removedGone int // files found removed behind the server's back
}

// state reports what is pending. When the bound is reached it first
// drops the files that are gone from the disk, so that a spool emptied by
// hand admits publishers again. The disk is looked at without the lock,
// which the segment writers of every live session take.
func (u *spoolUsage) state() spoolState {
	u.mu.Lock()
	var paths []string
	if u.bytes >= u.max {
		paths = make([]string, 0, len(u.files))
		for path := range u.files {
			paths = append(paths, path)
		}
	}
	u.mu.Unlock()

	var missing []string
	for _, path := range paths {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, path)
		}
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	gone := 0
	for _, path := range missing {
		if _, ok := u.files[path]; ok {
			u.drop(path)
			gone++
		}
	}
	return spoolState{files: len(u.files), bytes: u.bytes, max: u.max,
		full: u.bytes >= u.max, removedGone: gone}
}

// pendingOf counts the files of a track that wait to be stored.
func (u *spoolUsage) pendingOf(trackID int64) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	n := 0
	for _, f := range u.files {
		if f.trackID == trackID {
			n++
		}
	}
	return n
}

// spoolFullError says what fills the spool and why: uploads under way, or
// an evidence store that does not take them (failing, the last upload's
// error, which admitSpool logs).
func spoolFullError(st spoolState, failing error) error {
	held := fmt.Sprintf("%d segments (%d bytes; the bound LIUHEN_SPOOL_MAX_BYTES is %d) "+
		"wait in the spool to be uploaded", st.files, st.bytes, st.max)
	if failing != nil {
		// The cause goes to the log only: it names internal addresses.
		return fmt.Errorf("%w: %s, and the evidence store (MinIO) is not taking them "+
			"(the server log has the cause); publish again once it is back", ErrSpoolFull,
			held)
	}
	return fmt.Errorf("%w: %s, and uploads are under way; publish again in a minute",
		ErrSpoolFull, held)
}

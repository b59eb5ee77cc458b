package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/storage"
)

// Retry policy of the steps that store a segment.
const (
	firstRetryWait = 500 * time.Millisecond
	// maxRetryWait caps the back-off, so that segments go up within about
	// ten seconds of MinIO or PostgreSQL answering again.
	maxRetryWait = 10 * time.Second
	// stepTimeout bounds one attempt at a step besides the upload's
	// transfer time, so that a server that accepts connections but never
	// answers (a stopped process, a half-open network) does not hold the
	// queue: minio-go alone waits a minute for response headers, ten times.
	stepTimeout = 15 * time.Second
	// minUploadRate is the slowest uplink an upload attempt is given time
	// for, in bytes a second.
	minUploadRate = 64 << 10
)

// storer stores segments: it uploads each file to the evidence store,
// catalogues it, then removes it from the spool. The Server has one, which
// every archiver and the spool recovery share. Both steps are idempotent,
// so a segment stored before a crash but not unspooled is stored again
// harmlessly: PutFile of the same bytes under the same key and AddSegment
// of the same row both succeed.
type storer struct {
	objects ObjectStore
	catalog Catalog
	metrics *Metrics
	usage   *spoolUsage

	mu      sync.Mutex
	lastErr error // of the last upload, nil once one succeeds
}

// uploadFailing returns the error of the last upload when it failed: the
// evidence store is not taking segments.
func (st *storer) uploadFailing() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.lastErr
}

func (st *storer) noteUpload(err error) {
	if err != nil {
		st.metrics.UploadFailures.Inc()
	}
	if err != nil && unstorable(err) {
		return // this segment's fault, not the store's
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.lastErr = err
}

// store uploads, catalogues and unspools one segment, retrying each step
// with back-off until it succeeds or ctx ends. An error matching
// errUnstorable means no retry can help; any other means ctx ended.
func (st *storer) store(ctx context.Context, logger *slog.Logger, trackID int64, key string,
	seg Segment) error {
	err := retry(ctx, logger, "upload segment", uploadTimeout(seg.Size),
		func(ctx context.Context) error {
			err := st.objects.PutFile(ctx, key, seg.Path, seg.SHA256, contentType(seg.Ext))
			st.noteUpload(err)
			return err
		})
	if err != nil {
		return err
	}
	// The row goes in only once the object is stored, so the catalogue
	// never names an object that is not there.
	row := agenda.SegmentRow{
		Seq: seg.Seq, ObjectKey: key, SHA256: seg.SHA256, Size: seg.Size,
		MediaStart: seg.MediaStart, MediaEnd: seg.MediaEnd,
		WallStart: seg.WallStart, WallEnd: seg.WallEnd, Gaps: gapRows(seg.Gaps),
	}
	err = retry(ctx, logger, "catalogue segment", stepTimeout, func(ctx context.Context) error {
		return st.catalog.AddSegment(ctx, trackID, row)
	})
	if err != nil {
		return err
	}
	st.metrics.SegmentsStored.Inc()
	st.metrics.BytesStored.Add(float64(seg.Size))
	logger.Info("segment stored", "key", key, "bytes", seg.Size,
		"sha256", fmt.Sprintf("%x", seg.SHA256))
	st.usage.release(seg.Path) // stored: no longer pending, even if a copy stays
	if err := unspool(seg.Path); err != nil {
		logger.Warn("remove stored segment from spool", "path", seg.Path, "err", err)
	}
	return nil
}

// setAside keeps an unstorable segment in the spool, out of every later
// start's way, and says so loudly.
func (st *storer) setAside(logger *slog.Logger, seg Segment, err error) {
	st.metrics.SegmentsUnstorable.Inc()
	st.usage.release(seg.Path)
	logger.Error("segment cannot be stored; its file stays in the spool for inspection "+
		"and no longer counts against LIUHEN_SPOOL_MAX_BYTES", "seq", seg.Seq,
		"path", seg.Path, "bytes", seg.Size, "err", err)
	if err := setAside(seg.Path); err != nil {
		logger.Error("set aside unstorable segment", "path", seg.Path, "err", err)
	}
}

// archiver stores the finished segments of one track, in order, through
// the server's storer. A failed step is retried until it succeeds or the
// server gives up on uploads at shutdown; the file and its spool record
// stay until then, and the next start stores them (Server.recoverSpool).
type archiver struct {
	st      *storer
	logger  *slog.Logger
	trackID int64
	prefix  string // object key prefix of the track
	// stop ends the session; the archiver calls it when the spool is full.
	stop func(state, reason string)

	mu       sync.Mutex
	pending  []Segment
	closed   bool
	overflow bool          // the spool filled up; stop has been called
	lost     bool          // a segment was set aside as unstorable
	written  int           // segments the segmenter finished, stored or not
	end      time.Duration // where the last of them ends on the recording's timeline
	wake     chan struct{}
	done     chan struct{}
}

// TODO(key-namespace): keys are made of database ids alone, so a new or
// restored database on a bucket that already holds evidence reuses keys
// that are locked with other bytes, and its segments are set aside as
// unstorable. A random id kept in the database at its first migration,
// put in front of every key, would keep each database's evidence apart.
func newArchiver(st *storer, logger *slog.Logger, ref agenda.TrackRef,
	stop func(state, reason string)) *archiver {
	return &archiver{
		st:      st,
		logger:  logger,
		trackID: ref.TrackID,
		prefix: fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/",
			ref.MeetingID, ref.RecordingID, ref.TrackID),
		stop: stop,
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
}

// add queues a finished segment. It does not wait for the store: the
// segmenter calls it from the media path. It writes the segment's spool
// record first, so that the segment survives a restart.
//
// When the spool reaches its bound, add ends the session as interrupted:
// the segment at hand is kept and stored like the others, but the
// recording stops rather than fill the disk, which would lose segments
// without a trace. The track ends "interrupted", which verify reports
// (RECORDING_INTERRUPTED), and the server refuses new publishers until
// uploads make room.
func (a *archiver) add(seg Segment) {
	if err := writeRecord(seg, newSpoolRecord(a.key(seg), a.trackID, seg)); err != nil {
		a.logger.Error("segment has no spool record; a restart before it is stored loses it",
			"path", seg.Path, "err", err)
	}
	used, full := a.st.usage.add(seg.Path, a.trackID, seg.Size)
	a.mu.Lock()
	a.pending = append(a.pending, seg)
	a.written++
	a.end = max(a.end, seg.MediaEnd)
	overflow, queued := full && !a.overflow, len(a.pending)
	a.overflow = a.overflow || full
	a.mu.Unlock()
	a.st.metrics.PendingUploads.Inc()
	a.signal()
	if overflow {
		a.st.metrics.SpoolFull.Inc()
		a.logger.Error("spool full: segments are not reaching the evidence store; "+
			"ending this recording as interrupted (raise LIUHEN_SPOOL_MAX_BYTES or "+
			"bring MinIO back)", "spool_bytes", used, "max_bytes", a.st.usage.max,
			"queued", queued)
		a.stop(stateInterrupted, "spool full")
	}
}

// segmentsWritten is how many segments the track's segmenter finished.
func (a *archiver) segmentsWritten() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.written
}

// mediaEnd is where the last segment the track's segmenter finished ends
// on the recording's timeline; 0 when it finished none.
func (a *archiver) mediaEnd() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.end
}

// finish says no more segments will come; run returns once the queue is
// empty.
func (a *archiver) finish() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.signal()
}

func (a *archiver) signal() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// run stores queued segments until finish has been called and the queue
// is empty, or ctx ends. It reports whether every segment was stored.
func (a *archiver) run(ctx context.Context) bool {
	defer close(a.done)
	for {
		next, closed := a.next()
		if next == nil {
			if closed {
				a.mu.Lock()
				defer a.mu.Unlock()
				return !a.lost
			}
			select {
			case <-a.wake:
				continue
			case <-ctx.Done():
				return false
			}
		}
		err := a.st.store(ctx, a.logger, a.trackID, a.key(*next), *next)
		if err != nil && !errors.Is(err, errUnstorable) {
			a.logger.Warn("segment left in spool for the next start", "seq", next.Seq,
				"path", next.Path, "err", err)
			return false
		}
		if err != nil {
			a.st.setAside(a.logger, *next, err)
		}
		a.mu.Lock()
		a.pending = a.pending[1:]
		a.lost = a.lost || err != nil
		a.mu.Unlock()
		a.st.metrics.PendingUploads.Dec()
	}
}

// next returns the first queued segment, if any, and whether finish has
// been called.
func (a *archiver) next() (*Segment, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.pending) == 0 {
		return nil, a.closed
	}
	seg := a.pending[0]
	return &seg, a.closed
}

func (a *archiver) key(seg Segment) string {
	return fmt.Sprintf("%s%06d.%s", a.prefix, seg.Seq, seg.Ext)
}

func contentType(ext string) string {
	if ext == "webm" {
		return "video/webm"
	}
	return "video/x-matroska"
}

// uploadTimeout gives one upload attempt stepTimeout plus the time to send
// size bytes at minUploadRate.
func uploadTimeout(size int64) time.Duration {
	return stepTimeout + time.Duration(size/minUploadRate)*time.Second
}

// retry calls op, each time with at most timeout, until it succeeds, fails
// for good (see unstorable) or ctx ends. It waits firstRetryWait after the
// first failure, doubling up to maxRetryWait.
func retry(ctx context.Context, logger *slog.Logger, what string, timeout time.Duration,
	op func(context.Context) error) error {
	wait := firstRetryWait
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, timeout)
		err := op(attemptCtx)
		cancel()
		switch {
		case err == nil:
			return nil
		case unstorable(err):
			return fmt.Errorf("%s: %w: %w", what, errUnstorable, err)
		case ctx.Err() != nil:
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		}
		logger.Warn(what+" failed; retrying", "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// unstorable tells the errors no retry can fix: the spooled file is gone
// or no longer has its SHA-256, another object holds the key, another
// segment holds the seq, the row is invalid, or the track does not exist.
// Everything else (MinIO or PostgreSQL unreachable, timeouts, server
// errors) is retried.
func unstorable(err error) bool {
	var conflict *agenda.ConflictError
	var invalid *agenda.ValidationError
	return errors.Is(err, storage.ErrInvalidArgument) || errors.Is(err, storage.ErrExists) ||
		errors.Is(err, storage.ErrChecksumMismatch) || errors.Is(err, agenda.ErrNotFound) ||
		errors.As(err, &conflict) || errors.As(err, &invalid)
}

func gapRows(gaps []Gap) []agenda.SegmentGap {
	rows := make([]agenda.SegmentGap, len(gaps))
	for i, g := range gaps {
		rows[i] = agenda.SegmentGap{Video: g.Video, StartMs: g.Start.Milliseconds(),
			EndMs: g.End.Milliseconds(), Lost: g.Lost}
	}
	return rows
}

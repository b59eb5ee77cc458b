package capture

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

// archiver stores the finished segments of one track, in order: it uploads
// each file to the evidence store, catalogues it, then removes it from the
// spool. A failed step is retried with back-off until it succeeds or the
// server stops; the file and its spool record stay until then, and the
// next start stores them (Server.recoverSpool).
//
// TODO(spool-quota): the spool has no size bound; while MinIO is down it
// grows until the disk is full. A quota with an alarm (log, metric, a
// verify finding) would make the failure loud before data is lost.
type archiver struct {
	objects ObjectStore
	catalog Catalog
	metrics *Metrics
	logger  *slog.Logger
	trackID int64
	prefix  string // object key prefix of the track

	mu      sync.Mutex
	pending []Segment
	closed  bool
	wake    chan struct{}
	done    chan struct{}
}

func newArchiver(objects ObjectStore, catalog Catalog, m *Metrics, logger *slog.Logger,
	ref agenda.TrackRef) *archiver {
	return &archiver{
		objects: objects,
		catalog: catalog,
		metrics: m,
		logger:  logger,
		trackID: ref.TrackID,
		prefix: fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/",
			ref.MeetingID, ref.RecordingID, ref.TrackID),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
}

// add queues a finished segment. It does not wait for the store: the
// segmenter calls it from the media path. It writes the segment's spool
// record first, so that the segment survives a restart.
func (a *archiver) add(seg Segment) {
	if err := writeRecord(seg, newSpoolRecord(a.key(seg), a.trackID, seg)); err != nil {
		a.logger.Error("segment has no spool record; a restart before it is stored loses it",
			"path", seg.Path, "err", err)
	}
	a.mu.Lock()
	a.pending = append(a.pending, seg)
	a.mu.Unlock()
	a.metrics.PendingUploads.Inc()
	a.signal()
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
		a.mu.Lock()
		var next *Segment
		if len(a.pending) > 0 {
			next = &a.pending[0]
		}
		closed := a.closed
		a.mu.Unlock()

		if next == nil {
			if closed {
				return true
			}
			select {
			case <-a.wake:
				continue
			case <-ctx.Done():
				return false
			}
		}
		if err := a.store(ctx, *next); err != nil {
			a.logger.Warn("segment left in spool", "seq", next.Seq, "path", next.Path, "err", err)
			return false
		}
		a.mu.Lock()
		a.pending = a.pending[1:]
		a.mu.Unlock()
		a.metrics.PendingUploads.Dec()
	}
}

func (a *archiver) key(seg Segment) string {
	return fmt.Sprintf("%s%06d.%s", a.prefix, seg.Seq, seg.Ext)
}

func (a *archiver) store(ctx context.Context, seg Segment) error {
	return storeSegment(ctx, a.objects, a.catalog, a.metrics, a.logger, a.trackID, a.key(seg), seg)
}

// storeSegment uploads, catalogues and unspools one segment, retrying each
// step. Both steps are idempotent, so a segment stored before a crash but
// not unspooled is stored again harmlessly.
func storeSegment(ctx context.Context, objects ObjectStore, catalog Catalog, m *Metrics,
	logger *slog.Logger, trackID int64, key string, seg Segment) error {
	err := retry(ctx, logger, "upload segment", func() error {
		err := objects.PutFile(ctx, key, seg.Path, seg.SHA256, contentType(seg.Ext))
		if err != nil {
			m.UploadFailures.Inc()
		}
		return err
	})
	if err != nil {
		return err
	}
	row := agenda.SegmentRow{
		Seq: seg.Seq, ObjectKey: key, SHA256: seg.SHA256, Size: seg.Size,
		MediaStart: seg.MediaStart, MediaEnd: seg.MediaEnd,
		WallStart: seg.WallStart, WallEnd: seg.WallEnd,
	}
	err = retry(ctx, logger, "catalogue segment", func() error {
		return catalog.AddSegment(ctx, trackID, row)
	})
	if err != nil {
		return err
	}
	m.SegmentsStored.Inc()
	m.BytesStored.Add(float64(seg.Size))
	logger.Info("segment stored", "key", key, "bytes", seg.Size,
		"sha256", fmt.Sprintf("%x", seg.SHA256))
	if err := unspool(seg.Path); err != nil {
		logger.Warn("remove stored segment from spool", "path", seg.Path, "err", err)
	}
	return nil
}

func contentType(ext string) string {
	if ext == "webm" {
		return "video/webm"
	}
	return "video/x-matroska"
}

// retry calls op until it succeeds or ctx ends, waiting 0.5 s after the
// first failure and doubling up to 30 s.
func retry(ctx context.Context, logger *slog.Logger, what string, op func() error) error {
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		logger.Warn(what+" failed; retrying", "attempt", attempt, "wait", wait, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

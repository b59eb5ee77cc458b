package viewing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/liuhen/liuhen/storage"
)

// River queues of the package: transcoding takes minutes, so the sweep
// has its own queue and is never stuck behind it.
const (
	queueTranscode = "viewing_copies"
	queueSweep     = "viewing_sweep"
)

// Job time limits. On two cores a copy of 640x360 takes about a twentieth
// of the recording's length and one of 1280x720 about a third
// (BENCHMARKS.md); larger pictures take longer still. So a job may take
// three times the recording's length plus a margin for fetching and
// storing; past jobTimeoutCap it is stopped. A job whose worker died is
// run again after a day (internal/jobs).
//
// TODO(rescue): until then the job, and its row, say "running"; River
// cannot tell a dead process's job from a long one. A heartbeat in the row
// (updated_at while transcoding) that the sweep checks would find it within
// minutes.
const (
	jobTimeoutBase = 15 * time.Minute
	jobTimeoutCap  = 20 * time.Hour
	// snoozeAfterStop is when a job cut off by a shutdown may run again;
	// the next start runs it once this has passed.
	snoozeAfterStop = 5 * time.Second
	// snoozeUnavailable is how long a job waits for an unreachable MinIO.
	snoozeUnavailable = time.Minute
)

// TranscodeArgs is the job that makes the viewing copy of one recording.
type TranscodeArgs struct {
	RecordingID int64 `json:"recording_id"`
	// LengthMs is the recording's length, which sets the job's time limit.
	LengthMs int64 `json:"length_ms"`
}

// Kind names the job in River's tables.
func (TranscodeArgs) Kind() string { return "liuhen_viewing_copy" }

// InsertOpts puts the job on the transcoding queue, once per recording.
func (TranscodeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueTranscode, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SweepArgs is the periodic job that queues a TranscodeArgs for every
// recording that ended without a viewing copy: those that ended while this
// server ran, and those that ended in a crash and were closed at the next
// start.
type SweepArgs struct{}

// Kind names the job in River's tables.
func (SweepArgs) Kind() string { return "liuhen_viewing_sweep" }

// InsertOpts puts the job on the sweep queue.
func (SweepArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: queueSweep} }

// jobTimeout is how long a copy of a recording of length may take.
func jobTimeout(length time.Duration) time.Duration {
	return min(jobTimeoutBase+3*max(length, 0), jobTimeoutCap)
}

// sweepWorker runs SweepArgs.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	pool        *pgxpool.Pool
	maxAttempts int
	logger      *slog.Logger
}

// Work adds the rows and jobs of ended recordings in one transaction.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("sweep ended recordings: %w", err)
	}
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		ended, err := claimEnded(ctx, tx)
		if err != nil || len(ended) == 0 {
			return err
		}
		params := make([]river.InsertManyParams, len(ended))
		for i, e := range ended {
			params[i] = river.InsertManyParams{
				Args: TranscodeArgs{RecordingID: e.id, LengthMs: e.length.Milliseconds()},
				// Queue and uniqueness come from TranscodeArgs.InsertOpts.
				InsertOpts: &river.InsertOpts{MaxAttempts: w.maxAttempts},
			}
			w.logger.Info("viewing copy queued", logKeyRecording, e.id)
		}
		if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
			return fmt.Errorf("queue viewing copies: %w", err)
		}
		return nil
	})
}

// transcodeWorker runs TranscodeArgs.
type transcodeWorker struct {
	river.WorkerDefaults[TranscodeArgs]
	maker *maker
}

// Timeout grows with the recording's length.
func (w *transcodeWorker) Timeout(job *river.Job[TranscodeArgs]) time.Duration {
	return jobTimeout(time.Duration(job.Args.LengthMs) * time.Millisecond)
}

// Work makes the copy, recording each attempt and its error in the row.
func (w *transcodeWorker) Work(ctx context.Context, job *river.Job[TranscodeArgs]) error {
	return w.maker.attempt(ctx, attempt{recordingID: job.Args.RecordingID, jobID: job.ID,
		n: job.Attempt, max: job.MaxAttempts, timeout: w.Timeout(job)})
}

// Log keys.
const (
	logKeyRecording = "recording"
	logKeyJob       = "job"
	logKeyAttempt   = "attempt"
)

// maker makes viewing copies.
type maker struct {
	store   *store
	objects Objects
	spool   Spool // nil when no recorder runs in this process
	// notReadyWait is how long a recording not ready waits (snoozeNotReady).
	notReadyWait time.Duration
	http         *http.Client
	tempDir      string
	threads      int
	logger       *slog.Logger
}

// attempt is one try of one job.
type attempt struct {
	recordingID, jobID int64
	n, max             int
	timeout            time.Duration
}

// attempt makes the copy once. A failure is written to the row before it
// goes back to River, which retries it until the attempts are spent;
// failures that another try cannot mend cancel the job at once.
func (m *maker) attempt(ctx context.Context, a attempt) error {
	log := m.logger.With(logKeyRecording, a.recordingID, logKeyJob, a.jobID,
		logKeyAttempt, a.n)
	if err := m.store.markRunning(ctx, a.recordingID, a.jobID, a.n); err != nil {
		if errors.Is(err, ErrNotFound) {
			return river.JobCancel(err)
		}
		return err
	}
	started := time.Now()
	c, err := m.build(ctx, a)
	if err == nil {
		log.Info("viewing copy stored", "key", c.key, "bytes", c.size,
			"duration", c.duration, "took", time.Since(started).Round(time.Millisecond))
		return nil
	}
	// The row must say why even when ctx has ended.
	rowCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if errors.Is(ctx.Err(), context.Canceled) {
		// The server is stopping (Runner.Stop): the job waits for the next
		// start without spending an attempt.
		err = fmt.Errorf("stopped by a server shutdown; it runs again at the next start: %w",
			err)
		m.fail(rowCtx, log, a.recordingID, err, false)
		return river.JobSnooze(snoozeAfterStop)
	}
	if errors.Is(err, ErrNotReady) {
		// Segments are on their way: wait for them without spending an
		// attempt, and say so in the row.
		if rerr := m.store.markFailed(rowCtx, a.recordingID, err, false); rerr != nil {
			log.Error("record waiting viewing copy", "err", rerr)
		}
		log.Info("viewing copy waits for segments", "err", err, "wait", m.notReadyWait)
		return river.JobSnooze(m.notReadyWait)
	}
	if errors.Is(err, storage.ErrUnavailable) {
		// MinIO is down, which is no fault of this copy: wait for it
		// without spending an attempt.
		m.fail(rowCtx, log, a.recordingID, err, false)
		return river.JobSnooze(snoozeUnavailable)
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("stopped at its time limit of %v: %w", a.timeout, err)
	}
	permanent := errors.Is(err, ErrNoSource) || errors.Is(err, ErrSourceChanged) ||
		errors.Is(err, ErrBadSource)
	m.fail(rowCtx, log, a.recordingID, err, permanent || a.n >= a.max)
	if permanent {
		return river.JobCancel(err)
	}
	return err
}

// fail records a failed attempt in the row and the log.
func (m *maker) fail(ctx context.Context, log *slog.Logger, recordingID int64, err error,
	final bool) {
	if rerr := m.store.markFailed(ctx, recordingID, err, final); rerr != nil {
		log.Error("record failed viewing copy", "err", rerr)
	}
	log.Warn("viewing copy failed", "err", err, "final", final)
}

// build fetches the masters, transcodes, stores the copy and records it.
//
// It waits (ErrNotReady) while segments of the recording are on their way.
//
// TODO(late-segments): segments waiting in the spool of another process
// (LIUHEN_TRANSCODE_WORKERS=0 beside a recorder) after a crash, whose
// count no track row knows, are not waited for, so the copy holds what is
// stored by then. The row's sources tell which; a sweep that re-queues
// done copies whose track has gained segments since (with a generation in
// TranscodeArgs, which is unique by its arguments) would bring them in.
func (m *maker) build(ctx context.Context, a attempt) (finishedCopy, error) {
	if err := m.checkReady(ctx, a.recordingID); err != nil {
		return finishedCopy{}, err
	}
	src, err := m.store.loadSource(ctx, a.recordingID)
	if err != nil {
		return finishedCopy{}, err
	}
	dir, err := os.MkdirTemp(m.tempDir, "liuhen-viewing-")
	if err != nil {
		return finishedCopy{}, fmt.Errorf("make work directory: %w", err)
	}
	defer os.RemoveAll(dir)

	c := finishedCopy{trackID: src.trackID, key: copyKey(src.meetingID, a)}
	inputs := make([]string, len(src.segments))
	for i, g := range src.segments {
		if inputs[i], err = fetchSegment(ctx, m.objects, m.http, dir, g); err != nil {
			return c, err
		}
		c.sources = append(c.sources, g.key)
		c.sourceSum = append(c.sourceSum, g.sum[:])
	}
	out := filepath.Join(dir, "recording.mp4")
	res, err := Transcode(ctx, inputs, out, TranscodeOptions{End: src.end, Threads: m.threads})
	if err != nil {
		return c, err
	}
	c.duration = res.Duration
	if res.BadPackets > 0 || res.Dropped > 0 {
		m.logger.Warn("viewing copy made around damaged frames", logKeyRecording, a.recordingID,
			"bad_packets", res.BadPackets, "dropped_pictures", res.Dropped)
	}
	if c.sum, c.size, err = hashFile(out); err != nil {
		return c, err
	}
	// TODO(retention): the copy is locked for the bucket's compliance
	// retention like the evidence, and so is the object of an attempt that
	// stored it but failed to record it; a retention of its own for the
	// viewing/ prefix (or a bucket for copies) would let such copies go.
	if err := m.objects.PutFile(ctx, c.key, out, c.sum, "video/mp4"); err != nil {
		return c, fmt.Errorf("store viewing copy: %w", err)
	}
	return c, m.store.markDone(ctx, a.recordingID, c)
}

// copyKey names a copy apart from the masters. Every attempt gets its own
// key: the bucket's object lock forbids replacing an object that an
// attempt stored before it failed to record it.
func copyKey(meetingID int64, a attempt) string {
	return fmt.Sprintf("viewing/meetings/%d/recordings/%d/recording-j%d-a%d.mp4",
		meetingID, a.recordingID, a.jobID, a.n)
}

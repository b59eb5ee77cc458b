package agenda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// recorderLockClass is the first key of the two-key advisory locks that
// recorders hold (the second is the recorder id); two-key locks do not
// collide with the one-key locks other code (River) takes.
const recorderLockClass = 0x4c48 // "LH"

// recorderCheck is how often a recorder checks that it still holds its
// lock, and takes it again after its connection was lost.
const recorderCheck = 15 * time.Second

// Recorder is a running server's claim on the tracks it records: an id
// drawn from the recorder_ids sequence and a session-level advisory lock
// on it, held on a connection of its own for as long as the server runs.
// Tracks opened through a store made with (*Store).As carry the id. A
// server that starts interrupts the open tracks of recorders whose lock it
// can take (InterruptAbandoned): their process is gone, since PostgreSQL
// releases a session's locks when its connection ends. So several servers
// may record into one database, and one that starts, or fails to, leaves
// the others' live recordings alone.
type Recorder struct {
	ID     int32
	logger *slog.Logger
	cfg    *pgx.ConnConfig

	mu     sync.Mutex
	conn   *pgx.Conn
	cancel context.CancelFunc
	done   chan struct{}
}

// ClaimRecorder draws a recorder id and locks it on a connection of its
// own, made with pool's settings, then keeps checking the lock until
// Close. When the connection is lost (PostgreSQL restarted) it connects
// again and takes the lock again.
//
// TODO(recorder-lock): between the loss of the connection and the next
// check (up to recorderCheck), a server that starts counts this one as
// gone and interrupts its live tracks. A lease renewed in a table, which
// a starting server must see expire, would close that window.
func ClaimRecorder(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) (*Recorder,
	error) {
	cfg := pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams = keepalives(cfg.RuntimeParams)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("claim recorder id: %w", err)
	}
	r := &Recorder{logger: logger, cfg: cfg, conn: conn, done: make(chan struct{})}
	err = conn.QueryRow(ctx, `SELECT id, pg_advisory_lock($1, id)::text
		FROM (SELECT nextval('recorder_ids')::integer AS id) n`, recorderLockClass).
		Scan(&r.ID, new(string))
	if err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("claim recorder id: %w", err)
	}
	var keepCtx context.Context
	keepCtx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go r.keep(keepCtx)
	return r, nil
}

// The lock's connections ask PostgreSQL to probe them (TCP keepalives,
// sent as run-time parameters when each connects), so that the lock of a
// server whose host vanished without closing it (power loss) is released
// within about a minute rather than hours.
var keepaliveParams = map[string]string{
	"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3",
}

// keepalives returns params with the keepalive parameters added.
func keepalives(params map[string]string) map[string]string {
	out := make(map[string]string, len(params)+len(keepaliveParams))
	maps.Copy(out, params)
	maps.Copy(out, keepaliveParams)
	return out
}

// keep checks every recorderCheck that the lock is still held, and takes
// it again on a new connection when it is not.
func (r *Recorder) keep(ctx context.Context) {
	defer close(r.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(recorderCheck):
		}
		if err := r.check(ctx); err != nil && ctx.Err() == nil {
			r.logger.Error("recorder lock lost; a server starting now would mark this "+
				"server's live recordings interrupted", "recorder", r.ID, "err", err)
		}
	}
}

func (r *Recorder) check(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	checkCtx, cancel := context.WithTimeout(ctx, recorderCheck)
	defer cancel()
	var held bool
	err := r.conn.QueryRow(checkCtx, `SELECT EXISTS (SELECT 1 FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
		AND pid = pg_backend_pid() AND granted)`, recorderLockClass, r.ID).Scan(&held)
	if err == nil && held {
		return nil
	}
	_ = r.conn.Close(checkCtx)
	conn, err := pgx.ConnectConfig(checkCtx, r.cfg)
	if err != nil {
		return fmt.Errorf("connect again: %w", err)
	}
	r.conn = conn
	err = conn.QueryRow(checkCtx, `SELECT pg_try_advisory_lock($1, $2)`, recorderLockClass,
		r.ID).Scan(&held)
	if err != nil {
		return fmt.Errorf("lock recorder %d again: %w", r.ID, err)
	}
	if !held {
		return fmt.Errorf("lock recorder %d again: %w", r.ID, errRecorderTaken)
	}
	r.logger.Warn("recorder lock taken again after its connection was lost", "recorder", r.ID)
	return nil
}

var errRecorderTaken = errors.New("another server holds it: it is marking this server's " +
	"tracks interrupted")

// Close stops checking and releases the lock. A Recorder whose process
// dies releases it too, with its connection.
func (r *Recorder) Close(ctx context.Context) error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	// Unlock first: closing the connection releases the lock too, but only
	// once its backend has exited, after Close has returned; a server that
	// starts meanwhile would count this one as running.
	_, _ = r.conn.Exec(ctx, `SELECT pg_advisory_unlock($1, $2)`, recorderLockClass, r.ID)
	if err := r.conn.Close(ctx); err != nil {
		return fmt.Errorf("release recorder %d: %w", r.ID, err)
	}
	return nil
}

// As returns a store whose OpenTrack marks tracks as rec's.
func (s *Store) As(rec *Recorder) *Store {
	return &Store{pool: s.pool, recorderID: &rec.ID}
}

// InterruptAbandoned marks as "interrupted" the open tracks that no
// running server records: those of recorders whose lock it can take, as
// their process is gone, and those without a recorder (opened before
// recorders were kept). A recording none of whose tracks stays open ends
// with them (see endRecordingIfIdle). Each track ends where its last
// stored segment ends, or at at when it stored none. self is the
// recorder of the calling server, whose tracks are never touched. It
// returns how many tracks it interrupted.
func (s *Store) InterruptAbandoned(ctx context.Context, self *Recorder, at time.Time) (int,
	error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("interrupt abandoned tracks: %w", err)
	}
	defer conn.Release()
	gone, err := goneRecorders(ctx, conn, self.ID)
	// Locks taken are released whatever happens: ids are not reused, so
	// holding them on would only confuse.
	defer func() {
		for _, id := range gone {
			_, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, $2)`,
				recorderLockClass, id)
		}
	}()
	if err != nil {
		return 0, fmt.Errorf("interrupt abandoned tracks: %w", err)
	}
	var n int
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		n, err = interruptTracks(ctx, tx, gone, at)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("interrupt abandoned tracks: %w", err)
	}
	return n, nil
}

// goneRecorders takes the locks of the recorders, other than self, of
// open tracks that it can, and returns their ids: while it holds them, no
// server runs as those recorders.
func goneRecorders(ctx context.Context, conn *pgxpool.Conn, self int32) ([]int32, error) {
	rows, err := conn.Query(ctx, `SELECT DISTINCT recorder_id FROM tracks
		WHERE state = 'recording' AND recorder_id IS NOT NULL AND recorder_id <> $1`, self)
	if err != nil {
		return nil, fmt.Errorf("list recorders of open tracks: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("list recorders of open tracks: %w", err)
	}
	var gone []int32
	for _, id := range ids {
		var free bool
		err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, recorderLockClass,
			id).Scan(&free)
		if err != nil {
			return gone, fmt.Errorf("try lock of recorder %d: %w", id, err)
		}
		if free {
			gone = append(gone, id)
		}
	}
	return gone, nil
}

// interruptTracks interrupts the open tracks of the gone recorders and
// those without one, and ends their recordings that are left idle. It
// locks the recordings first, as CloseTrack does, so that a track another
// server adds meanwhile is seen.
func interruptTracks(ctx context.Context, tx pgx.Tx, gone []int32, at time.Time) (int, error) {
	const abandoned = `state = 'recording' AND (recorder_id IS NULL OR recorder_id = ANY($1))`
	rows, err := tx.Query(ctx, `SELECT id FROM recordings WHERE id IN (
		SELECT recording_id FROM tracks WHERE `+abandoned+`) ORDER BY id FOR UPDATE`, gone)
	if err != nil {
		return 0, fmt.Errorf("lock recordings: %w", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("lock recordings: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE tracks t SET state = 'interrupted',
			end_reason = 'its server stopped without ending it',
			ended_at = GREATEST(t.started_at, COALESCE((SELECT max(s.wall_end)
				FROM segments s WHERE s.track_id = t.id), $2))
		WHERE recording_id = ANY($3) AND `+abandoned, gone, at, recs)
	if err != nil {
		return 0, fmt.Errorf("end tracks: %w", err)
	}
	for _, id := range recs {
		if err := endRecordingIfIdle(ctx, tx, id, at); err != nil {
			return 0, err
		}
	}
	return int(tag.RowsAffected()), nil
}

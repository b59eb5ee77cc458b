package agenda

import "context"

// LockSetting reads a run-time setting of the connection that holds r's
// lock.
func (r *Recorder) LockSetting(ctx context.Context, name string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var v string
	err := r.conn.QueryRow(ctx, `SELECT current_setting($1)`, name).Scan(&v)
	return v, err
}

// CheckLock runs r's periodic check now: it takes the lock again on a new
// connection when the old one is lost.
func (r *Recorder) CheckLock(ctx context.Context) error { return r.check(ctx) }

// RecorderLockClass is the first key of recorders' advisory locks.
const RecorderLockClass = recorderLockClass

package storage

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Bounds of the calls a request makes. minio-go waits a minute for
// response headers and retries ten times, so a MinIO that accepts
// connections but never answers (a stopped process, a half-open network)
// would hold a request for many minutes; each call here ends sooner and
// reports ErrUnavailable.
const (
	// DefaultCallTimeout bounds a call that moves no object bytes (stat,
	// presign, bucket checks), and each step of a rehash, when
	// Config.CallTimeout is 0.
	DefaultCallTimeout = 15 * time.Second
)

// callTimeout is the bound of a call that moves no object bytes.
func (s *Store) callTimeout() time.Duration {
	if s.cfg.CallTimeout > 0 {
		return s.cfg.CallTimeout
	}
	return DefaultCallTimeout
}

// bounded runs op with at most d of ctx. When d ends first, the error
// matches ErrUnavailable and says how long MinIO was waited for; when ctx
// ends first, its own error is kept.
func (s *Store) bounded(ctx context.Context, d time.Duration,
	op func(context.Context) error) error {
	callCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := op(callCtx)
	if err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: MinIO at %s did not answer within %v",
			ErrUnavailable, s.cfg.Endpoint, d)
	}
	return err
}

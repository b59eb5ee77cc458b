// Package storage keeps evidence objects in MinIO: a bucket with object
// locking, uploads whose SHA-256 MinIO verifies on receipt, compliance
// retention on every object, re-hashing and presigned reads.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Store is the evidence store on one MinIO bucket. It is safe for
// concurrent use.
type Store struct {
	client *minio.Client
	// reads carries Rehash's GETs (see getObject and readsVia).
	reads http.RoundTripper
	// region is the bucket's region once known (see location).
	region atomic.Pointer[string]
	cfg    Config
}

// Open validates cfg, connects to MinIO and makes sure the bucket exists
// with object locking (see EnsureBucket).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.EnsureBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenExisting is Open for the commands that read the evidence or add to
// it: the bucket must exist with object locking, and it is never created.
// Only the server creates the bucket. A mistyped LIUHEN_MINIO_BUCKET would
// otherwise make a new, empty bucket, in which every segment of the old
// one is missing, and a check of them would report them all removed.
func OpenExisting(ctx context.Context, cfg Config) (*Store, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	exists, err := s.bucketExists(ctx)
	if err != nil {
		return nil, fmt.Errorf("check bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		return nil, fmt.Errorf("%w: MinIO at %s has none named %q: check "+
			"LIUHEN_MINIO_BUCKET (`liuhen serve` creates the bucket, with object locking, "+
			"the first time it starts)", ErrBucketMissing, cfg.Endpoint, cfg.Bucket)
	}
	if err := s.checkObjectLock(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// New validates cfg and makes a store without calling MinIO: no bucket
// check, so its calls fail with ErrUnavailable until MinIO answers. Open
// is New and EnsureBucket.
func New(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// TODO(retries): minio-go retries a failed request up to ten times with
	// backoff capped at 1 s; a refused connection fails at once, but a
	// half-open network can hold a Put ~10 s before the caller spools.
	// A MaxRetries setting would shorten that if capture needs it.
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
		// Needed to send our own x-amz-checksum-sha256 header (see Put).
		TrailingHeaders: true,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: LIUHEN_MINIO_ENDPOINT=%q: %v",
			ErrInvalidConfig, cfg.Endpoint, err)
	}
	return &Store{client: client,
		reads: readsVia(cfg.Endpoint, cfg.Secure, http.ProxyFromEnvironment), cfg: cfg}, nil
}

// Bucket returns the name of the bucket the store writes to.
func (s *Store) Bucket() string { return s.cfg.Bucket }

// EnsureBucket creates the bucket with object locking and a default
// compliance retention of cfg.Retention (rounded up to days) when it is
// absent. When it exists, EnsureBucket checks that object locking is on and
// returns ErrObjectLockDisabled if not; it leaves an existing bucket's
// default retention as it is.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.bucketExists(ctx)
	if err != nil {
		return fmt.Errorf("check bucket %s: %w", s.cfg.Bucket, err)
	}
	if !exists {
		return s.createBucket(ctx)
	}
	return s.checkObjectLock(ctx)
}

func (s *Store) createBucket(ctx context.Context) error {
	err := s.client.MakeBucket(ctx, s.cfg.Bucket, minio.MakeBucketOptions{
		Region:        s.cfg.Region,
		ObjectLocking: true,
	})
	if minio.ToErrorResponse(err).Code == codeBucketOwned {
		// Another Liuhen process created it a moment ago.
		return s.checkObjectLock(ctx)
	}
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", s.cfg.Bucket, translate(err))
	}
	if s.cfg.Retention == 0 {
		return nil
	}
	mode, days, unit := minio.Compliance, s.cfg.retentionDays(), minio.Days
	if err := s.client.SetObjectLockConfig(ctx, s.cfg.Bucket, &mode, &days, &unit); err != nil {
		return fmt.Errorf("set default retention on bucket %s: %w",
			s.cfg.Bucket, translate(err))
	}
	return nil
}

func (s *Store) checkObjectLock(ctx context.Context) error {
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.cfg.Bucket)
	if err != nil && !errors.Is(translate(err), ErrObjectLockDisabled) {
		return fmt.Errorf("read object lock of bucket %s: %w", s.cfg.Bucket, translate(err))
	}
	if enabled != "Enabled" {
		return fmt.Errorf("%w: bucket %s was created without object locking, which "+
			"cannot be turned on later; set LIUHEN_MINIO_BUCKET to a new bucket name "+
			"and Liuhen creates it with object locking", ErrObjectLockDisabled, s.cfg.Bucket)
	}
	return nil
}

// Ping checks that MinIO answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.bucketExists(ctx)
	if err != nil {
		return fmt.Errorf("ping MinIO at %s: %w", s.cfg.Endpoint, err)
	}
	if !exists {
		return fmt.Errorf("ping MinIO at %s: %w: %s", s.cfg.Endpoint, ErrBucketMissing,
			s.cfg.Bucket)
	}
	return nil
}

// bucketExists asks MinIO whether the bucket exists, within the call
// timeout. The HEAD it asks with says nothing but a status, and any web
// server answers 404, so a no is asked again with a GET whose 404 must come
// from S3: MinIO names every answer with an x-amz-request-id header, a
// proxy's or a web server's page has none. Taken as a missing bucket, such
// a 404 would send the user after LIUHEN_MINIO_BUCKET, and make serve try
// to create the bucket through the wrong server.
func (s *Store) bucketExists(ctx context.Context) (bool, error) {
	var exists bool
	err := s.bounded(ctx, s.callTimeout(), func(ctx context.Context) error {
		var err error
		exists, err = s.client.BucketExists(ctx, s.cfg.Bucket)
		if err != nil || exists {
			return translate(err)
		}
		_, _, _, _, err = s.client.GetObjectLockConfig(ctx, s.cfg.Bucket)
		answer := minio.ToErrorResponse(err)
		switch {
		case answer.Code == codeNoSuchBucket && answer.RequestID == "":
			return fmt.Errorf("%w: the server at %s answered 404 for bucket %q without "+
				"the x-amz-request-id header MinIO sends with every answer (a proxy or "+
				"another web server?); point LIUHEN_MINIO_ENDPOINT at MinIO itself",
				ErrUnavailable, s.cfg.Endpoint, s.cfg.Bucket)
		case answer.Code == codeNoSuchBucket:
			return nil
		case err == nil || answer.Code == codeNoLockConfig:
			exists = true // created between the two requests
			return nil
		}
		return translate(err)
	})
	return exists, err
}

package storage

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// MaxPresignTTL is the longest a presigned URL may stay valid
// (AWS Signature Version 4 query authentication allows seven days).
const MaxPresignTTL = 7 * 24 * time.Hour

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	// SHA256 is the digest MinIO checked on receipt; HasSHA256 is false for
	// objects uploaded without one (not by this package).
	SHA256    [32]byte
	HasSHA256 bool
	// Mode is the object lock mode ("COMPLIANCE"), empty when unlocked.
	Mode string
	// RetainUntil is when the lock ends; zero when unlocked.
	RetainUntil  time.Time
	VersionID    string
	LastModified time.Time
}

// Stat describes the object under key; ErrNotFound when there is none.
//
// TODO(versions): a plain DELETE by someone holding the credentials hides a
// locked object behind a delete marker; its locked version still exists but
// Stat and Rehash report ErrNotFound. Recording the version ID of each
// upload in the segment row and reading by version would let verify tell
// "hidden" from "lost"; deployments should also deny s3:DeleteObject to
// Liuhen's MinIO user.
func (s *Store) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return ObjectInfo{}, fmt.Errorf("stat object: %w", err)
	}
	// Checksum asks MinIO to return the stored checksums
	// (x-amz-checksum-mode: ENABLED).
	var oi minio.ObjectInfo
	err := s.bounded(ctx, s.callTimeout(), func(ctx context.Context) error {
		var err error
		oi, err = s.client.StatObject(ctx, s.cfg.Bucket, key,
			minio.StatObjectOptions{Checksum: true})
		return translate(err)
	})
	if err != nil {
		return ObjectInfo{}, fmt.Errorf("stat object %s: %w", key, err)
	}
	return objectInfo(oi)
}

func objectInfo(oi minio.ObjectInfo) (ObjectInfo, error) {
	info := ObjectInfo{
		Key:          oi.Key,
		Size:         oi.Size,
		ContentType:  oi.ContentType,
		Mode:         oi.Metadata.Get("X-Amz-Object-Lock-Mode"),
		VersionID:    oi.VersionID,
		LastModified: oi.LastModified,
	}
	if v := oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return ObjectInfo{}, fmt.Errorf("stat object %s: retain-until date %q: %w",
				oi.Key, v, err)
		}
		info.RetainUntil = t
	}
	if oi.ChecksumSHA256 != "" {
		b, err := base64.StdEncoding.DecodeString(oi.ChecksumSHA256)
		if err != nil || len(b) != sha256.Size {
			return ObjectInfo{}, fmt.Errorf("stat object %s: stored SHA-256 %q is not "+
				"base64 of 32 bytes", oi.Key, oi.ChecksumSHA256)
		}
		copy(info.SHA256[:], b)
		info.HasSHA256 = true
	}
	return info, nil
}

// rehashBuffer is the most of an object one read into the hash takes: a
// read returns what the socket holds, up to this, and the bytes are still
// in the core's cache when the hash reads them (BenchmarkRehash ran about
// as fast with 512 KiB and slower with 128 KiB).
const rehashBuffer = 256 << 10

// rehashBuffers keeps the read buffers of finished rehashes for the next:
// a fresh buffer costs page faults and zeroing on every object.
var rehashBuffers = sync.Pool{New: func() any { return new([rehashBuffer]byte) }}

// errOtherSize ends a rehash whose object is not of the size expected.
var errOtherSize = errors.New("object of another size")

// errReadTimedOut ends a rehash that ran past its bound.
var errReadTimedOut = errors.New("read timed out")

// Rehash reads the whole object under key and returns its SHA-256 and size,
// computed here from the bytes MinIO sends back. One GET does it, bounded
// per step rather than by its length: it ends with ErrUnavailable when the
// response headers, or the next bytes of the object after any read, take
// longer than the call timeout to come, however long a slow link takes to
// carry the whole object.
func (s *Store) Rehash(ctx context.Context, key string) ([32]byte, int64, error) {
	return s.rehash(ctx, key, -1)
}

// RehashIfSize is Rehash of an object expected to hold size bytes: when
// the response headers say it holds another number, it returns at once
// with that number and a zero sum, without reading the object.
func (s *Store) RehashIfSize(ctx context.Context, key string, size int64) ([32]byte, int64,
	error) {
	return s.rehash(ctx, key, size)
}

// rehash is Rehash, stopping early when want >= 0 and the object's size
// is not want.
//
// TODO(rehash-small-segments): each GET costs about as much CPU beside
// the hash (signing, headers, thread wake-ups) whatever the object's size,
// so segments under 1 MiB rehash below 70% of the raw SHA-256 rate (512
// KiB: 54-62%, BENCHMARKS.md). Segments cut by size as well as by time
// for low-bitrate streams, or the next GET pipelined on the connection
// while this body is read, would spread that cost.
func (s *Store) rehash(ctx context.Context, key string, want int64) ([32]byte, int64, error) {
	var sum [32]byte
	if err := checkKey(key); err != nil {
		return sum, 0, fmt.Errorf("rehash object: %w", err)
	}
	readCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	limit := s.callTimeout()
	timer := time.AfterFunc(limit, func() { cancel(errReadTimedOut) })
	defer timer.Stop()

	var n int64
	err := func() error {
		resp, err := s.getObject(readCtx, key)
		if err != nil {
			return err
		}
		obj := resp.Body
		defer obj.Close()
		// getObject answers only with a length (objectAnswer).
		if want >= 0 && resp.ContentLength != want {
			n = resp.ContentLength
			return errOtherSize
		}
		timer.Reset(limit)
		h := sha256.New()
		buf := rehashBuffers.Get().(*[rehashBuffer]byte)
		defer rehashBuffers.Put(buf)
		// Only the hash's Write: io.CopyBuffer then uses the buffer given.
		n, err = io.CopyBuffer(struct{ io.Writer }{h},
			readsReset{obj, func() { timer.Reset(limit) }}, buf[:])
		copy(sum[:], h.Sum(nil))
		return err
	}()
	if errors.Is(err, errOtherSize) {
		return [32]byte{}, n, nil
	}
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(readCtx), errReadTimedOut) {
			err = fmt.Errorf("%w: MinIO at %s did not answer within %v (with the "+
				"headers, or with more of the object)", ErrUnavailable, s.cfg.Endpoint, limit)
		} else {
			err = translate(err)
		}
		return [32]byte{}, n, fmt.Errorf("rehash object %s: %w", key, err)
	}
	return sum, n, nil
}

// readsReset calls reset after every read that returns bytes.
type readsReset struct {
	r     io.Reader
	reset func()
}

func (r readsReset) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.reset()
	}
	return n, err
}

// Get returns a reader of the object under key, streamed from MinIO as it
// is read, and its size; ErrNotFound when there is none. The caller
// closes the reader. Get does not check the bytes: hash them as they are
// read when it matters.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, fmt.Errorf("get object: %w", err)
	}
	obj, err := s.client.GetObject(ctx, s.cfg.Bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("get object %s: %w", key, translate(err))
	}
	// GetObject sends its request on first use; Stat makes it answer now,
	// so that a missing object is told here rather than on the first Read.
	info, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, 0, fmt.Errorf("get object %s: %w", key, translate(err))
	}
	return obj, info.Size, nil
}

// PresignGet returns a URL that lets its holder GET the object under key
// for ttl (at most MaxPresignTTL). It fails with ErrNotFound when the
// object does not exist, rather than hand out a URL that answers 404.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error) {
	if ttl < time.Second || ttl > MaxPresignTTL {
		return nil, fmt.Errorf("presign object %s: %w: validity %s is outside 1s..%s",
			key, ErrInvalidArgument, ttl, MaxPresignTTL)
	}
	if _, err := s.Stat(ctx, key); err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	var u *url.URL
	// Without a region, presigning asks MinIO for the bucket's location.
	err := s.bounded(ctx, s.callTimeout(), func(ctx context.Context) error {
		var err error
		u, err = s.client.PresignedGetObject(ctx, s.cfg.Bucket, key, ttl, nil)
		return translate(err)
	})
	if err != nil {
		return nil, fmt.Errorf("presign object %s: %w", key, err)
	}
	return u, nil
}

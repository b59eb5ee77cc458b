package storage

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// maxPutSize is the largest object one PUT carries (S3's single-upload
// limit). Objects go up in one PUT so that MinIO can check the SHA-256 of
// the whole object; a multipart upload would only have per-part checksums.
const maxPutSize = 5 << 30

// headerChecksumSHA256 carries the base64 SHA-256 of the body; the server
// refuses the upload when the bytes it received hash differently.
// (Amazon S3 User Guide, "Checking object integrity"; MinIO implements it.)
const headerChecksumSHA256 = "x-amz-checksum-sha256"

// PutFile uploads the file at path under key. sum is the SHA-256 Liuhen
// computed while writing the file; see Put.
func (s *Store) PutFile(ctx context.Context, key, path string, sum [32]byte,
	contentType string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("put object %s: %w: %w", key, ErrInvalidArgument, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("put object %s: stat %s: %w", key, path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("put object %s: %w: %s is not a regular file",
			key, ErrInvalidArgument, path)
	}
	return s.Put(ctx, key, f, st.Size(), sum, contentType)
}

// Put uploads size bytes from r under key, once:
//   - MinIO checks the bytes against sum on receipt and stores nothing when
//     they differ (ErrChecksumMismatch);
//   - with a retention configured, the object is locked in compliance mode
//     until now+Retention, so nobody can delete or shorten it;
//   - an existing object under key is never replaced: when it has the same
//     size and SHA-256 (a retried upload) Put returns nil, else ErrExists.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, sum [32]byte,
	contentType string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("put object: %w", err)
	}
	if size < 0 || size > maxPutSize {
		return fmt.Errorf("put object %s: %w: size %d is outside 0..%d bytes",
			key, ErrInvalidArgument, size, int64(maxPutSize))
	}
	_, err := s.client.PutObject(ctx, s.cfg.Bucket, key, r, size, s.putOptions(sum, contentType))
	err = translate(err)
	if errors.Is(err, ErrExists) {
		return s.sameAsStored(ctx, key, size, sum)
	}
	if err != nil {
		return fmt.Errorf("put object %s: %w", key, err)
	}
	return nil
}

func (s *Store) putOptions(sum [32]byte, contentType string) minio.PutObjectOptions {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	opts := minio.PutObjectOptions{
		ContentType:      contentType,
		DisableMultipart: true,
		UserMetadata: map[string]string{
			headerChecksumSHA256: base64.StdEncoding.EncodeToString(sum[:]),
		},
	}
	if s.cfg.Retention > 0 {
		opts.Mode = minio.Compliance
		opts.RetainUntilDate = time.Now().Add(s.cfg.Retention).UTC().Truncate(time.Second)
	}
	// If-None-Match: * makes the write conditional on the key being free
	// (RFC 9110 §13.1.2), so an object is never replaced by a new version.
	opts.SetMatchETagExcept("*")
	return opts
}

// sameAsStored decides a conditional PUT that found the key taken.
func (s *Store) sameAsStored(ctx context.Context, key string, size int64, sum [32]byte) error {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return fmt.Errorf("put object %s: key is taken and %w", key, err)
	}
	if info.HasSHA256 && info.SHA256 == sum && info.Size == size {
		return nil
	}
	return fmt.Errorf("put object %s: %w", key, ErrExists)
}

// checkKey refuses a key no object can have: empty, not UTF-8, longer
// than 1024 bytes, or one MinIO refuses as a name (an empty path
// component, "a//b", or a "." or ".." one, spaces around it ignored). A
// key MinIO refuses would otherwise come back as a 400 that names no
// object, and stop a whole verification run rather than be reported as a
// segment no object holds.
func checkKey(key string) error {
	if err := s3utils.CheckValidObjectName(key); err != nil {
		return fmt.Errorf("%w: key %q: %v", ErrInvalidArgument, key, err)
	}
	if len(key) > 1024 {
		return fmt.Errorf("%w: key of %d bytes is longer than 1024", ErrInvalidArgument, len(key))
	}
	if strings.Contains(key, "//") {
		return fmt.Errorf("%w: key %q has an empty path component (//), which MinIO "+
			"refuses", ErrInvalidArgument, key)
	}
	for _, part := range strings.Split(key, "/") {
		if p := strings.TrimSpace(part); p == "." || p == ".." {
			return fmt.Errorf("%w: key %q has a %q path component, which MinIO refuses",
				ErrInvalidArgument, key, p)
		}
	}
	return nil
}

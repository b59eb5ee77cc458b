package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"
)

// Errors the store returns. Each is wrapped with the operation and, where
// MinIO answered, MinIO's own message, so match them with errors.Is.
var (
	// ErrInvalidConfig means a setting is missing or malformed; the message
	// names the LIUHEN_MINIO_* variable to fix.
	ErrInvalidConfig = errors.New("invalid storage configuration")

	// ErrInvalidArgument means a key, path, digest or duration given to the
	// store cannot be used.
	ErrInvalidArgument = errors.New("invalid argument")

	// ErrNotFound means no object is stored under the key.
	ErrNotFound = errors.New("object not found")

	// ErrExists means an object with other content is already stored under
	// the key. Evidence is written once; choose another key.
	ErrExists = errors.New("object already stored with different content")

	// ErrChecksumMismatch means the bytes MinIO received do not have the
	// SHA-256 Liuhen computed; MinIO stored nothing.
	ErrChecksumMismatch = errors.New("checksum mismatch: MinIO received bytes " +
		"whose SHA-256 differs from the one computed while writing")

	// ErrObjectLockDisabled means the bucket exists without object locking,
	// which can only be turned on when a bucket is created.
	ErrObjectLockDisabled = errors.New("bucket has no object lock")

	// ErrBucketMissing means the configured bucket does not exist.
	ErrBucketMissing = errors.New("bucket does not exist")

	// ErrUnreadable means MinIO holds an object under the key but cannot
	// read its bytes back: they are damaged on its drives beyond what it
	// can rebuild (it answers 503 SlowDownRead, asked again or not).
	ErrUnreadable = errors.New("object unreadable")

	// ErrUnavailable means MinIO did not answer (network, DNS, refused
	// connection), answered that it is busy or failed inside, or something
	// other than MinIO answered at its address; the same call may succeed
	// later.
	ErrUnavailable = errors.New("MinIO is unreachable")
)

// S3 error codes the store translates. MinIO uses the AWS names.
const (
	codeNoSuchKey          = "NoSuchKey"
	codeNoSuchVersion      = "NoSuchVersion"
	codeNoSuchBucket       = "NoSuchBucket"
	codeBucketOwned        = "BucketAlreadyOwnedByYou"
	codePreconditionFailed = "PreconditionFailed"
	codeBadDigest          = "BadDigest"
	codeChecksumMismatch   = "XAmzContentChecksumMismatch"
	codeSHA256Mismatch     = "XAmzContentSHA256Mismatch"
	codeNoLockConfig       = "ObjectLockConfigurationNotFoundError"
	codeSignatureMismatch  = "SignatureDoesNotMatch"
	codeInvalidAccessKey   = "InvalidAccessKeyId"
	// codeSlowDownRead is MinIO's answer to a read it cannot complete
	// because too little of the object's data on its drives is intact.
	codeSlowDownRead  = "SlowDownRead"
	codeAccessDenied  = "AccessDenied"
	codeInternalError = "InternalError"
)

// translate turns a minio-go error into one of the sentinels above, keeping
// MinIO's message. Errors it does not know are returned as they are.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ErrUnavailable) || errors.Is(err, ErrUnreadable) {
		return err
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if cerr := credentialError(resp); cerr != nil {
		return cerr
	}
	sentinel := sentinelFor(resp)
	if sentinel == ErrBucketMissing && resp.BucketName != "" {
		return fmt.Errorf("%w: %s (LIUHEN_MINIO_BUCKET): %w", ErrBucketMissing,
			resp.BucketName, err)
	}
	if sentinel != nil {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

func sentinelFor(resp minio.ErrorResponse) error {
	switch resp.Code {
	case codeNoSuchKey, codeNoSuchVersion:
		return ErrNotFound
	case codeNoSuchBucket:
		return ErrBucketMissing
	case codePreconditionFailed:
		return ErrExists
	case codeBadDigest, codeChecksumMismatch, codeSHA256Mismatch:
		return ErrChecksumMismatch
	case codeNoLockConfig:
		return ErrObjectLockDisabled
	}
	if resp.StatusCode == http.StatusNotFound && resp.Key != "" {
		return ErrNotFound
	}
	// A MinIO that is busy or failed inside (503 SlowDown, 500, a proxy's
	// 502 or 504), after minio-go's own retries, or whose answer minio-go
	// could not read (InternalError, with no status: a 200 without
	// Last-Modified), is one the same call may succeed with later, as a
	// rehash's GET takes it.
	if busy(resp.StatusCode) || (resp.Code == codeInternalError && resp.StatusCode == 0) {
		return ErrUnavailable
	}
	return nil
}

// credentialError names the setting to fix when MinIO refuses the
// credentials; nil for other answers.
func credentialError(resp minio.ErrorResponse) error {
	switch resp.Code {
	case codeInvalidAccessKey:
		return fmt.Errorf("%w: MinIO does not know the access key LIUHEN_MINIO_ACCESS_KEY "+
			"(%s); set it to a MinIO user's access key", ErrInvalidConfig, resp.Code)
	case codeSignatureMismatch:
		return fmt.Errorf("%w: MinIO refused the signature made with LIUHEN_MINIO_SECRET_KEY "+
			"(%s); set it to the secret key of LIUHEN_MINIO_ACCESS_KEY", ErrInvalidConfig,
			resp.Code)
	case codeAccessDenied:
		return fmt.Errorf("%w: MinIO denied LIUHEN_MINIO_ACCESS_KEY access to %s in the "+
			"bucket %s (%s); give that user read and write on LIUHEN_MINIO_BUCKET",
			ErrInvalidConfig, cmp.Or(resp.Key, "the bucket"), resp.BucketName, resp.Code)
	}
	return nil
}

package storage

import (
	"fmt"
	"strings"
	"time"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Defaults for settings the environment leaves out.
const (
	DefaultBucket = "liuhen-evidence"
	// DefaultRetention keeps evidence for ten years (3650 days).
	DefaultRetention = 3650 * 24 * time.Hour
	// MaxRetention is the longest retention the store accepts: one hundred
	// years, far beyond any archive rule and short of S3's own limits.
	MaxRetention = 36500 * 24 * time.Hour
)

// Config tells the store where MinIO is and how long evidence is kept.
type Config struct {
	// Endpoint is host:port, without a scheme (LIUHEN_MINIO_ENDPOINT).
	Endpoint string
	// AccessKey and SecretKey are MinIO credentials
	// (LIUHEN_MINIO_ACCESS_KEY, LIUHEN_MINIO_SECRET_KEY).
	AccessKey string
	SecretKey string
	// Bucket holds the evidence objects (LIUHEN_MINIO_BUCKET).
	Bucket string
	// Secure selects HTTPS (LIUHEN_MINIO_SECURE).
	Secure bool
	// Retention is how long each object stays locked in compliance mode,
	// counted from its upload; 0 stores objects without a retention date
	// (LIUHEN_RETENTION_DAYS).
	Retention time.Duration
	// Region is the S3 region; empty lets MinIO decide.
	Region string
	// CallTimeout bounds each stat, presign and bucket check, and each
	// step of a rehash (Rehash); 0 means DefaultCallTimeout.
	CallTimeout time.Duration
}

// Validate reports the first setting that cannot work, by its variable name.
func (c Config) Validate() error {
	switch {
	case c.Endpoint == "":
		return fmt.Errorf("%w: LIUHEN_MINIO_ENDPOINT is empty; set it to the MinIO "+
			"server's host:port, e.g. 127.0.0.1:9000", ErrInvalidConfig)
	case strings.Contains(c.Endpoint, "://"):
		return fmt.Errorf("%w: LIUHEN_MINIO_ENDPOINT=%q has a scheme; give host:port "+
			"only and set LIUHEN_MINIO_SECURE=true for HTTPS", ErrInvalidConfig, c.Endpoint)
	case strings.ContainsAny(c.Endpoint, "/?# "):
		return fmt.Errorf("%w: LIUHEN_MINIO_ENDPOINT=%q is not host:port",
			ErrInvalidConfig, c.Endpoint)
	case c.AccessKey == "":
		return fmt.Errorf("%w: LIUHEN_MINIO_ACCESS_KEY is empty", ErrInvalidConfig)
	case c.SecretKey == "":
		return fmt.Errorf("%w: LIUHEN_MINIO_SECRET_KEY is empty", ErrInvalidConfig)
	case c.Retention < 0:
		return fmt.Errorf("%w: the retention (LIUHEN_RETENTION_DAYS) is negative (%s)",
			ErrInvalidConfig, c.Retention)
	case c.Retention > MaxRetention:
		return fmt.Errorf("%w: the retention (LIUHEN_RETENTION_DAYS) %s is longer than %d days",
			ErrInvalidConfig, c.Retention, MaxRetention/(24*time.Hour))
	}
	if err := s3utils.CheckValidBucketNameStrict(c.Bucket); err != nil {
		return fmt.Errorf("%w: LIUHEN_MINIO_BUCKET=%q: %v (use 3-63 lowercase letters, "+
			"digits, dots and hyphens)", ErrInvalidConfig, c.Bucket, err)
	}
	return nil
}

// retentionDays is the bucket's default retention in whole days, rounded up
// (S3 counts default retention in days or years only).
func (c Config) retentionDays() uint {
	day := 24 * time.Hour
	return uint((c.Retention + day - 1) / day)
}

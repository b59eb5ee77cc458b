package storage

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/liuhen/liuhen/internal/testenv"
)

// testConfig points at the test MinIO server and a bucket no other test
// uses.
func testConfig(t testing.TB, retention time.Duration) Config {
	t.Helper()
	m := testenv.MinIOServer(t)
	return Config{
		Endpoint:  m.Endpoint,
		AccessKey: m.AccessKey,
		SecretKey: m.SecretKey,
		Bucket:    testenv.BucketName(),
		Retention: retention,
	}
}

// openStore opens a store on a fresh bucket. Buckets without retention are
// emptied and removed when the test ends; locked objects stay until their
// retention ends (they live in the services' .liuhen/ directory).
func openStore(t testing.TB, retention time.Duration) *Store {
	t.Helper()
	cfg := testConfig(t, retention)
	s, err := Open(testContext(t), cfg)
	if err != nil {
		t.Fatalf("open store on bucket %s: %v", cfg.Bucket, err)
	}
	t.Cleanup(func() { removeBucket(s.client, cfg.Bucket) })
	return s
}

// removeBucket deletes every object version and the bucket, as far as
// object locks allow; what stays locked is left in place.
func removeBucket(c *minio.Client, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for obj := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{
		Recursive: true, WithVersions: true,
	}) {
		if obj.Err != nil {
			return
		}
		_ = c.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{
			VersionID: obj.VersionID,
		})
	}
	_ = c.RemoveBucket(ctx, bucket)
}

// rawClient is a plain MinIO client for what the store does not offer
// (making a bucket without lock, trying to delete evidence).
func rawClient(t testing.TB, cfg Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
	})
	if err != nil {
		t.Fatalf("new MinIO client: %v", err)
	}
	return c
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// writeFile writes content to a file in a temporary directory and returns
// its path and SHA-256.
func writeFile(t testing.TB, content []byte) (string, [32]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "segment.mkv")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatalf("write test file: %v", err)
	}
	return path, sha256.Sum256(content)
}

// segmentBytes returns n bytes of deterministic, non-repeating content.
func segmentBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31) ^ seed ^ byte(i>>8)
	}
	return b
}

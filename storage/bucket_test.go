package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

func TestEnsureBucketCreatesObjectLock(t *testing.T) {
	s := openStore(t, 36*time.Hour)
	ctx := testContext(t)

	enabled, mode, validity, unit, err := s.client.GetObjectLockConfig(ctx, s.Bucket())
	if err != nil {
		t.Fatalf("read object lock config: %v", err)
	}
	if enabled != "Enabled" {
		t.Errorf("got object lock %q, want Enabled", enabled)
	}
	if mode == nil || *mode != minio.Compliance {
		t.Errorf("got default mode %v, want %s", mode, minio.Compliance)
	}
	if validity == nil || unit == nil || *validity != 2 || *unit != minio.Days {
		t.Errorf("got default retention %v %v, want 2 DAYS (36h rounded up)", validity, unit)
	}

	t.Run("open again reuses the bucket", func(t *testing.T) {
		if _, err := Open(ctx, s.cfg); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
}

func TestEnsureBucketWithoutObjectLock(t *testing.T) {
	cfg := testConfig(t, 0)
	client := rawClient(t, cfg)
	ctx := testContext(t)
	if err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket without lock: %v", err)
	}
	t.Cleanup(func() { removeBucket(client, cfg.Bucket) })

	_, err := Open(ctx, cfg)
	if !errors.Is(err, ErrObjectLockDisabled) {
		t.Fatalf("got %v, want ErrObjectLockDisabled", err)
	}
	for _, want := range []string{cfg.Bucket, "LIUHEN_MINIO_BUCKET"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got message %q, want it to name %s", err, want)
		}
	}
}

func TestOpenInvalidConfig(t *testing.T) {
	cfg := testConfig(t, 0)
	cfg.Bucket = "Not_A_Bucket"
	if _, err := Open(testContext(t), cfg); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("got %v, want ErrInvalidConfig", err)
	}
}

func TestPing(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)

	t.Run("reachable", func(t *testing.T) {
		if err := s.Ping(ctx); err != nil {
			t.Errorf("got %v, want nil", err)
		}
	})
	t.Run("bucket missing", func(t *testing.T) {
		cfg := s.cfg
		cfg.Bucket = s.cfg.Bucket + "-missing"
		other, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := other.Ping(ctx); !errors.Is(err, ErrBucketMissing) {
			t.Errorf("got %v, want ErrBucketMissing", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		cfg := s.cfg
		cfg.Endpoint = "127.0.0.1:1" // nothing listens on port 1
		_, err := Open(ctx, cfg)
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("got %v, want ErrUnavailable", err)
		}
	})
}

func TestInvalidArguments(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	path, sum := writeFile(t, []byte("minutes"))

	cases := []struct {
		name string
		call func() error
	}{
		{"empty key", func() error { return s.PutFile(ctx, "", path, sum, "") }},
		{"missing file", func() error { return s.PutFile(ctx, "k", path+".gone", sum, "") }},
		{"directory", func() error { return s.PutFile(ctx, "k", t.TempDir(), sum, "") }},
		{"stat empty key", func() error { _, err := s.Stat(ctx, ""); return err }},
		{"rehash empty key", func() error { _, _, err := s.Rehash(ctx, ""); return err }},
		{"presign zero ttl", func() error { _, err := s.PresignGet(ctx, "k", 0); return err }},
		{"presign ttl over a week", func() error {
			_, err := s.PresignGet(ctx, "k", MaxPresignTTL+time.Second)
			return err
		}},
		{"key too long", func() error {
			return s.PutFile(ctx, strings.Repeat("k", 1025), path, sum, "")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
}

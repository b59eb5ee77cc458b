package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

func TestPutStatRehash(t *testing.T) {
	s := openStore(t, time.Minute)
	ctx := testContext(t)
	content := segmentBytes(3<<20+17, 1)
	path, sum := writeFile(t, content)
	key := "recordings/r1/video/000001.mkv"

	before := time.Now()
	if err := s.PutFile(ctx, key, path, sum, "video/x-matroska"); err != nil {
		t.Fatalf("put: %v", err)
	}

	t.Run("stat", func(t *testing.T) {
		info, err := s.Stat(ctx, key)
		if err != nil {
			t.Fatalf("stat: %v", err)
		}
		if info.Size != int64(len(content)) {
			t.Errorf("got size %d, want %d", info.Size, len(content))
		}
		if !info.HasSHA256 || info.SHA256 != sum {
			t.Errorf("got SHA-256 %x (present %v), want %x", info.SHA256, info.HasSHA256, sum)
		}
		if info.ContentType != "video/x-matroska" {
			t.Errorf("got content type %q, want video/x-matroska", info.ContentType)
		}
		if info.Mode != string(minio.Compliance) {
			t.Errorf("got lock mode %q, want %q", info.Mode, minio.Compliance)
		}
		earliest := before.Add(time.Minute).Add(-2 * time.Second)
		latest := time.Now().Add(time.Minute).Add(2 * time.Second)
		if info.RetainUntil.Before(earliest) || info.RetainUntil.After(latest) {
			t.Errorf("got retain-until %s, want between %s and %s",
				info.RetainUntil, earliest, latest)
		}
	})
	t.Run("rehash", func(t *testing.T) {
		got, n, err := s.Rehash(ctx, key)
		if err != nil {
			t.Fatalf("rehash: %v", err)
		}
		if got != sum || n != int64(len(content)) {
			t.Errorf("got %x and %d bytes, want %x and %d", got, n, sum, len(content))
		}
	})
	t.Run("rehash if size", func(t *testing.T) {
		size := int64(len(content))
		if got, n, err := s.RehashIfSize(ctx, key, size); err != nil || got != sum || n != size {
			t.Errorf("the right size: got %x, %d, %v; want %x, %d, nil", got, n, err, sum, size)
		}
		got, n, err := s.RehashIfSize(ctx, key, size+1)
		if err != nil || got != [32]byte{} || n != size {
			t.Errorf("another size: got %x, %d, %v; want no sum, %d, nil", got, n, err, size)
		}
	})
	t.Run("presigned get", func(t *testing.T) {
		u, err := s.PresignGet(ctx, key, time.Minute)
		if err != nil {
			t.Fatalf("presign: %v", err)
		}
		body := httpGet(t, u.String(), http.StatusOK)
		if got := sha256.Sum256(body); got != sum {
			t.Errorf("got presigned body SHA-256 %x, want %x", got, sum)
		}
	})
}

func TestPutWithoutRetention(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	path, sum := writeFile(t, []byte("agenda item 3, first minute"))
	if err := s.PutFile(ctx, "a/b.bin", path, sum, ""); err != nil {
		t.Fatalf("put: %v", err)
	}
	info, err := s.Stat(ctx, "a/b.bin")
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if info.Mode != "" || !info.RetainUntil.IsZero() {
		t.Errorf("got lock %q until %s, want none", info.Mode, info.RetainUntil)
	}
	if info.ContentType != "application/octet-stream" {
		t.Errorf("got content type %q, want application/octet-stream", info.ContentType)
	}
}

func TestPutChecksumMismatch(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	path, _ := writeFile(t, segmentBytes(64<<10, 2))
	wrong := sha256.Sum256([]byte("some other segment"))

	err := s.PutFile(ctx, "bad/000001.mkv", path, wrong, "video/x-matroska")
	if !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("got error %v, want ErrChecksumMismatch", err)
	}
	if _, err := s.Stat(ctx, "bad/000001.mkv"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after a refused upload, stat got %v, want ErrNotFound", err)
	}
}

func TestNotFound(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	const key = "recordings/none/000001.mkv"

	t.Run("stat", func(t *testing.T) {
		if _, err := s.Stat(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("rehash", func(t *testing.T) {
		if _, _, err := s.Rehash(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("presign", func(t *testing.T) {
		if _, err := s.PresignGet(ctx, key, time.Minute); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
	t.Run("get", func(t *testing.T) {
		if _, _, err := s.Get(ctx, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}

func TestGet(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	const key = "recordings/r3/000001.webm"
	content := segmentBytes(300<<10, 9)
	path, sum := writeFile(t, content)
	if err := s.PutFile(ctx, key, path, sum, "video/webm"); err != nil {
		t.Fatalf("put: %v", err)
	}
	rc, size, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || size != int64(len(content)) || !bytes.Equal(got, content) {
		t.Errorf("get: got %d bytes (size %d), err %v; want the %d bytes stored",
			len(got), size, err, len(content))
	}
}

func TestWriteOnce(t *testing.T) {
	s := openStore(t, time.Minute)
	ctx := testContext(t)
	const key = "recordings/r2/000001.mkv"
	original := segmentBytes(10<<10, 3)
	path, sum := writeFile(t, original)
	if err := s.PutFile(ctx, key, path, sum, "video/x-matroska"); err != nil {
		t.Fatalf("put: %v", err)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}

	t.Run("same content again is accepted", func(t *testing.T) {
		if err := s.PutFile(ctx, key, path, sum, "video/x-matroska"); err != nil {
			t.Errorf("got %v, want nil for a retried upload", err)
		}
	})
	t.Run("other content is refused", func(t *testing.T) {
		otherPath, otherSum := writeFile(t, segmentBytes(10<<10, 4))
		err := s.PutFile(ctx, key, otherPath, otherSum, "video/x-matroska")
		if !errors.Is(err, ErrExists) {
			t.Errorf("got %v, want ErrExists", err)
		}
		assertContent(t, s, key, sum)
	})
	t.Run("deleting the locked version is refused", func(t *testing.T) {
		err := s.client.RemoveObject(ctx, s.Bucket(), key, minio.RemoveObjectOptions{
			VersionID: info.VersionID,
		})
		if err == nil {
			t.Fatal("got nil, want MinIO to refuse deleting a locked version")
		}
		assertContent(t, s, key, sum)
	})
	t.Run("shortening the retention is refused", func(t *testing.T) {
		mode, until := minio.Compliance, time.Now().Add(time.Second)
		err := s.client.PutObjectRetention(ctx, s.Bucket(), key, minio.PutObjectRetentionOptions{
			Mode: &mode, RetainUntilDate: &until, VersionID: info.VersionID,
		})
		if err == nil {
			t.Fatal("got nil, want MinIO to refuse shortening a compliance retention")
		}
	})
}

// assertContent checks that key still holds the bytes with SHA-256 want.
func assertContent(t testing.TB, s *Store, key string, want [32]byte) {
	t.Helper()
	got, _, err := s.Rehash(context.Background(), key)
	if err != nil {
		t.Fatalf("rehash %s: %v", key, err)
	}
	if got != want {
		t.Errorf("got stored SHA-256 %x, want the original %x", got, want)
	}
}

func httpGet(t testing.TB, url string, wantStatus int) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s: %v", url, err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: got status %d, want %d: %s", url, resp.StatusCode, wantStatus,
			strings.TrimSpace(string(body)))
	}
	return body
}

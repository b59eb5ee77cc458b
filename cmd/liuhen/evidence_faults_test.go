package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

func TestOpenEvidenceNamesTheSettingToFix(t *testing.T) {
	m := testenv.MinIOServer(t)
	good := storage.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
		SecretKey: m.SecretKey, Bucket: testenv.BucketName()}
	tests := []struct {
		name    string
		change  func(*storage.Config)
		setting string
	}{
		{"endpoint with a scheme", func(c *storage.Config) {
			c.Endpoint = "http://127.0.0.1:59533"
		}, "LIUHEN_MINIO_ENDPOINT"},
		{"invalid bucket name", func(c *storage.Config) { c.Bucket = "Bad_Bucket" },
			"LIUHEN_MINIO_BUCKET"},
		{"wrong secret key", func(c *storage.Config) { c.SecretKey += "-wrong" },
			"LIUHEN_MINIO_SECRET_KEY"},
		{"unknown access key", func(c *storage.Config) { c.AccessKey = "nobody-here" },
			"LIUHEN_MINIO_ACCESS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := openEvidence(ctx, cfg, slog.New(slog.DiscardHandler))
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.setting) ||
				strings.Contains(err.Error(), "is MinIO running") {
				t.Errorf("got %v, want a usage error (exit 2) naming %s without the hint "+
					"to start MinIO", err, tt.setting)
			}
		})
	}
}

func TestRecordingsLinkTTLIsCheckedFirst(t *testing.T) {
	// A database that cannot be reached: the flag must be refused before.
	t.Setenv("LIUHEN_DATABASE_URL", "postgres://x@127.0.0.1:1/x?connect_timeout=2")
	for _, ttl := range []string{"0s", "-1h", "200h"} {
		if got := run([]string{"recordings", "--meeting", "1", "--link-ttl", ttl}); got != exitUsage {
			t.Errorf("recordings --link-ttl %s: got exit status %d, want %d", ttl, got, exitUsage)
		}
	}
}

func TestRecordingsListsMissingObjectsAndGoesOn(t *testing.T) {
	e := newBundleEnv(t)
	dir := t.TempDir()
	var files []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("%06d.webm", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("segment %d bytes", i)), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	meeting := e.sample.MeetingID
	_, keys := e.record(t, meeting, [][]string{files}, map[string]bool{files[0]: true})
	var out bytes.Buffer
	err := listRecordings(context.Background(), e.svc, meeting, time.Hour, &out)
	if !errors.Is(err, errFindings) {
		t.Errorf("got %v, want findings (exit 1) for a missing object", err)
	}
	text := out.String()
	if !strings.Contains(text, "MISSING: no object "+keys[0][0]) {
		t.Errorf("got\n%s\nwant segment 0 listed as missing", text)
	}
	for _, k := range keys[0][1:] {
		if !strings.Contains(text, k+"?") { // a presigned link to it
			t.Errorf("got\n%s\nwant a link to %s after the missing one", text, k)
		}
	}
}

func TestObjectCheckerWhileMinIOHangs(t *testing.T) {
	s, err := storage.New(storage.Config{Endpoint: testenv.BlackHole(t), AccessKey: "a",
		SecretKey: "b", Bucket: "liuhen-evidence", CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := (objectChecker{s}).Stat(ctx, "k"); !errors.Is(err, verify.ErrStoreUnavailable) {
		t.Errorf("stat: got %v, want verify.ErrStoreUnavailable", err)
	}
	if _, _, err := (objectChecker{s}).Rehash(ctx, "k", 1); !errors.Is(err, verify.ErrStoreUnavailable) {
		t.Errorf("rehash: got %v, want verify.ErrStoreUnavailable", err)
	}
	if ctx.Err() != nil {
		t.Error("the calls ran to the test's own deadline")
	}
}

// TestVerifyWithoutTheStoreWhenNoRuleReadsIt checks that verify leaves
// MinIO alone when RECORDING_TAMPERED does not run: an unreachable store
// does not stop the database rules.
func TestVerifyWithoutTheStoreWhenNoRuleReadsIt(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	t.Setenv("LIUHEN_MINIO_ENDPOINT", "127.0.0.1:1")
	t.Setenv("LIUHEN_MINIO_ACCESS_KEY", "liuhen")
	t.Setenv("LIUHEN_MINIO_SECRET_KEY", "liuhen-secret")
	liuhen(t, "sample")
	out := liuhen(t, "verify", "--rules", "no_meeting,wrong_body", "--format", "csv")
	if !strings.Contains(out, "NO_MEETING") {
		t.Errorf("verify printed %q, want the NO_MEETING finding of the sample", out)
	}
}

// TestObjectCheckerBadKey checks that a catalogued key no object can have
// is a missing segment, for verify to report, not a failure of the store.
func TestObjectCheckerBadKey(t *testing.T) {
	s, err := storage.New(storage.Config{Endpoint: testenv.BlackHole(t), AccessKey: "a",
		SecretKey: "b", Bucket: "liuhen-evidence"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := (objectChecker{s}).Stat(ctx, " "); !errors.Is(err, verify.ErrObjectMissing) {
		t.Errorf("stat: got %v, want verify.ErrObjectMissing", err)
	}
	if _, _, err := (objectChecker{s}).Rehash(ctx, "", 1); !errors.Is(err, verify.ErrObjectMissing) {
		t.Errorf("rehash: got %v, want verify.ErrObjectMissing", err)
	}
}

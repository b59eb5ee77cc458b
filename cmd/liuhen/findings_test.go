package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
)

// liuhen runs the command line with args and returns what it printed.
func liuhen(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs(args)
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("liuhen %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

// TestFindingsCommand sweeps the sample township from the command line
// and lists what the sweep kept.
func TestFindingsCommand(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	withNewBucket(t)
	liuhen(t, "sample")

	out := liuhen(t, "findings", "sweep")
	if !strings.Contains(out, "decisions checked") || !strings.Contains(out, "opened") {
		t.Errorf("sweep printed %q, want what it did", out)
	}
	var page alert.Page
	if err := json.Unmarshal([]byte(liuhen(t, "findings", "--format", "json")), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) == 0 {
		t.Fatal("got no findings after a sweep of the sample")
	}
	for _, f := range page.Items {
		if f.State != alert.StateOpen {
			t.Errorf("finding %d: got state %s, want open", f.ID, f.State)
		}
	}
	var newest alert.Page
	if err := json.Unmarshal([]byte(liuhen(t, "findings", "--format", "json", "--limit", "1")),
		&newest); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) > 1 && (len(newest.Items) != 1 || newest.Items[0].ID != page.Items[0].ID) {
		t.Errorf("--limit 1: got %d findings, want the newest of %d", len(newest.Items),
			len(page.Items))
	}
	table := liuhen(t, "findings", "--state", "open", "--code", "no_meeting")
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) != 4 ||
		!strings.Contains(lines[1], "NO_MEETING") || lines[3] != "1 finding" {
		t.Errorf("table of NO_MEETING findings:\n%s\nwant a header, one row and a count", table)
	}
	if again := liuhen(t, "findings", "sweep"); !strings.Contains(again, " 0 opened") {
		t.Errorf("second sweep printed %q, want nothing opened", again)
	}

	others := slices.DeleteFunc(verify.Codes(), func(c string) bool {
		return c == verify.CodeNoMeeting
	})
	t.Setenv("LIUHEN_ALERT_SKIP", strings.Join(others, ","))
	for _, tc := range []struct{ skip, want string }{
		{"NO_SUCH", `--skip: unknown finding code "NO_SUCH"; valid codes are ` + codeList()},
		{"no_meeting", "--skip no_meeting with LIUHEN_ALERT_SKIP=" + strings.Join(others, ",") +
			": leaves no rule to run; leave fewer codes out"},
	} {
		err := liuhenFails(t, "findings", "sweep", "--skip", tc.skip)
		if err.Error() != tc.want {
			t.Errorf("sweep --skip %s: got %q, want %q", tc.skip, err, tc.want)
		}
	}
}

// liuhenFails runs the command line with args, which must be refused as bad
// usage (exit status 2), and returns the error.
func liuhenFails(t *testing.T, args ...string) error {
	t.Helper()
	root := newRootCommand()
	root.SetOut(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	var ue usageError
	if !errors.As(err, &ue) {
		t.Fatalf("liuhen %s: got %v, want a usage error", strings.Join(args, " "), err)
	}
	return err
}

// TestFindingsSweepWithoutMinIO: with MinIO not reachable (a closed port),
// the sweep runs the other rules and keeps what they find, as serve's do,
// leaves RECORDING_TAMPERED's findings as they are, says why on stderr and
// exits 4; told to skip RECORDING_TAMPERED it does not need MinIO at all.
func TestFindingsSweepWithoutMinIO(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	t.Setenv("LIUHEN_DATABASE_URL", dbURL)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	t.Setenv("LIUHEN_MINIO_ENDPOINT", closed)
	t.Setenv("LIUHEN_MINIO_ACCESS_KEY", "liuhen")
	t.Setenv("LIUHEN_MINIO_SECRET_KEY", "not-used-here")
	t.Setenv("LIUHEN_MINIO_BUCKET", testenv.BucketName())
	liuhen(t, "sample")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// A RECORDING_TAMPERED finding of an earlier sweep, which this one
	// cannot judge.
	if _, err := pool.Exec(ctx, `INSERT INTO findings (fingerprint, code, severity,
		    decision_id, decision_title, matter_code, unit_code, object_key, message,
		    message_zh, state, state_actor, state_changed_at, first_seen, last_seen, opened_at)
		SELECT 'tampered', 'RECORDING_TAMPERED', 'high', d.id, d.title, 'QS-03', 'qingshan',
		    'k', 'm', 'm', 'open', 'verifier', now(), now(), now(), now()
		FROM decisions d ORDER BY d.id LIMIT 1`); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCaptured(t, "findings", "sweep")
	if code != exitPartial {
		t.Errorf("got exit status %d, want %d; stderr:\n%s", code, exitPartial, stderr)
	}
	if !strings.Contains(stdout, "decisions checked") {
		t.Errorf("got stdout %q, want what the sweep did", stdout)
	}
	for _, want := range []string{"RECORDING_TAMPERED was not checked", closed,
		"is MinIO running?", "The other rules ran"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("got stderr %q, want it to say %q", stderr, want)
		}
	}
	store := alert.NewStore(pool)
	last, err := store.LastSweep(ctx, "")
	if err != nil || last == nil || slices.Contains(last.Codes, verify.CodeRecordingTampered) ||
		!slices.Contains(last.Codes, verify.CodeNoMeeting) || last.Opened == 0 {
		t.Fatalf("got the last sweep %+v (%v), want one of the other rules that opened "+
			"findings", last, err)
	}
	page, err := store.List(ctx, alert.Filter{States: []string{alert.StateOpen},
		Codes: []string{verify.CodeRecordingTampered}})
	if err != nil || len(page.Items) != 1 || page.Items[0].Fingerprint != "tampered" {
		t.Errorf("got RECORDING_TAMPERED findings %+v (%v), want the earlier one left open",
			page.Items, err)
	}

	if code, _, stderr := runCaptured(t, "findings", "sweep", "--skip",
		"recording_tampered"); code != exitOK || stderr != "" {
		t.Errorf("--skip RECORDING_TAMPERED: got exit status %d and stderr %q, want 0 and "+
			"nothing", code, stderr)
	}
}

// withNewBucket points the LIUHEN_MINIO_* settings at the test MinIO and
// a new bucket, which it creates as the server would: the commands only
// open a bucket that exists.
func withNewBucket(t *testing.T) {
	t.Helper()
	m := testenv.MinIOServer(t)
	cfg := storage.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
		SecretKey: m.SecretKey, Bucket: testenv.BucketName(), Retention: 24 * time.Hour}
	if _, err := storage.Open(context.Background(), cfg); err != nil {
		t.Fatalf("create bucket %s: %v", cfg.Bucket, err)
	}
	t.Setenv("LIUHEN_MINIO_ENDPOINT", cfg.Endpoint)
	t.Setenv("LIUHEN_MINIO_ACCESS_KEY", cfg.AccessKey)
	t.Setenv("LIUHEN_MINIO_SECRET_KEY", cfg.SecretKey)
	t.Setenv("LIUHEN_MINIO_BUCKET", cfg.Bucket)
	t.Setenv("LIUHEN_RETENTION_DAYS", "1")
}

// TestCommandsOpenOnlyABucketThatExists runs the commands that read the
// evidence with a bucket name that MinIO does not have, as a typo in
// LIUHEN_MINIO_BUCKET gives: each is refused as a bad setting and the
// bucket is not created. Created, it would hold none of the segments, and
// a rehash would report every one of them removed.
func TestCommandsOpenOnlyABucketThatExists(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	withNewBucket(t)
	liuhen(t, "sample")
	typo := testenv.BucketName()
	t.Setenv("LIUHEN_MINIO_BUCKET", typo)
	for _, args := range [][]string{
		{"verify", "--rehash", "--unit", "qingshan"},
		{"recordings", "--meeting", "1"},
		{"findings", "sweep"},
		{"report", "--unit", "qingshan", "--format", "json", "--store", "-o",
			filepath.Join(t.TempDir(), "r.json")},
	} {
		err := liuhenFails(t, args...)
		if !strings.Contains(err.Error(), `has none named "`+typo+`"`) ||
			!strings.Contains(err.Error(), "LIUHEN_MINIO_BUCKET") {
			t.Errorf("liuhen %s: got %v, want it to say the bucket %s does not exist",
				strings.Join(args, " "), err, typo)
		}
	}
	m := testenv.MinIOServer(t)
	s, err := storage.New(storage.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
		SecretKey: m.SecretKey, Bucket: typo})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); !errors.Is(err, storage.ErrBucketMissing) {
		t.Errorf("after the commands, ping of bucket %s: got %v, want ErrBucketMissing "+
			"(not created)", typo, err)
	}
}

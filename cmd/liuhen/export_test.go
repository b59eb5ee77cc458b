package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/liuhen/liuhen/agenda"
	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/liuhen/liuhen/internal/mediatest"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
)

// segmentMs is the length of the test segments.
const segmentMs = 2000

// bundleEnv is the sample township on a database of its own, a bucket of
// its own, a signing key, and the settings that point the CLI at them.
type bundleEnv struct {
	svc     services
	sample  agenda.Sample
	bucket  string
	keyFile string
	key     ed25519.PrivateKey
	raw     *minio.Client
}

func newBundleEnv(t *testing.T) *bundleEnv {
	t.Helper()
	ctx := context.Background()
	dbURL := testenv.DatabaseURL(t)
	m := testenv.MinIOServer(t)
	e := &bundleEnv{bucket: testenv.BucketName(),
		keyFile: filepath.Join(t.TempDir(), "signing.key")}
	for k, v := range map[string]string{"LIUHEN_DATABASE_URL": dbURL,
		"LIUHEN_MINIO_ENDPOINT": m.Endpoint, "LIUHEN_MINIO_ACCESS_KEY": m.AccessKey,
		"LIUHEN_MINIO_SECRET_KEY": m.SecretKey, "LIUHEN_MINIO_BUCKET": e.bucket,
		"LIUHEN_RETENTION_DAYS": "1", "LIUHEN_SIGNING_KEY_FILE": e.keyFile} {
		t.Setenv(k, v)
	}
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	// No retention here, so that the bucket can be emptied when the test ends.
	cfg := c.storageConfig()
	cfg.Retention = 0
	if e.svc, err = connect(ctx, c, false); err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(e.svc.close)
	if e.svc.objects, err = storage.Open(ctx, cfg); err != nil {
		t.Fatalf("open store: %v", err)
	}
	e.raw, err = minio.New(m.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeTestBucket(e.raw, e.bucket) })
	if e.sample, err = agenda.LoadSample(ctx, e.svc.store); err != nil {
		t.Fatalf("load sample: %v", err)
	}
	if _, err := bundle.GenerateKeyFile(e.keyFile); err != nil {
		t.Fatal(err)
	}
	if e.key, err = bundle.LoadKeyFile(e.keyFile); err != nil {
		t.Fatal(err)
	}
	return e
}

func removeTestBucket(c *minio.Client, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for obj := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true,
		WithVersions: true}) {
		_ = c.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{VersionID: obj.VersionID})
	}
	_ = c.RemoveBucket(ctx, bucket)
}

// makeSegments has the ffmpeg CLI write seconds of WebM cut into 2-second
// segments: VP8 and Opus like a camera, or Opus alone like a microphone.
func makeSegments(t testing.TB, dir, name string, video bool, seconds int) []string {
	t.Helper()
	args := []string{"-v", "error", "-y"}
	if video {
		args = append(args, "-f", "lavfi", "-i", "testsrc=size=160x120:rate=30")
	}
	args = append(args, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000")
	if video {
		args = append(args, "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
			"-g", "30", "-b:v", "200k")
	}
	args = append(args, "-t", strconv.Itoa(seconds), "-c:a", "libopus", "-f", "segment",
		"-segment_time", strconv.Itoa(segmentMs/1000), "-segment_format", "webm",
		filepath.Join(dir, name+"%03d.webm"))
	mediatest.Run(t, "ffmpeg", args...)
	files, err := filepath.Glob(filepath.Join(dir, name+"*.webm"))
	if err != nil || len(files) < seconds/2 {
		t.Fatalf("ffmpeg wrote %v (%v), want %d segments", files, err, seconds/2)
	}
	slices.Sort(files)
	return files[:seconds/2]
}

// record catalogues the files as one track each of a new recording of
// meeting, storing every segment but those of skip, and ends it.
func (e *bundleEnv) record(t testing.TB, meeting int64, tracks [][]string,
	skip map[string]bool) (recording int64, keys [][]string) {
	t.Helper()
	ctx := context.Background()
	start := time.Now().Add(-time.Minute)
	var refs []agenda.TrackRef
	for i, files := range tracks {
		ref, err := e.svc.store.OpenTrack(ctx, meeting, fmt.Sprintf("export-%d-%d", meeting,
			start.UnixNano()+int64(i)), "opus", "vp8", start)
		if err != nil {
			t.Fatalf("open track: %v", err)
		}
		refs = append(refs, ref)
		keys = append(keys, e.storeTrack(t, ref, files, skip))
	}
	for _, ref := range refs {
		err := e.svc.store.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{
			State: agenda.StateFinished, Reason: "test", Segments: len(tracks[0]), At: time.Now()})
		if err != nil {
			t.Fatalf("close track: %v", err)
		}
	}
	return refs[0].RecordingID, keys
}

func (e *bundleEnv) storeTrack(t testing.TB, ref agenda.TrackRef, files []string,
	skip map[string]bool) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	for seq, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/%06d.webm", ref.MeetingID,
			ref.RecordingID, ref.TrackID, seq)
		sum := sha256.Sum256(data)
		if !skip[path] {
			if err := e.svc.objects.PutFile(ctx, key, path, sum, "video/webm"); err != nil {
				t.Fatalf("store %s: %v", key, err)
			}
		}
		at := ref.Zero.Add(time.Duration(seq*segmentMs) * time.Millisecond)
		err = e.svc.store.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{Seq: seq,
			ObjectKey: key, SHA256: sum, Size: int64(len(data)),
			MediaStart: time.Duration(seq*segmentMs) * time.Millisecond,
			MediaEnd:   time.Duration((seq+1)*segmentMs) * time.Millisecond,
			WallStart:  at, WallEnd: at.Add(segmentMs * time.Millisecond)})
		if err != nil {
			t.Fatalf("catalogue %s: %v", key, err)
		}
		keys = append(keys, key)
	}
	return keys
}

func (e *bundleEnv) mark(t testing.TB, item, recording, startMs, endMs int64) {
	t.Helper()
	if _, err := e.svc.store.AddIndexPoint(context.Background(), item, recording, startMs,
		&endMs); err != nil {
		t.Fatalf("add index point: %v", err)
	}
}

// decisionOf returns a sample decision linked to item, or one linked to
// none when item is 0.
func (e *bundleEnv) decisionOf(t testing.TB, item int64) int64 {
	t.Helper()
	for _, sd := range e.sample.Decisions {
		d, err := e.svc.store.GetDecision(context.Background(), sd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if (item == 0 && d.AgendaItemID == nil) || (d.AgendaItemID != nil && *d.AgendaItemID == item) {
			return d.ID
		}
	}
	t.Fatalf("the sample has no decision linked to item %d", item)
	return 0
}

func (e *bundleEnv) export(kind bundle.SubjectKind, id int64, path string) (string, error) {
	var out strings.Builder
	err := exportBundle(context.Background(), e.svc, e.key, kind, id, path, &out)
	return out.String(), err
}

// TestExportBundle exports the evidence of a decision taken in a recorded
// meeting, from the real PostgreSQL and MinIO, and checks the bundle
// offline: the segments of both tracks that overlap the item's stretch,
// byte for byte as ffmpeg wrote them, and the records.
func TestExportBundle(t *testing.T) {
	e := newBundleEnv(t)
	dir := t.TempDir()
	camera := makeSegments(t, dir, "camera", true, 8)
	mic := makeSegments(t, dir, "mic", false, 8)
	recording, keys := e.record(t, e.sample.MeetingID, [][]string{camera, mic}, nil)
	item := e.sample.AgendaItemIDs[0]
	e.mark(t, item, recording, 2500, 5000) // seq 1 (2–4 s) and 2 (4–6 s)
	decision := e.decisionOf(t, item)

	path := filepath.Join(t.TempDir(), "decision.zip")
	out, err := e.export(bundle.SubjectDecision, decision, path)
	if err != nil {
		t.Fatalf("export decision %d: %v", decision, err)
	}
	if !strings.Contains(out, "4 segments") || !strings.Contains(out, "liuhen verify-bundle "+path) {
		t.Errorf("export said %q, want the count and how to verify", out)
	}
	report, err := bundle.VerifyFile(path, e.key.Public().(ed25519.PublicKey))
	if err != nil || !report.Valid() {
		t.Fatalf("verify: got %v, %v; want valid", report.Problems, err)
	}
	var gotKeys []string
	for _, s := range report.Manifest.Segments {
		gotKeys = append(gotKeys, s.ObjectKey)
	}
	wantKeys := []string{keys[0][1], keys[0][2], keys[1][1], keys[1][2]}
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("segments: got %v, want %v", gotKeys, wantKeys)
	}
	files := zipFiles(t, path)
	originals := []string{camera[1], camera[2], mic[1], mic[2]}
	for i, s := range report.Manifest.Segments {
		want, _ := os.ReadFile(originals[i])
		if !bytes.Equal(files[s.Path], want) {
			t.Errorf("%s: the bundle's %d bytes are not the %d ffmpeg wrote", s.Path,
				len(files[s.Path]), len(want))
		}
	}
	for _, name := range []string{fmt.Sprintf("records/decision-%d.json", decision),
		fmt.Sprintf("records/agenda-item-%d.json", item),
		fmt.Sprintf("records/meeting-%d.json", e.sample.MeetingID),
		fmt.Sprintf("records/matter-%d.json", e.sample.Matters["QS-03"]),
		fmt.Sprintf("records/recording-%d.json", recording)} {
		if len(files[name]) == 0 {
			t.Errorf("the bundle holds no %s; it holds %v", name, slices.Sorted(mapKeys(files)))
		}
	}
	t.Run("command line", func(t *testing.T) { checkBundleCommands(t, e, item) })

	extracted := filepath.Join(t.TempDir(), "segment.webm")
	if err := os.WriteFile(extracted, files[report.Manifest.Segments[0].Path], 0o600); err != nil {
		t.Fatal(err)
	}
	mediatest.Run(t, "ffmpeg", "-v", "error", "-i", extracted, "-enc_time_base", "-1",
		"-f", "null", "-")
}

// checkBundleCommands exports the item with liuhen export and checks the
// exit statuses of liuhen verify-bundle on it, intact and not.
func checkBundleCommands(t *testing.T, e *bundleEnv, item int64) {
	dir := t.TempDir()
	path := filepath.Join(dir, "item.zip")
	if got := run([]string{"export", "--agenda-item", strconv.FormatInt(item, 10), "-o", path}); got != exitOK {
		t.Fatalf("liuhen export: got exit status %d, want 0", got)
	}
	pub := bundle.EncodePublicKey(e.key.Public().(ed25519.PublicKey))
	pubFile := filepath.Join(dir, "liuhen.pub")
	if err := os.WriteFile(pubFile, []byte(pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	otherPub, _, _ := ed25519.GenerateKey(nil)
	tampered := filepath.Join(dir, "tampered.zip")
	data, _ := os.ReadFile(path)
	data[bytes.Index(data, []byte("OpusHead"))+20] ^= 1 // in the first segment's header
	if err := os.WriteFile(tampered, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"valid, key in base64", []string{path, "--public-key", pub}, exitOK},
		{"valid, key in a file", []string{path, "--public-key", pubFile}, exitOK},
		{"another key", []string{path, "--public-key", bundle.EncodePublicKey(otherPub)}, exitFindings},
		{"tampered", []string{tampered, "--public-key", pub}, exitFindings},
		{"no such bundle", []string{filepath.Join(dir, "none.zip"), "--public-key", pub}, exitUsage},
		{"no key", []string{path}, exitUsage},
		{"bad key", []string{path, "--public-key", "not-a-key"}, exitUsage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := run(append([]string{"verify-bundle"}, c.args...)); got != c.want {
				t.Errorf("liuhen verify-bundle %v: got exit status %d, want %d", c.args, got, c.want)
			}
		})
	}
}

func zipFiles(t testing.TB, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestExportRefuses checks each kind of subject that cannot be exported,
// on the real services: the error names what is missing, and no file is
// left behind.
func TestExportRefuses(t *testing.T) {
	e := newBundleEnv(t)
	dir := t.TempDir()
	camera := makeSegments(t, dir, "camera", true, 6)
	gone := camera[1]
	recording, keys := e.record(t, e.sample.MeetingID, [][]string{camera},
		map[string]bool{gone: true})
	items := e.sample.AgendaItemIDs
	e.mark(t, items[0], recording, 2500, 3000) // seq 1, not stored
	e.mark(t, items[1], recording, 4500, 5000) // seq 2, changed below
	changed := bytes.Repeat([]byte{0x1a}, int(fileSize(t, camera[2])))
	_, err := e.raw.PutObject(context.Background(), e.bucket, keys[0][2], bytes.NewReader(changed),
		int64(len(changed)), minio.PutObjectOptions{})
	if err != nil {
		t.Fatalf("put a new version of %s: %v", keys[0][2], err)
	}

	cases := []struct {
		name string
		kind bundle.SubjectKind
		id   int64
		want error
		says string
	}{
		{"unknown decision", bundle.SubjectDecision, 999999, bundle.ErrNotFound,
			"decision 999999 does not exist"},
		{"unknown agenda item", bundle.SubjectAgendaItem, 999999, bundle.ErrNotFound,
			"agenda item 999999 does not exist"},
		{"decision linked to no agenda item", bundle.SubjectDecision, e.decisionOf(t, 0),
			bundle.ErrIncomplete, "is linked to no agenda item"},
		{"item without index points", bundle.SubjectAgendaItem, items[2], bundle.ErrIncomplete,
			fmt.Sprintf("agenda item %d has no index points", items[2])},
		{"segment missing from MinIO", bundle.SubjectAgendaItem, items[0], bundle.ErrSegmentMissing,
			"seq 1 (segments/recording-" + strconv.FormatInt(recording, 10)},
		{"segment changed in MinIO", bundle.SubjectAgendaItem, items[1], bundle.ErrSegmentMismatch,
			"object " + keys[0][2]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bundle.zip")
			_, err := e.export(c.kind, c.id, path)
			t.Log(err)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got %v, want an error matching %q that says %q", err, c.want, c.says)
			}
			if left, _ := os.ReadDir(filepath.Dir(path)); len(left) != 0 {
				t.Errorf("got %v left behind, want nothing", left)
			}
			flag := "--decision"
			if c.kind == bundle.SubjectAgendaItem {
				flag = "--agenda-item"
			}
			if got := run([]string{"export", flag, strconv.FormatInt(c.id, 10), "-o", path}); got != exitFailure {
				t.Errorf("liuhen export %s %d: got exit status %d, want %d", flag, c.id, got, exitFailure)
			}
		})
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/publish"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// The fault tests run `liuhen serve`, built from this repository, as a
// child process on the real PostgreSQL and on a MinIO server of their own,
// so that either can be killed, stopped or restarted without touching the
// shared services.

// buildLiuhen builds the liuhen binary into a directory of the test.
func buildLiuhen(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "liuhen")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/liuhen")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/liuhen: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a TCP port on loopback that nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// child is a process the test started, with its output in a log file.
type child struct {
	cmd     *exec.Cmd
	started time.Time
	exited  chan struct{}
	err     error // set when exited is closed
}

func startChild(t testing.TB, log *os.File, env []string, name string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	c := &child{cmd: cmd, started: time.Now(), exited: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.exited) }()
	return c
}

func (c *child) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("send %v to %s: %v", sig, c.cmd.Path, err)
	}
}

// wait waits up to limit for the process to exit and returns its exit code.
func (c *child) wait(t testing.TB, limit time.Duration) int {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(limit):
		t.Fatalf("%s did not exit within %v", c.cmd.Path, limit)
	}
	return c.cmd.ProcessState.ExitCode()
}

// kill ends the process with SIGKILL, resuming it first if it is stopped.
func (c *child) kill() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Process.Signal(syscall.SIGCONT)
	<-c.exited
}

// ownMinIO is a MinIO server of one test, on its own port and data
// directory, from the binary scripts/deps.sh caches.
type ownMinIO struct {
	bin, dir       string
	port, console  int
	user, password string
	log            *os.File
	proc           *child
}

func startOwnMinIO(t *testing.T) *ownMinIO {
	t.Helper()
	out, err := exec.Command(filepath.Join(repoRoot(t), "scripts", "deps.sh"),
		"--print-minio").Output()
	if err != nil {
		t.Fatalf("no MinIO binary (%v): build it with `scripts/deps.sh` or `make services`", err)
	}
	dir := t.TempDir()
	log, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		t.Fatal(err)
	}
	m := &ownMinIO{bin: strings.TrimSpace(string(out)), dir: filepath.Join(dir, "data"),
		port: freePort(t), console: freePort(t), user: "fault-test",
		password: "fault-test-secret", log: log}
	t.Cleanup(func() {
		if m.proc != nil {
			m.proc.kill()
		}
		log.Close()
	})
	m.start(t)
	return m
}

func (m *ownMinIO) endpoint() string { return fmt.Sprintf("127.0.0.1:%d", m.port) }

// start runs the server on its port and data directory and waits until it
// answers.
func (m *ownMinIO) start(t testing.TB) {
	t.Helper()
	env := append(os.Environ(), "MINIO_ROOT_USER="+m.user, "MINIO_ROOT_PASSWORD="+m.password,
		"MINIO_UPDATE=off", "MINIO_BROWSER=off")
	m.proc = startChild(t, m.log, env, m.bin, "server", m.dir,
		"--address", m.endpoint(), "--console-address", fmt.Sprintf("127.0.0.1:%d", m.console))
	waitHTTP(t, "http://"+m.endpoint()+"/minio/health/live", 60*time.Second, m.proc)
}

// kill ends the server with SIGKILL; start brings it back with its data.
func (m *ownMinIO) kill() { m.proc.kill() }

// pause stops the process (SIGSTOP): it keeps its port, so connections
// open and requests hang, as with a half-open network. resume continues it.
func (m *ownMinIO) pause(t testing.TB)  { m.proc.signal(t, syscall.SIGSTOP) }
func (m *ownMinIO) resume(t testing.TB) { m.proc.signal(t, syscall.SIGCONT) }

// waitHTTP waits until url answers 200, failing when proc exits first.
func waitHTTP(t testing.TB, url string, limit time.Duration, proc *child) {
	t.Helper()
	client := http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-proc.exited:
			t.Fatalf("%s exited before %s answered: %v", proc.cmd.Path, url, proc.err)
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %v", url, limit)
}

// faultOptions shape a faultStack.
type faultOptions struct {
	segment  time.Duration
	spoolMax string // LIUHEN_SPOOL_MAX_BYTES; empty for the default
}

// faultStack is a test database with the sample township, a MinIO server
// of the test's own, and `liuhen serve` as a child process that can be
// killed and started again on the same spool, port and database.
type faultStack struct {
	t      *testing.T
	bin    string
	env    []string
	url    string
	spool  string
	admin  string
	minio  *ownMinIO
	bucket string
	store  *agenda.Store
	pool   *pgxpool.Pool
	sample agenda.Sample
	log    *os.File
	server *child
}

func newFaultStack(t *testing.T, opts faultOptions) *faultStack {
	t.Helper()
	f := &faultStack{t: t, bin: buildLiuhen(t), spool: filepath.Join(t.TempDir(), "spool"),
		admin: "fault-admin-token", bucket: testenv.BucketName()}
	dbURL := testenv.DatabaseURL(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f.pool, f.store = pool, agenda.NewStore(pool)
	if f.sample, err = agenda.LoadSample(context.Background(), f.store); err != nil {
		t.Fatalf("load sample: %v", err)
	}
	f.minio = startOwnMinIO(t)
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	f.url = "http://" + listen
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LIUHEN_") {
			f.env = append(f.env, kv)
		}
	}
	f.env = append(f.env, "LIUHEN_DATABASE_URL="+dbURL, "LIUHEN_LISTEN="+listen,
		"LIUHEN_ADMIN_TOKEN="+f.admin, "LIUHEN_MINIO_ENDPOINT="+f.minio.endpoint(),
		"LIUHEN_MINIO_ACCESS_KEY="+f.minio.user, "LIUHEN_MINIO_SECRET_KEY="+f.minio.password,
		"LIUHEN_MINIO_BUCKET="+f.bucket, "LIUHEN_RETENTION_DAYS=1", "LIUHEN_SPOOL_DIR="+f.spool,
		"LIUHEN_SEGMENT_DURATION="+opts.segment.String(),
		"LIUHEN_SIGNING_KEY_FILE="+filepath.Join(t.TempDir(), "signing.key"))
	if opts.spoolMax != "" {
		f.env = append(f.env, "LIUHEN_SPOOL_MAX_BYTES="+opts.spoolMax)
	}
	if f.log, err = os.Create(filepath.Join(t.TempDir(), "serve.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f.server != nil {
			f.server.kill()
		}
		if t.Failed() {
			t.Logf("server log (last lines):\n%s", tail(f.log.Name(), 120))
		}
		f.log.Close()
	})
	return f
}

// startServer starts `liuhen serve` and waits until it answers.
func (f *faultStack) startServer() {
	f.t.Helper()
	fmt.Fprintf(f.log, "---- liuhen serve started at %s\n", time.Now().Format(time.RFC3339Nano))
	f.server = startChild(f.t, f.log, f.env, f.bin, "serve")
	waitHTTP(f.t, f.url+"/healthz", 60*time.Second, f.server)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// serverLog returns everything the server processes have logged.
func (f *faultStack) serverLog() string {
	b, err := os.ReadFile(f.log.Name())
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

// publishing is a publisher streaming to the meeting in the background.
type publishing struct {
	done chan struct{}
	res  publish.Result
	err  error
}

// publish streams length of VP8 and Opus to the sample meeting.
func (f *faultStack) publish(ivf, ogg string, length time.Duration) *publishing {
	p := &publishing{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.res, p.err = publish.Run(context.Background(), publish.Options{
			Endpoint: fmt.Sprintf("%s/whip/%d", f.url, f.sample.MeetingID), Token: f.admin,
			VideoIVF: ivf, AudioOgg: ogg, Duration: length,
		})
	}()
	return p
}

// wait waits for the publisher to end and returns its error.
func (p *publishing) wait(t testing.TB, limit time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(limit):
		t.Fatalf("publisher still running after %v", limit)
		return nil
	}
}

// recording waits until the meeting has a recording and returns the
// latest.
func (f *faultStack) recording(limit time.Duration) agenda.Recording {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		recs, err := f.store.RecordingSummary(context.Background(), f.sample.MeetingID)
		if err != nil {
			f.t.Fatalf("recording summary: %v", err)
		}
		if len(recs) > 0 {
			return recs[len(recs)-1]
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("meeting %d has no recording after %v", f.sample.MeetingID, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitEnded waits until the latest recording is no longer being recorded.
func (f *faultStack) waitEnded(limit time.Duration) agenda.Recording {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		rec := f.recording(limit)
		if rec.State != agenda.StateRecording {
			return rec
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("recording %d still %q after %v", rec.ID, rec.State, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// segments lists the meeting's catalogued segments.
func (f *faultStack) segments() []agenda.StoredSegment {
	f.t.Helper()
	segs, err := f.store.MeetingSegments(context.Background(), f.sample.MeetingID)
	if err != nil {
		f.t.Fatalf("list segments: %v", err)
	}
	return segs
}

// spoolRecords reads the spool records: the SHA-256 of each segment
// waiting to be stored, by object key.
func (f *faultStack) spoolRecords() map[string]string {
	f.t.Helper()
	paths, err := filepath.Glob(filepath.Join(f.spool, "*.record.json"))
	if err != nil {
		f.t.Fatal(err)
	}
	recs := map[string]string{}
	for _, p := range paths {
		var rec struct{ Key, SHA256 string }
		b, err := os.ReadFile(p)
		if err == nil {
			err = json.Unmarshal(b, &rec)
		}
		if err != nil {
			f.t.Fatalf("read spool record %s: %v", p, err)
		}
		recs[rec.Key] = rec.SHA256
	}
	return recs
}

// waitSpoolEmpty waits until no segment waits in the spool.
func (f *faultStack) waitSpoolEmpty(limit time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for len(f.spoolRecords()) > 0 {
		if time.Now().After(deadline) {
			f.t.Fatalf("segments still in the spool after %v: %v", limit, f.spoolRecords())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metric reads one unlabelled metric from the server's /metrics.
func (f *faultStack) metric(name string) float64 {
	f.t.Helper()
	resp, err := http.Get(f.url + "/metrics")
	if err != nil {
		f.t.Fatalf("get /metrics: %v", err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				f.t.Fatalf("metric %s: %v", name, err)
			}
			return x
		}
	}
	f.t.Fatalf("/metrics has no %s", name)
	return 0
}

// checkEvidence checks every catalogued segment in MinIO as the end-to-end
// tests do (hash, size, ffprobe, a clean decode, keyframe first, no gaps)
// and returns the segments.
func (f *faultStack) checkEvidence() []agenda.StoredSegment {
	f.t.Helper()
	objects, err := storage.Open(context.Background(), storage.Config{
		Endpoint: f.minio.endpoint(), AccessKey: f.minio.user, SecretKey: f.minio.password,
		Bucket: f.bucket, Retention: 24 * time.Hour})
	if err != nil {
		f.t.Fatalf("open the test's MinIO: %v", err)
	}
	s := &stack{app: &app{svc: services{pool: f.pool, store: f.store, objects: objects}}}
	return s.checkSegments(f.t, f.sample.MeetingID, true)
}

// verify runs `liuhen verify --rehash --format json` and returns the report.
func (f *faultStack) verify() verify.Report {
	f.t.Helper()
	cmd := exec.Command(f.bin, "verify", "--rehash", "--format", "json")
	cmd.Env = f.env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			f.t.Fatalf("liuhen verify: %v\n%s", err, ee.Stderr)
		}
		f.t.Fatalf("liuhen verify: %v", err)
	}
	var rep verify.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		f.t.Fatalf("read verify report: %v\n%s", err, out)
	}
	return rep
}

// checkVerdicts checks the verifier's view of an interrupted recording:
// no RECORDING_TAMPERED at all, and RECORDING_INTERRUPTED for every
// decision taken in the recorded meeting that would otherwise pass.
func (f *faultStack) checkVerdicts() {
	f.t.Helper()
	rep := f.verify()
	interrupted := map[int64]bool{}
	for _, fd := range rep.Findings {
		switch fd.Code {
		case verify.CodeRecordingTampered:
			f.t.Errorf("decision %d: RECORDING_TAMPERED: %s", fd.DecisionID, fd.Message)
		case verify.CodeRecordingInterrupted:
			interrupted[fd.DecisionID] = true
		}
	}
	linked := f.decisionsOfMeeting()
	checked := 0
	for _, d := range f.sample.Decisions {
		if d.WantFinding != "" || !linked[d.ID] {
			continue
		}
		checked++
		if !interrupted[d.ID] {
			f.t.Errorf("decision %s: got no RECORDING_INTERRUPTED, want one", d.Reference)
		}
	}
	if checked == 0 {
		f.t.Error("no sample decision of the recorded meeting to check; the sample changed?")
	}
}

// decisionsOfMeeting returns the decisions linked to the sample meeting's
// agenda items.
func (f *faultStack) decisionsOfMeeting() map[int64]bool {
	f.t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT d.id FROM decisions d
		JOIN agenda_items a ON a.id = d.agenda_item_id WHERE a.meeting_id = $1`,
		f.sample.MeetingID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	ids := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// checkContiguous checks that segments are numbered 0, 1, … and returns
// where the last one ends.
func checkContiguous(t testing.TB, segs []agenda.StoredSegment) time.Duration {
	t.Helper()
	if len(segs) == 0 {
		t.Fatal("no segment stored")
	}
	for i, g := range segs {
		if g.Seq != i {
			t.Errorf("segment %d has seq %d: want no gap", i, g.Seq)
		}
	}
	return time.Duration(segs[len(segs)-1].MediaEndMs) * time.Millisecond
}

// faultMedia encodes length of VP8 (keyframe every second) and the meeting
// audio, looped, as Opus in Ogg.
func faultMedia(t *testing.T, length time.Duration) (ivf, ogg string) {
	t.Helper()
	dir := t.TempDir()
	ivf, ogg = filepath.Join(dir, "video.ivf"), filepath.Join(dir, "audio.ogg")
	secs := strconv.Itoa(int(length.Seconds()))
	wav := filepath.Join(repoRoot(t), "testdata", "media", "EN2002a_30s.wav")
	for _, args := range [][]string{
		{"-f", "lavfi", "-i", "testsrc=size=640x360:rate=30", "-t", secs, "-c:v", "libvpx",
			"-g", "30", "-b:v", "600k", "-deadline", "realtime", "-cpu-used", "8", ivf},
		{"-stream_loop", "-1", "-i", wav, "-t", secs, "-c:a", "libopus", "-b:a", "32k",
			"-ar", "48000", "-page_duration", "20000", ogg},
	} {
		cmd := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %v: %v\n%s (install FFmpeg with `apt-get install ffmpeg`)",
				args, err, out)
		}
	}
	return ivf, ogg
}

package capture

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/liuhen/liuhen/internal/publish"

	"github.com/liuhen/liuhen/internal/mediatest"
)

// Helpers for the tests that record a pion publisher end to end through
// the capture server, with the catalogue and the object store faked: they
// test the media path, and keep every stored segment to probe.

// keptObjects is an ObjectStore that keeps a copy of every object.
type keptObjects struct {
	dir  string
	mu   sync.Mutex
	keys []string
	// gate holds uploads while a test holds it locked, as a paused MinIO
	// would.
	gate sync.RWMutex
}

var _ ObjectStore = (*keptObjects)(nil)

func (o *keptObjects) PutFile(_ context.Context, key, path string, _ [32]byte, _ string) error {
	o.gate.RLock()
	o.gate.RUnlock() //nolint:staticcheck // waits for the gate to open
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.WriteFile(filepath.Join(o.dir, strings.ReplaceAll(key, "/", "_")), data,
		0o600); err != nil {
		return err
	}
	o.keys = append(o.keys, key)
	return nil
}

// files returns the stored segments' paths in sequence order.
func (o *keptObjects) files() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	keys := slices.Clone(o.keys)
	slices.Sort(keys)
	paths := make([]string, len(keys))
	for i, k := range keys {
		paths[i] = filepath.Join(o.dir, strings.ReplaceAll(k, "/", "_"))
	}
	return paths
}

// logSink sends the server's logs to the test log until the test ends.
type logSink struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logSink) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// mediaServer is a capture server on fakes, serving WHIP on loopback.
type mediaServer struct {
	srv     *Server
	cat     *fakeCatalog
	objects *keptObjects
	url     string // of meeting 1's WHIP endpoint
}

func newMediaServer(t testing.TB, segment time.Duration) *mediaServer {
	t.Helper()
	sink := &logSink{t: t}
	logger := slog.New(slog.NewTextHandler(sink, &slog.HandlerOptions{Level: slog.LevelInfo}))
	m := &mediaServer{cat: &fakeCatalog{}, objects: &keptObjects{dir: t.TempDir()}}
	srv, err := NewServer(Config{SpoolDir: t.TempDir(), SegmentDuration: segment,
		ICELoopback: true}, Deps{Catalog: m.cat, Objects: m.objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()), Logger: logger})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/whip/", http.StripPrefix("/whip", srv.Routes()))
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
		sink.mu.Lock()
		sink.done = true
		sink.mu.Unlock()
	})
	m.srv, m.url = srv, hs.URL+"/whip/1"
	return m
}

// publishing runs a publisher in the background and hands over its
// session on the server as soon as there is one.
type publishing struct {
	done    chan struct{}
	res     publish.Result
	err     error
	session *session
}

func (m *mediaServer) publish(t testing.TB, opts publish.Options) *publishing {
	t.Helper()
	opts.Endpoint, opts.Token = m.url, "admin"
	p := &publishing{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.res, p.err = publish.Run(context.Background(), opts)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for p.session == nil && time.Now().Before(deadline) {
		m.srv.mu.Lock()
		for _, s := range m.srv.sessions {
			p.session = s
		}
		m.srv.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	if p.session == nil {
		t.Fatalf("no session on the server 20s after publishing began")
	}
	return p
}

// wait waits for the publisher to finish and fails on its error.
func (p *publishing) wait(t testing.TB) publish.Result {
	t.Helper()
	<-p.done
	if p.err != nil {
		t.Fatalf("publish: %v", p.err)
	}
	return p.res
}

// waitEnded waits until the session's track is closed and returns its
// state and when it closed.
func (m *mediaServer) waitEnded(t testing.TB, within time.Duration) (string, time.Time) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if st := m.cat.closedState(9); st != "" {
			return st, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the track was not closed within %v", within)
	return "", time.Time{}
}

// probePacket is one packet of a stored segment, as ffprobe reads it.
type probePacket struct {
	pts  time.Duration
	size int
	key  bool
	file int // index of the segment
}

// packets lists the packets of one kind ("a" or "v") in the segments, in
// order.
func packets(t testing.TB, files []string, kind string) []probePacket {
	t.Helper()
	var out []probePacket
	for i, f := range files {
		raw := mediatest.Run(t, "ffprobe", "-v", "error", "-select_streams", kind, "-show_entries",
			"packet=pts_time,size,flags", "-of", "json", f)
		var doc struct {
			Packets []struct {
				PTS   string `json:"pts_time"`
				Size  string `json:"size"`
				Flags string `json:"flags"`
			} `json:"packets"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("parse ffprobe packets of %s: %v", f, err)
		}
		for _, p := range doc.Packets {
			size, _ := strconv.Atoi(p.Size)
			out = append(out, probePacket{pts: seconds(t, p.PTS), size: size,
				key: strings.HasPrefix(p.Flags, "K"), file: i})
		}
	}
	return out
}

// checkSegmentFiles decodes every segment, and checks that each kind's
// timestamps never go back, within and across segments.
func checkSegmentFiles(t testing.TB, files []string) {
	t.Helper()
	if len(files) == 0 {
		t.Fatalf("no segment was stored")
	}
	for _, f := range files {
		requireDecodes(t, f)
	}
	for _, kind := range []string{"a", "v"} {
		pkts := packets(t, files, kind)
		for i := 1; i < len(pkts); i++ {
			if pkts[i].pts < pkts[i-1].pts {
				t.Errorf("%s packet %d at %v comes after one at %v: timestamps go back", kind,
					i, pkts[i].pts, pkts[i-1].pts)
				return
			}
		}
	}
}

// sentFrame is a frame as the publisher sent it: its size and the
// publisher's capture time, from the start of streaming.
type sentFrame struct {
	size    int
	capture time.Duration
}

func sentFrames(frames []Frame, shift time.Duration) []sentFrame {
	out := make([]sentFrame, len(frames))
	for i, f := range frames {
		out[i] = sentFrame{len(f.Data), f.PTS + shift}
	}
	return out
}

// matchRun finds the recorded packets among the sent frames: for the first
// run of 8 consecutive packets from packet from on whose sizes occur once
// among the sent frames, it returns the packet's index and the frame's.
func matchRun(recorded []probePacket, sent []sentFrame, from int) (int, int, bool) {
	const run = 8
	for i := from; i+run <= len(recorded); i++ {
		found, at := 0, -1
		for j := 0; j+run <= len(sent) && found < 2; j++ {
			ok := true
			for k := range run {
				if recorded[i+k].size != sent[j+k].size {
					ok = false
					break
				}
			}
			if ok {
				found, at = found+1, j
			}
		}
		if found == 1 {
			return i, at, true
		}
	}
	return 0, 0, false
}

// avError returns how far the recording puts a video frame from an audio
// frame, less how far apart the publisher captured them: 0 is perfect
// lip sync. It matches packets in the middle of the recording.
func avError(t testing.TB, files []string, video, audio []sentFrame) time.Duration {
	t.Helper()
	vp, ap := packets(t, files, "v"), packets(t, files, "a")
	vi, vj, okV := matchRun(vp, video, len(vp)/2)
	ai, aj, okA := matchRun(ap, audio, len(ap)/2)
	if !okV || !okA {
		t.Fatalf("could not find the recorded packets among those sent (video %v, audio %v)",
			okV, okA)
	}
	recorded := vp[vi].pts - ap[ai].pts
	captured := video[vj].capture - audio[aj].capture
	return recorded - captured
}

// fileWithSize returns the first segment whose video is width x height.
func fileWithSize(t testing.TB, files []string, width, height int) (int, bool) {
	t.Helper()
	for i, f := range files {
		for _, s := range probe(t, f).Streams {
			if s.CodecType == "video" && s.Width == width && s.Height == height {
				return i, true
			}
		}
	}
	return 0, false
}

func describeGaps(gaps []Gap) string {
	var b strings.Builder
	for _, g := range gaps {
		fmt.Fprintf(&b, "%s %v–%v (%d lost); ", kindName(kindIndex(g.Video)), g.Start, g.End,
			g.Lost)
	}
	return b.String()
}

var _ io.Writer = (*logSink)(nil)

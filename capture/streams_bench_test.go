package capture

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/liuhen/liuhen/agenda"

	"github.com/liuhen/liuhen/internal/mediatest"
	"github.com/liuhen/liuhen/internal/publish"
)

// Benchmarks of what one recorded stream costs: CPU and memory per stream
// with N publishers at once, and memory over a long recording. BENCHMARKS.md
// ("Recording cost per stream") has the numbers and how to run them.

// benchSpeechWAV is the speech the benchmarks' Opus is encoded from.
const benchSpeechWAV = "../testdata/media/EN2002a_30s.wav"

// streamMedia is 720p VP8 at about 1.5 Mbps and Opus speech, made once.
type streamMedia struct {
	once            sync.Once
	dir             string
	video720, audio string
}

var benchMedia streamMedia

// files encodes the media on first use into a directory under TMPDIR that
// both benchmarks share.
// TODO(bench): the directory (about 5 MB) is left behind; a TestMain that
// removes it would fix that, but capture's tests have no TestMain yet.
func (m *streamMedia) files(b testing.TB) (video, audio string) {
	b.Helper()
	m.once.Do(func() {
		dir, err := os.MkdirTemp("", "liuhen-bench-media-")
		if err != nil {
			b.Fatalf("make media directory: %v", err)
		}
		m.dir = dir
		m.video720 = filepath.Join(dir, "v720.ivf")
		m.audio = filepath.Join(dir, "speech.ogg")
		mediatest.Run(b, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
			"testsrc2=size=1280x720:rate=30", "-t", "25", "-c:v", "libvpx", "-b:v", "1500k",
			"-deadline", "realtime", "-cpu-used", "8", "-g", "60", "-keyint_min", "60",
			m.video720)
		mediatest.Run(b, "ffmpeg", "-v", "error", "-y", "-i", benchSpeechWAV, "-c:a", "libopus",
			"-ar", "48000", "-b:a", "32k", "-page_duration", "20000", m.audio)
	})
	if m.video720 == "" {
		b.Fatal("bench media could not be made; see the first failure")
	}
	return m.video720, m.audio
}

// discardObjects accepts every segment without keeping it: the stream
// benchmarks measure the media path, not the evidence store.
type discardObjects struct{ bytes, segments atomic.Int64 }

func (o *discardObjects) PutFile(_ context.Context, _, path string, _ [32]byte, _ string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	o.bytes.Add(st.Size())
	o.segments.Add(1)
	return nil
}

var _ ObjectStore = (*discardObjects)(nil)

// usage is a sample of the process's cost.
type usage struct {
	cpu       time.Duration // user + system since the process started
	heapInuse uint64
	rss       uint64 // bytes
}

func sampleUsage(b testing.TB) usage {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		heapInuse: ms.HeapInuse, rss: vmRSS(b)}
}

// vmRSS reads the resident set size from /proc/self/status.
func vmRSS(b testing.TB) uint64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatalf("open /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			b.Fatalf("parse VmRSS %q: %v", rest, err)
		}
		return kb * 1024
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

const (
	streamWarmup = 4 * time.Second  // connect, first keyframe, first segment open
	streamWindow = 15 * time.Second // measured stretch
)

// BenchmarkRecordStreams records N pion publishers of 720p VP8 (1.5 Mbps)
// and Opus over loopback with one Server and reports CPU and memory per
// stream. The publishers run in this process, so their cost is included.
// Run with -benchtime 1x: each iteration is one fixed window.
func BenchmarkRecordStreams(b *testing.B) {
	video, audio := benchMedia.files(b)
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("streams=%d", n), func(b *testing.B) {
			for range b.N {
				recordStreams(b, n, video, audio)
			}
		})
	}
}

func recordStreams(b *testing.B, n int, video, audio string) {
	objects := &discardObjects{}
	// The default segment length (10 s): a segment is held in memory until
	// its cut, so the length shows in the heap.
	srv, err := NewServer(Config{SpoolDir: b.TempDir(),
		ICELoopback: true, MaxSessions: n, MaxMeetingSessions: n}, Deps{
		Catalog: &fakeCatalog{}, Objects: objects, Auth: fakeAuth{},
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatalf("NewServer: %v", err)
	}
	// Mounted where `liuhen serve` mounts it, so the session URLs resolve.
	router := chi.NewRouter()
	router.Mount("/whip", srv.Routes())
	hs := httptest.NewServer(router)
	defer hs.Close()

	runtime.GC()
	base := sampleUsage(b)
	results := make([]publish.Result, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = publish.Run(context.Background(), publish.Options{
				Endpoint: hs.URL + "/whip/1", Token: "admin", VideoIVF: video, AudioOgg: audio,
				Duration: streamWarmup + streamWindow + time.Second,
			})
		})
	}
	time.Sleep(streamWarmup)
	before := sampleUsage(b)
	time.Sleep(streamWindow)
	after := sampleUsage(b)
	// The heap live at the end of the window: what the streams hold, not
	// the garbage a collection would free.
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	after.heapInuse = ms.HeapInuse
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		b.Errorf("close server: %v", err)
	}
	reportStreams(b, n, base, before, after, results, errs, objects)
}

func reportStreams(b *testing.B, n int, base, before, after usage, results []publish.Result,
	errs []error, objects *discardObjects) {
	b.Helper()
	frames, failed := 0, 0
	for i, err := range errs {
		if err != nil {
			failed++
			b.Logf("publisher %d: %v", i, err)
		}
		frames += results[i].VideoFrames
	}
	cpu := after.cpu - before.cpu
	perStream := float64(cpu.Milliseconds()) / float64(n) / streamWindow.Seconds()
	mb := func(x, y uint64) float64 { return (float64(x) - float64(y)) / float64(n) / 1e6 }
	b.ReportMetric(perStream, "cpu-ms/stream/s")
	b.ReportMetric(float64(cpu)/float64(streamWindow)*100, "cpu-%-of-1-core")
	b.ReportMetric(mb(after.heapInuse, base.heapInuse), "heap-MB/stream")
	b.ReportMetric(mb(after.rss, base.rss), "rss-MB/stream")
	b.ReportMetric(float64(failed), "failed-publishers")
	b.ReportMetric(float64(frames)/float64(n), "video-frames-sent/stream")
	b.ReportMetric(float64(objects.bytes.Load())*8/1e6/float64(n), "Mbit-stored/stream")
	b.ReportMetric(float64(objects.segments.Load())/float64(n), "segments/stream")
	b.Logf("streams=%d cpu=%v over %v, heap %d→%d MB, rss %d→%d MB", n, cpu, streamWindow,
		base.heapInuse>>20, after.heapInuse>>20, base.rss>>20, after.rss>>20)
}

// frameLoop repeats a list of frames forever with increasing PTS.
type frameLoop struct {
	frames []Frame
	period time.Duration
	i      int
}

func (l *frameLoop) peek() Frame {
	f := l.frames[l.i%len(l.frames)]
	f.PTS += time.Duration(l.i/len(l.frames)) * l.period
	return f
}

// BenchmarkLongRecordingMemory records two hours of 720p VP8 (about 2 Mbps)
// and Opus through a session's whole media path, without the network: RTP
// packets made in the test go through the video assembler, the timeline
// (placed by sender reports), the gap log, the segmenter and the archiver,
// as fast as they are taken. One audio packet a minute is lost, so the gap
// log grows too. HeapInuse is sampled every ten minutes of media; a flat
// recording keeps it from growing after the first sample.
func BenchmarkLongRecordingMemory(b *testing.B) {
	dir := b.TempDir()
	vpath := filepath.Join(dir, "v2m.ivf")
	mediatest.Run(b, "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		"testsrc2=size=1280x720:rate=30", "-t", "20", "-c:v", "libvpx", "-b:v", "2000k",
		"-deadline", "realtime", "-cpu-used", "8", "-g", "60", "-keyint_min", "60", vpath)
	_, apath := benchMedia.files(b)
	vf, af := readIVF(b, vpath), readOgg(b, apath)
	for range b.N {
		longRecording(b, dir, vf, af)
	}
}

// rtpFeed turns looped frames into the RTP a publisher would send.
type rtpFeed struct {
	video, audio *frameLoop
	vp8          codecs.VP8Payloader
	seq          [numKinds]uint16
}

func longRecording(b *testing.B, dir string, vf, af []Frame) {
	const length, every = 2 * time.Hour, 10 * time.Minute
	objects := &discardObjects{}
	srv, err := NewServer(Config{SpoolDir: filepath.Join(dir, "spool"), ICELoopback: true},
		Deps{Catalog: &fakeCatalog{}, Objects: objects, Auth: fakeAuth{},
			Metrics: NewMetrics(prometheus.NewRegistry()),
			Logger:  slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatalf("NewServer: %v", err)
	}
	zero := time.Now()
	ref := agenda.TrackRef{TrackID: 1, RecordingID: 1, MeetingID: 1, Zero: zero}
	// The peer connection is never connected: the packets go straight into
	// the media path. The session closes it when it ends.
	pc, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatalf("NewPeerConnection: %v", err)
	}
	ss := &session{id: "long", ref: ref, pc: pc, catalog: srv.deps.Catalog,
		metrics: srv.deps.Metrics, logger: srv.deps.Logger, done: make(chan struct{})}
	ss.ctx, ss.cancel = context.WithCancel(context.Background())
	ss.arch = srv.newArchiver(ss.logger, ref, ss.stop)
	ss.tl.setZero(zero)
	ss.tl.setRate(kindAudio, 48000)
	ss.tl.setRate(kindVideo, 90000)
	ss.seg, err = NewSegmenter(SegmenterConfig{Dir: srv.cfg.SpoolDir, Name: "long",
		AudioCodec: "opus", VideoCodec: "vp8", Zero: zero, OnSegment: ss.onSegment,
		Logger: ss.logger})
	if err != nil {
		b.Fatalf("NewSegmenter: %v", err)
	}
	go ss.run(context.Background())

	feed := &rtpFeed{
		video: &frameLoop{frames: vf, period: vf[len(vf)-1].PTS + vf[len(vf)-1].Duration},
		audio: &frameLoop{frames: af, period: af[len(af)-1].PTS + 20*time.Millisecond},
	}
	asm := newVideoAssembler("vp8", 90000)
	var order seqOrder
	start := time.Now()
	next, nextSR := time.Duration(0), time.Duration(0)
	var heap []float64
	for {
		v, a := feed.video.peek(), feed.audio.peek()
		at := min(v.PTS, a.PTS)
		if at >= length {
			break
		}
		now := zero.Add(at) // the publisher's clock and ours agree
		if at >= nextSR {
			for k, rate := range [numKinds]int64{kindAudio: 48000, kindVideo: 90000} {
				ss.senderReport(k, &rtcp.SenderReport{NTPTime: unixToNTP(now),
					RTPTime: uint32(int64(at) * rate / int64(time.Second))}, now, ss.logger)
			}
			nextSR += 5 * time.Second
		}
		if at >= next {
			heap = append(heap, heapSample(b, next))
			next += every
		}
		if v.PTS <= a.PTS {
			feed.sendVideo(b, ss, asm, v, now)
			feed.video.i++
			continue
		}
		feed.audio.i++
		seq := feed.seq[kindAudio]
		feed.seq[kindAudio]++
		if feed.audio.i%3000 == 0 { // one packet a minute never arrives
			continue
		}
		lost, _ := order.next(seq)
		ts := uint32(int64(a.PTS) * 48000 / int64(time.Second))
		if err := ss.deliver(kindAudio, Frame{Data: a.Data}, ts, lost, now); err != nil {
			b.Fatalf("deliver audio at %v: %v", a.PTS, err)
		}
	}
	ss.stop(stateFinished, "end of benchmark")
	<-ss.done
	elapsed := time.Since(start)
	reportHeap(b, heap)
	b.ReportMetric(length.Seconds()/elapsed.Seconds(), "x-realtime")
	b.ReportMetric(float64(objects.bytes.Load())*8/length.Seconds()/1e6, "Mbit/s-stored")
	b.ReportMetric(float64(objects.segments.Load()), "segments")
	b.ReportMetric(float64(len(ss.gapHistory())), "gaps-logged")
}

// sendVideo packetizes a frame as a VP8 publisher would, pushes the
// packets through the assembler and delivers the frames it builds.
func (f *rtpFeed) sendVideo(b *testing.B, ss *session, asm *videoAssembler, v Frame,
	now time.Time) {
	b.Helper()
	ts := uint32(int64(v.PTS) * 90000 / int64(time.Second))
	payloads := f.vp8.Payload(1200, v.Data)
	for i, pl := range payloads {
		p := asm.packet()
		n := copy(p.buf[:], pl)
		p.pkt = rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: f.seq[kindVideo],
			Timestamp: ts, Marker: i == len(payloads)-1}, Payload: p.buf[:n]}
		f.seq[kindVideo]++
		asm.push(p)
	}
	for fr, ok := asm.pop(); ok; fr, ok = asm.pop() {
		frame := Frame{Video: true, Data: fr.Data, Duration: fr.Duration,
			Keyframe: isKeyframe("vp8", fr.Data)}
		if err := ss.deliver(kindVideo, frame, fr.TS, fr.Lost, now); err != nil {
			b.Fatalf("deliver video at %v: %v", v.PTS, err)
		}
	}
}

// heapSample collects garbage and returns HeapInuse in MB, logging it with
// the heap's live bytes and the resident set size.
func heapSample(b *testing.B, at time.Duration) float64 {
	b.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "media %v: HeapInuse %.1f MB, HeapAlloc %.1f MB, VmRSS %.1f MB\n",
		at, float64(ms.HeapInuse)/1e6, float64(ms.HeapAlloc)/1e6, float64(vmRSS(b))/1e6)
	return float64(ms.HeapInuse) / 1e6
}

// reportHeap reports the heap after the first ten minutes and its largest
// growth beyond that, which a flat recording keeps near zero.
func reportHeap(b *testing.B, heap []float64) {
	b.Helper()
	if len(heap) < 2 {
		b.Fatalf("got %d heap samples, want at least 2", len(heap))
	}
	growth := 0.0
	for _, h := range heap[1:] {
		growth = max(growth, h-heap[1])
	}
	b.ReportMetric(heap[1], "heap-MB@10min")
	b.ReportMetric(heap[len(heap)-1], "heap-MB@end")
	b.ReportMetric(growth, "heap-MB-growth-after-10min")
}

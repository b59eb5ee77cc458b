package capture

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The timeline is tested against a simulated publisher: its wall clock
// runs off the server's, each stream's RTP clock drifts off its wall
// clock, audio and video cross the network with different delays and
// jitter, and sender reports pair RTP time with the publisher's wall clock
// as RFC 3550 §6.4.1 says. Every frame's placement is compared with the
// instant it was captured.

// simStream is one simulated RTP stream.
type simStream struct {
	kind        int
	rate        float64       // nominal RTP clock rate
	drift       float64       // how much faster the RTP clock runs than the wall clock
	period      time.Duration // between frames
	delay       time.Duration // network transit
	jitter      time.Duration // extra transit, up to
	reportEvery time.Duration // 0: no sender reports
	firstReport time.Duration // when the first report is sent
	reportLate  time.Duration // a report's wall clock is late by up to this
	ts0         uint32
}

// simPublisher is a publisher's wall clock: offset and drift from the
// server's, and an optional step.
type simPublisher struct {
	offset  time.Duration
	drift   float64
	stepAt  time.Duration // 0: no step
	stepBy  time.Duration
	streams []simStream
}

// wall is the publisher's wall clock at true time t (since the start).
func (p simPublisher) wall(t time.Duration) time.Duration {
	w := p.offset + t + time.Duration(float64(t)*p.drift)
	if p.stepAt > 0 && t >= p.stepAt {
		w += p.stepBy
	}
	return w
}

// rtpAt is a stream's RTP time for media captured at true time t. It
// follows the publisher's wall clock before any step: the media clock does
// not jump when the wall clock is set.
func (p simPublisher) rtpAt(s simStream, t time.Duration) uint32 {
	w := p.offset + t + time.Duration(float64(t)*p.drift)
	ticks := (w - p.offset).Seconds() * s.rate * (1 + s.drift)
	return s.ts0 + uint32(int64(math.Round(ticks)))
}

// simEvent is a frame or a sender report arriving at the server.
type simEvent struct {
	arrival time.Duration
	kind    int
	report  bool
	rtp     uint32
	ntp     uint64
	capture time.Duration // frames: true capture time
}

// events lists what reaches the server in length of media, in arrival
// order.
func (p simPublisher) events(length time.Duration, seed uint64) []simEvent {
	rng := rand.New(rand.NewPCG(seed, 1))
	var evs []simEvent
	for _, s := range p.streams {
		last := time.Duration(0)
		for c := time.Duration(0); c < length; c += s.period {
			at := max(c+s.delay+time.Duration(rng.Int64N(int64(s.jitter)+1)), last)
			last = at
			evs = append(evs, simEvent{arrival: at, kind: s.kind, rtp: p.rtpAt(s, c), capture: c})
		}
		if s.reportEvery == 0 {
			continue
		}
		for c := s.firstReport; c < length; c += s.reportEvery {
			// A sender that runs late pairs an RTP time with a later wall
			// clock reading, as pion's does when its goroutines are slow.
			late := time.Duration(rng.Int64N(int64(s.reportLate) + 1))
			evs = append(evs, simEvent{arrival: c + late + s.delay, kind: s.kind, report: true,
				rtp: p.rtpAt(s, c), ntp: unixToNTP(simZero.Add(p.wall(c + late)))})
		}
	}
	slices.SortStableFunc(evs, func(a, b simEvent) int { return cmp.Compare(a.arrival, b.arrival) })
	return evs
}

// simZero is the server's wall clock when the simulation starts, which is
// also the recording's media time zero.
var simZero = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func unixToNTP(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpUnixOffset)
	frac := uint64(t.Nanosecond()) << 32 / uint64(time.Second)
	return secs<<32 | frac
}

// placed is a frame's placement against its capture time.
type placed struct {
	kind    int
	capture time.Duration
	pts     time.Duration
}

// errorOf is how far a frame was placed from where it was captured.
func (p placed) errorOf() time.Duration { return p.pts - p.capture }

// runTimeline feeds events to a timeline as the session does: frames wait
// while their stream is not ready, and go out in order once it is.
func runTimeline(tl *timeline, evs []simEvent) []placed {
	type waiting struct {
		ext     int64
		capture time.Duration
	}
	var out []placed
	var held [numKinds][]waiting
	release := func(k int) {
		for _, w := range held[k] {
			out = append(out, placed{k, w.capture, tl.pts(k, w.ext)})
		}
		held[k] = held[k][:0]
	}
	for _, e := range evs {
		now := simZero.Add(e.arrival)
		if e.report {
			tl.senderReport(e.kind, e.rtp, e.ntp, now)
			if len(held[e.kind]) > 0 && tl.ready(e.kind, now) {
				release(e.kind)
			}
			continue
		}
		ext := tl.unwrap(e.kind, e.rtp, now)
		held[e.kind] = append(held[e.kind], waiting{ext, e.capture})
		if tl.ready(e.kind, now) {
			release(e.kind)
		}
	}
	for k := range numKinds {
		tl.settle(k)
		release(k)
	}
	return out
}

func newSimTimeline() *timeline {
	tl := &timeline{}
	tl.setZero(simZero)
	tl.setRate(kindAudio, 48000)
	tl.setRate(kindVideo, 90000)
	return tl
}

// avSkew returns, second by second, the mean placement error of video
// minus that of audio: how far video is off the audio it was captured with.
func avSkew(frames []placed) []time.Duration {
	var sum [numKinds]map[int]time.Duration
	var n [numKinds]map[int]int
	for k := range numKinds {
		sum[k], n[k] = map[int]time.Duration{}, map[int]int{}
	}
	last := 0
	for _, f := range frames {
		s := int(f.capture / time.Second)
		sum[f.kind][s] += f.errorOf()
		n[f.kind][s]++
		last = max(last, s)
	}
	var skew []time.Duration
	for s := range last {
		if n[0][s] == 0 || n[1][s] == 0 {
			continue
		}
		a := sum[0][s] / time.Duration(n[0][s])
		v := sum[1][s] / time.Duration(n[1][s])
		skew = append(skew, v-a)
	}
	return skew
}

func maxAbs(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d, -d)
	}
	return m
}

// checkSpacing fails when a stream's frames are placed closer together
// than 90% of the time between their captures, or further apart than jump.
func checkSpacing(t testing.TB, frames []placed, jump time.Duration) {
	t.Helper()
	var prev [numKinds]placed
	var seen [numKinds]bool
	for _, f := range frames {
		p := prev[f.kind]
		minStep := (f.capture - p.capture) * 9 / 10
		if seen[f.kind] && (f.pts-p.pts < minStep || f.pts-p.pts > jump) {
			t.Errorf("%s frame captured at %v placed at %v after %v: want a step of %v to %v",
				kindName(f.kind), f.capture, f.pts, p.pts, minStep, jump)
			return
		}
		prev[f.kind], seen[f.kind] = f, true
	}
}

// meetingPublisher sends audio (RTP clock 80 ppm fast, 30 ms transit,
// reports every 5 s) and video (30 ppm slow, 430 ms transit, reports every
// second) from a wall clock 37 s ahead of the server's and 50 ppm fast.
// Its reports are up to 40 ms late.
func meetingPublisher() simPublisher {
	return simPublisher{offset: 37 * time.Second, drift: 50e-6, streams: []simStream{
		{kind: kindAudio, rate: 48000, drift: 80e-6, period: 20 * time.Millisecond,
			delay: 30 * time.Millisecond, jitter: 15 * time.Millisecond,
			reportEvery: 5 * time.Second, firstReport: 2500 * time.Millisecond,
			reportLate: 40 * time.Millisecond, ts0: 4294000000},
		{kind: kindVideo, rate: 90000, drift: -30e-6, period: time.Second / 30,
			delay: 430 * time.Millisecond, jitter: 15 * time.Millisecond,
			reportEvery: time.Second, firstReport: 500 * time.Millisecond,
			reportLate: 40 * time.Millisecond, ts0: 1234},
	}}
}

// TestTimelineLipSyncOver30Minutes runs half an hour of a meeting through
// the timeline, faster than real time.
func TestTimelineLipSyncOver30Minutes(t *testing.T) {
	const length = 30 * time.Minute
	precise := meetingPublisher()
	for i := range precise.streams {
		precise.streams[i].reportLate = 0
	}
	stepped := meetingPublisher()
	stepped.stepAt, stepped.stepBy = 10*time.Minute, -8*time.Second
	tests := []struct {
		name    string
		p       simPublisher
		maxSkew time.Duration
	}{
		{"precise sender reports", precise, 5 * time.Millisecond},
		{"sender reports up to 40 ms late", meetingPublisher(), 50 * time.Millisecond},
		{"a step of the publisher's wall clock", stepped, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frames := runTimeline(newSimTimeline(), tt.p.events(length, 1))
			checkSpacing(t, frames, 40*time.Millisecond)
			skew := maxAbs(avSkew(frames))
			if skew > tt.maxSkew {
				t.Errorf("got video off audio by up to %v over 30 minutes, want at most %v",
					skew, tt.maxSkew)
			}
			t.Logf("largest audio/video offset over 30 minutes: %v", skew)
		})
	}
	t.Run("without sender reports both streams are placed by arrival", func(t *testing.T) {
		p := meetingPublisher()
		for i := range p.streams {
			p.streams[i].reportEvery = 0
		}
		frames := runTimeline(newSimTimeline(), p.events(length, 2))
		checkSpacing(t, frames, 40*time.Millisecond)
		skew := avSkew(frames)
		// The video's extra 400 ms of transit, and the drift of the two RTP
		// clocks, which nothing corrects without reports, less the first
		// frames' jitter.
		rel := func(s simStream) float64 { return (1+p.drift)*(1+s.drift) - 1 }
		wantStart := 400 * time.Millisecond
		wantEnd := wantStart + time.Duration((rel(p.streams[1])-rel(p.streams[0]))*float64(length))
		tolerance := 2 * p.streams[0].jitter
		if d := skew[0] - wantStart; d < -tolerance || d > tolerance {
			t.Errorf("got video off audio by %v at the start, want %v ± %v", skew[0], wantStart,
				tolerance)
		}
		if d := skew[len(skew)-1] - wantEnd; d < -tolerance || d > tolerance {
			t.Errorf("got video off audio by %v at the end, want %v ± %v", skew[len(skew)-1],
				wantEnd, tolerance)
		}
	})
}

func TestTimelinePlacement(t *testing.T) {
	t.Run("frames wait for the first report, then follow it", func(t *testing.T) {
		tl := newSimTimeline()
		now := simZero.Add(time.Second)
		tl.unwrap(kindAudio, 20000, now)
		if tl.ready(kindAudio, now) {
			t.Fatalf("ready before any sender report, want waiting")
		}
		// The report pairs the publisher's 0.99 s with RTP time 200 ms before
		// the frame's, and takes 10 ms to arrive: the frame was captured at
		// 1.19 s of the publisher's clock, 1.2 s of the server's.
		report := unixToNTP(simZero.Add(990 * time.Millisecond))
		tl.senderReport(kindAudio, 20000-9600, report, simZero.Add(time.Second))
		if !tl.ready(kindAudio, now) || tl.mode(kindAudio) != placeByReport {
			t.Fatalf("got mode %v, want sender reports", tl.mode(kindAudio))
		}
		if got, want := tl.pts(kindAudio, 0), 1200*time.Millisecond; got != want {
			t.Errorf("got PTS %v, want %v", got, want)
		}
	})
	t.Run("without a report frames are placed by arrival after reportWait", func(t *testing.T) {
		tl := newSimTimeline()
		first := simZero.Add(2 * time.Second)
		tl.unwrap(kindVideo, 500, first)
		if tl.ready(kindVideo, first.Add(reportWait-time.Millisecond)) {
			t.Fatalf("ready before reportWait, want waiting")
		}
		ext := tl.unwrap(kindVideo, 500+90000, first.Add(reportWait))
		if !tl.ready(kindVideo, first.Add(reportWait)) || tl.mode(kindVideo) != placeByArrival {
			t.Fatalf("got mode %v, want first arrival", tl.mode(kindVideo))
		}
		if got, want := tl.pts(kindVideo, ext), 3*time.Second; got != want {
			t.Errorf("got PTS %v, want %v", got, want)
		}
	})
	t.Run("a late report is followed slowly", func(t *testing.T) {
		tl := newSimTimeline()
		tl.unwrap(kindAudio, 0, simZero)
		tl.settle(kindAudio)
		before := tl.pts(kindAudio, 0)
		// The report puts the stream 4 s later than its first arrival did.
		tl.senderReport(kindAudio, 48000, unixToNTP(simZero.Add(5*time.Second)),
			simZero.Add(5*time.Second))
		if tl.mode(kindAudio) != placeByReport {
			t.Fatalf("got mode %v, want sender reports", tl.mode(kindAudio))
		}
		ext := tl.unwrap(kindAudio, 960, simZero.Add(20*time.Millisecond))
		step := tl.pts(kindAudio, ext) - before
		if want := 20 * time.Millisecond; step < want || step > want+want/maxSlew {
			t.Errorf("got a step of %v, want %v and at most 1/%d more", step, want, maxSlew)
		}
		ext = tl.unwrap(kindAudio, 960+10*48000, simZero.Add(10*time.Second))
		rtpTime := 10020 * time.Millisecond
		got := tl.pts(kindAudio, ext) - rtpTime
		if want := rtpTime / maxSlew; got < want-time.Millisecond || got > want {
			t.Errorf("got %v of correction after %v, want %v", got, rtpTime, want)
		}
	})
	t.Run("a report with NTP time zero is ignored", func(t *testing.T) {
		tl := newSimTimeline()
		tl.unwrap(kindAudio, 0, simZero)
		tl.senderReport(kindAudio, 0, 0, simZero)
		if tl.ready(kindAudio, simZero) {
			t.Errorf("ready after a report without wall clock, want waiting")
		}
	})
}

func TestTimelineUnwrap(t *testing.T) {
	tl := newSimTimeline()
	steps := []struct {
		ts   uint32
		want int64
	}{{4294966000, 0}, {4294967000, 1000}, {704, 2000}, {100, 1396}, {90704, 92000}}
	for _, s := range steps {
		if got := tl.unwrap(kindVideo, s.ts, simZero); got != s.want {
			t.Errorf("unwrap(%d) = %d, want %d", s.ts, got, s.want)
		}
	}
}

func TestNTPConversion(t *testing.T) {
	tests := []struct {
		name string
		ntp  uint64
		want time.Time
	}{
		{"era 0", uint64(ntpUnixOffset+1798794000)<<32 | 1<<31,
			time.Unix(1798794000, 500_000_000)},
		{"era 1, after 2036-02-07", uint64(10) << 32,
			time.Unix(1<<32-ntpUnixOffset+10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := time.Unix(0, ntpUnixNano(tt.ntp)); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got.UTC(), tt.want.UTC())
			}
		})
	}
}

// BenchmarkTimeline places frames as the media path does, and should not
// allocate.
func BenchmarkTimeline(b *testing.B) {
	tl := newSimTimeline()
	tl.senderReport(kindAudio, 0, unixToNTP(simZero), simZero)
	now := simZero
	b.ReportAllocs()
	for i := range b.N {
		ext := tl.unwrap(kindAudio, uint32(i*960), now)
		tl.ready(kindAudio, now)
		_ = tl.pts(kindAudio, ext)
	}
}

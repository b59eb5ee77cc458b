package capture

import "time"

// This file places a publisher's frames on the recording's timeline. Each
// RTP stream has its own clock with a random origin (RFC 3550 §5.1); RTCP
// sender reports tie a stream's RTP time to the publisher's wall clock
// (RFC 3550 §6.4.1), and since audio and video share that wall clock, the
// reports line them up the way they were captured. The publisher's wall
// clock is then moved onto the server's by the transit of its first sender
// report, so that every publisher of a meeting lands on one timeline.
// Reports anchor a stream and then steer it, slowly, so that their jitter
// does not reach the timestamps; a stream without reports is anchored at
// its first frame's arrival and runs on its RTP clock.

// Media kinds, as indexes of per-kind state (see kindIndex).
const (
	kindAudio = 0
	kindVideo = 1
	numKinds  = 2
)

const (
	// reportWait is how long a stream's first frames wait for the stream's
	// first RTCP sender report before they are placed by arrival instead.
	// pion sends a report every second; Chromium sends its first video
	// report after about 0.5 s and its first audio report after about
	// 2.5 s (half its 5 s audio interval).
	reportWait = 4 * time.Second

	// maxSlew is how fast a stream's placement may follow its sender
	// reports away from its RTP clock: 5 ms a second of media, 0.5%, which
	// keeps frames in order and evenly spaced. A report says where the
	// frame it names was captured, give or take how late its sender was;
	// followed at once, that jitter would shake the timestamps.
	maxSlew = 200 // the correction moves 1/maxSlew of the media time passed

	// reportHistory is how many reports the wanted correction is the
	// median of, so that one late report does not move it.
	reportHistory = 9

	// maxReportStep is how far the correction a sender report wants may be
	// from the median of those before and still count as drift or jitter.
	// Further is a step of the publisher's wall clock (set by NTP, say),
	// which the timeline ignores: the media clock did not jump.
	maxReportStep = time.Second

	// ntpUnixOffset is 1970-01-01 in seconds since 1900-01-01, the NTP era 0
	// origin (RFC 5905 §6).
	ntpUnixOffset = 2208988800
)

// placement says how a stream's frames are placed on the timeline.
type placement uint8

const (
	placeWaiting   placement = iota // no sender report yet: frames are held
	placeByReport                   // anchored at, and following, sender reports
	placeByArrival                  // anchored at the arrival of the first frame
)

func (p placement) String() string {
	switch p {
	case placeByReport:
		return "sender reports"
	case placeByArrival:
		return "first arrival"
	}
	return "waiting"
}

// streamClock maps one RTP stream onto the timeline. A frame's PTS is the
// anchor's plus the RTP time since, plus a correction that follows the
// stream's sender reports slowly (RTP clocks drift off wall clocks).
type streamClock struct {
	rate int64 // RTP clock rate in Hz

	started bool
	last    uint32 // RTP timestamp of the latest frame
	ext     int64  // last, unwrapped past 2^32, counted from the first frame
	first   int64  // server wall clock at the first frame, Unix ns

	hasReport bool
	reportRTP uint32
	reportNTP int64 // publisher's wall clock at reportRTP, Unix ns
	reportExt int64 // reportRTP unwrapped like ext; valid once started

	mode      placement
	anchorExt int64
	anchorPTS time.Duration

	// The corrections the latest reports want, since the publisher's wall
	// clock last stepped; the wanted correction is their median, less
	// shift, which takes the steps out.
	wants    [reportHistory]time.Duration
	nWants   int
	shift    time.Duration
	level    time.Duration // the target when the clock stepped
	settling bool          // after a step, until wants is full again
	target   time.Duration
	corr     time.Duration // correction applied, moving towards target

	prevExt int64
	prev    time.Duration
	placed  bool
}

// timeline places the frames of one publisher's streams on the recording's
// timeline, whose zero is an instant of the server's wall clock. It is not
// safe for concurrent use; the session serializes calls.
//
// TODO(clock-drift): the offset from the publisher's wall clock to the
// server's is fixed by the first sender report, so a publisher whose clock
// runs 50 ppm off the server's moves 90 ms in 30 minutes against the other
// publishers of the meeting (its own audio and video stay together).
// Slewing the offset towards the least transit seen since would hold every
// track to the server's clock.
type timeline struct {
	zero      int64 // Unix ns
	offset    int64 // server wall clock minus publisher wall clock, ns
	hasOffset bool
	streams   [numKinds]streamClock
}

// setZero fixes the wall-clock instant of media time zero.
func (tl *timeline) setZero(zero time.Time) { tl.zero = zero.UnixNano() }

// setRate declares a stream and its RTP clock rate.
func (tl *timeline) setRate(kind int, rate uint32) {
	tl.streams[kind].rate = int64(max(rate, 1))
}

// unwrap takes the RTP timestamp of a frame that arrived at now and returns
// it unwrapped past 2^32 (RFC 3550 §5.1), counted from the stream's first
// frame. Frames must come in sequence order.
//
// TODO(rtp-restart): a stream that restarts its RTP timestamps without a
// sender report (a new encoder on the same SSRC) jumps: forward leaves a
// hole, backward holds its frames at one PTS until the timestamps catch
// up. Checking each frame's RTP time against its arrival and rebasing on
// a jump of seconds would follow it.
func (tl *timeline) unwrap(kind int, ts uint32, now time.Time) int64 {
	c := &tl.streams[kind]
	if !c.started {
		c.started, c.last, c.ext, c.first = true, ts, 0, now.UnixNano()
		if c.hasReport {
			c.reportExt = int64(int32(c.reportRTP - ts))
		}
		return 0
	}
	c.ext += int64(int32(ts - c.last))
	c.last = ts
	return c.ext
}

// senderReport takes the NTP/RTP timestamp pair of an RTCP sender report
// for a stream (RFC 3550 §6.4.1) that arrived at now. The first report of
// the publisher fixes the offset from its wall clock to the server's.
func (tl *timeline) senderReport(kind int, rtpTS uint32, ntp uint64, now time.Time) {
	if ntp == 0 {
		return // RFC 3550 §6.4.1: a sender without a wall clock may send zero
	}
	c := &tl.streams[kind]
	at := ntpUnixNano(ntp)
	if !tl.hasOffset {
		tl.offset, tl.hasOffset = now.UnixNano()-at, true
	}
	ext := int64(int32(rtpTS - c.last))
	if c.started {
		ext += c.ext
	}
	c.hasReport, c.reportRTP, c.reportNTP, c.reportExt = true, rtpTS, at, ext
	if c.mode != placeWaiting {
		tl.follow(c)
	}
}

// follow notes the correction the latest report wants: where it puts its
// RTP time against where the anchor does. A want far from the others is a
// step of the publisher's wall clock: the wants start again, and shift is
// set, from their median as they come, so that the target stays where it
// was.
func (tl *timeline) follow(c *streamClock) {
	want := tl.reported(c) - c.nominal(c.reportExt)
	if c.nWants > 0 {
		if d := want - c.median(); d > maxReportStep || d < -maxReportStep {
			c.level, c.settling, c.nWants = c.target, true, 0
		}
	}
	c.wants[c.nWants%reportHistory] = want
	c.nWants++
	if c.settling {
		c.shift = c.median() - c.level
		c.settling = c.nWants < reportHistory
	}
	c.target = c.median() - c.shift
	c.mode = placeByReport
}

// median returns the middle of the wants.
func (c *streamClock) median() time.Duration {
	var buf [reportHistory]time.Duration
	s := buf[:copy(buf[:], c.wants[:min(c.nWants, reportHistory)])]
	for i := 1; i < len(s); i++ { // insertion sort: a handful of values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}

// reported is where the latest report puts its RTP time on the timeline.
func (tl *timeline) reported(c *streamClock) time.Duration {
	return time.Duration(c.reportNTP + tl.offset - tl.zero)
}

// ready reports whether a stream's frames can be placed now, anchoring a
// stream that still waits: at its sender report once one has come, or at
// its first frame's arrival once reportWait has passed without one.
func (tl *timeline) ready(kind int, now time.Time) bool {
	c := &tl.streams[kind]
	if c.mode != placeWaiting {
		return true
	}
	switch {
	case c.hasReport && c.started && tl.hasOffset:
		tl.anchorAtReport(c)
	case c.started && time.Duration(now.UnixNano()-c.first) >= reportWait:
		c.mode, c.anchorExt, c.anchorPTS = placeByArrival, 0, time.Duration(c.first-tl.zero)
	default:
		return false
	}
	return true
}

// settle anchors a stream that has begun and still waits, as it ends: at
// its sender report if one came, else at its first frame's arrival.
func (tl *timeline) settle(kind int) {
	c := &tl.streams[kind]
	switch {
	case c.mode != placeWaiting || !c.started:
	case c.hasReport && tl.hasOffset:
		tl.anchorAtReport(c)
	default:
		c.mode, c.anchorExt, c.anchorPTS = placeByArrival, 0, time.Duration(c.first-tl.zero)
	}
}

func (tl *timeline) anchorAtReport(c *streamClock) {
	c.mode, c.anchorExt, c.anchorPTS = placeByReport, c.reportExt, tl.reported(c)
	tl.follow(c)
}

// started reports whether a stream has had a frame.
func (tl *timeline) started(kind int) bool { return tl.streams[kind].started }

// mode tells how a stream is placed.
func (tl *timeline) mode(kind int) placement { return tl.streams[kind].mode }

// pts returns the media time of a frame at unwrapped RTP time ext, for a
// stream that is ready. It never decreases for a stream and is never
// negative.
func (tl *timeline) pts(kind int, ext int64) time.Duration {
	c := &tl.streams[kind]
	if !c.placed {
		c.prevExt = ext
	}
	if ext > c.prevExt {
		limit := time.Duration(ticksToNanos(ext-c.prevExt, c.rate)) / maxSlew
		c.corr += min(max(c.target-c.corr, -limit), limit)
		c.prevExt = ext
	}
	d := max(c.nominal(ext)+c.corr, 0)
	if c.placed && d < c.prev {
		d = c.prev
	}
	c.prev, c.placed = d, true
	return d
}

// nominal places RTP time ext by the anchor and the RTP clock alone.
func (c *streamClock) nominal(ext int64) time.Duration {
	return c.anchorPTS + time.Duration(ticksToNanos(ext-c.anchorExt, c.rate))
}

// ticksToNanos converts RTP clock ticks to nanoseconds without overflowing
// for long recordings.
func ticksToNanos(ticks, rate int64) int64 {
	return ticks/rate*int64(time.Second) + ticks%rate*int64(time.Second)/rate
}

// ntpUnixNano converts a 64-bit NTP timestamp to Unix nanoseconds. A clear
// top bit means era 1, which began in 2036 (RFC 4330 §3).
func ntpUnixNano(ntp uint64) int64 {
	secs := int64(ntp >> 32)
	if ntp>>63 == 0 {
		secs += 1 << 32
	}
	frac := int64((ntp & 0xffffffff) * uint64(time.Second) >> 32)
	return (secs-ntpUnixOffset)*int64(time.Second) + frac
}

package capture

import "time"

// This file places a publisher's frames on the recording's timeline. Each
// RTP stream has its own clock with a random origin (RFC 3550 §5.1); RTCP
// sender reports tie a stream's RTP time to the publisher's wall clock
// (RFC 3550 §6.4.1), and since audio and video share that wall clock, the
// reports line them up the way they were captured. The publisher's wall
// clock is then moved onto the server's by the transit of its first sender
// report, so that every publisher of a meeting lands on one timeline.

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

	// maxReportStep is how far a sender report may move a stream's mapping
	// and still be followed (drift of the publisher's clocks). A larger move
	// is a step of the publisher's clock; the timeline absorbs it so that
	// timestamps stay continuous.
	maxReportStep = time.Second

	// ntpUnixOffset is 1970-01-01 in seconds since 1900-01-01, the NTP era 0
	// origin (RFC 5905 §6).
	ntpUnixOffset = 2208988800
)

// placement says how a stream's frames are placed on the timeline.
type placement uint8

const (
	placeWaiting   placement = iota // no sender report yet: frames are held
	placeByReport                   // RTP time → publisher clock → server clock
	placeByArrival                  // RTP time after the arrival of the first frame
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

// streamClock maps one RTP stream onto the timeline.
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

	mode   placement
	bias   time.Duration // added to report-placed times to keep them continuous
	prev   time.Duration
	placed bool
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
// for a stream (RFC 3550 §6.4.1) that arrived at now.
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
	if c.hasReport && c.mode == placeByReport {
		// Where the mapping in use puts the new report's RTP time; a small
		// difference is drift and is followed, a large one a clock step.
		predicted := c.reportNTP + ticksToNanos(ext-c.reportExt, c.rate)
		if step := time.Duration(at - predicted); step > maxReportStep || step < -maxReportStep {
			c.bias -= step
		}
	}
	c.hasReport, c.reportRTP, c.reportNTP, c.reportExt = true, rtpTS, at, ext
}

// ready reports whether a stream's frames can be placed now, deciding how
// they are placed when the stream is still waiting: by its sender reports
// once one has come, or by arrival once reportWait has passed without one.
func (tl *timeline) ready(kind int, now time.Time) bool {
	c := &tl.streams[kind]
	if c.mode != placeWaiting {
		return true
	}
	switch {
	case c.hasReport && c.started && tl.hasOffset:
		c.mode = placeByReport
	case c.started && time.Duration(now.UnixNano()-c.first) >= reportWait:
		c.mode = placeByArrival
	default:
		return false
	}
	return true
}

// settle decides the placement of a stream that has begun and still
// waits, as it ends: by sender reports if one came, else by arrival.
func (tl *timeline) settle(kind int) {
	c := &tl.streams[kind]
	if c.mode != placeWaiting || !c.started {
		return
	}
	c.mode = placeByArrival
	if c.hasReport && c.started && tl.hasOffset {
		c.mode = placeByReport
	}
}

// started reports whether a stream has had a frame.
func (tl *timeline) started(kind int) bool { return tl.streams[kind].started }

// mode tells how a stream is placed.
func (tl *timeline) mode(kind int) placement { return tl.streams[kind].mode }

// pts returns the media time of a frame at unwrapped RTP time ext. It never
// decreases for a stream and is never negative. A stream placed by arrival
// moves to its sender reports when one comes, continuing from where it is.
func (tl *timeline) pts(kind int, ext int64) time.Duration {
	c := &tl.streams[kind]
	if c.mode == placeByArrival && c.hasReport && tl.hasOffset {
		// TODO(late-report): the bias keeps what placement by arrival got
		// wrong, so a stream whose first report came after reportWait stays
		// off the other by its first frame's extra delay; slewing the bias
		// to zero, a millisecond a second, would restore lip sync.
		c.mode = placeByReport
		c.bias = tl.byArrival(c, ext) - tl.byReport(c, ext)
	}

	var d time.Duration
	if c.mode == placeByReport {
		d = tl.byReport(c, ext) + c.bias
	} else {
		d = tl.byArrival(c, ext)
	}
	d = max(d, 0)
	if c.placed && d < c.prev {
		d = c.prev
	}
	c.prev, c.placed = d, true
	return d
}

// byReport maps RTP time to the publisher's wall clock through the latest
// sender report, then to the server's through the offset.
func (tl *timeline) byReport(c *streamClock, ext int64) time.Duration {
	publisher := c.reportNTP + ticksToNanos(ext-c.reportExt, c.rate)
	return time.Duration(publisher + tl.offset - tl.zero)
}

// byArrival places the first frame at its arrival and the rest by RTP time.
func (tl *timeline) byArrival(c *streamClock, ext int64) time.Duration {
	return time.Duration(c.first-tl.zero) + time.Duration(ticksToNanos(ext, c.rate))
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

package capture

import "time"

// mediaClock maps one RTP stream's timestamps onto the recording's
// timeline. The first packet is placed at the wall-clock time it arrived;
// later packets follow their RTP timestamps, unwrapped past 2^32.
//
// TODO(lipsync): audio and video are aligned by first arrival only, which
// is off by the difference in their network and jitter-buffer delays;
// mapping RTP time through RTCP sender reports (RFC 3550 §6.4.1) would put
// both on the publisher's own clock.
type mediaClock struct {
	rate    int64 // RTP clock rate in Hz
	started bool
	last    uint32
	ext     int64 // unwrapped RTP time of last, relative to the first packet
	base    time.Duration
	prev    time.Duration
}

func newMediaClock(rate uint32) *mediaClock {
	return &mediaClock{rate: int64(rate)}
}

// pts returns the media time of a frame with RTP timestamp ts that arrived
// at arrival, for a recording whose media time zero is zero. The result
// never decreases.
func (c *mediaClock) pts(ts uint32, arrival, zero time.Time) time.Duration {
	if !c.started {
		c.started = true
		c.last = ts
		c.base = max(arrival.Sub(zero), 0)
		c.prev = c.base
		return c.base
	}
	c.ext += int64(int32(ts - c.last)) // RFC 3550 §5.1: timestamps wrap
	c.last = ts
	d := c.base + time.Duration(c.ext*int64(time.Second)/c.rate)
	if d < c.prev {
		d = c.prev
	}
	c.prev = d
	return d
}

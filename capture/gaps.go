package capture

import "time"

const (
	// maxVideoFrameSpan bounds how long a video frame counts as showing
	// when working out where a gap begins: the sample builder stretches a
	// frame's duration up to the next packet that arrived, which after a
	// loss covers the loss.
	maxVideoFrameSpan = 100 * time.Millisecond

	// maxGapHistory bounds the gaps a session remembers (see gapLog.history).
	maxGapHistory = 1024
)

// gapLog finds where a track's media was lost and hands each finished
// segment the gaps inside it. A gap opens after the last frame placed
// before packets went missing and closes at the next frame placed: for
// video the next keyframe, since the frames in between were dropped.
type gapLog struct {
	end     [numKinds]time.Duration // where each kind's placed media ends
	placed  [numKinds]bool
	pending [numKinds]int // packets lost after a kind's last frame, as it ended
	open    []Gap         // gaps not yet wholly inside a finished segment
	history []Gap         // the first maxGapHistory gaps of the session
}

// note records a frame of kind k placed at pts for dur, with lost packets
// missing since the kind's previous frame, and returns the gap it closes.
func (g *gapLog) note(k int, pts, dur time.Duration, lost int) (Gap, bool) {
	var gap Gap
	closed := lost > 0 && g.placed[k] && pts > g.end[k]
	if closed {
		gap = Gap{Video: k == kindVideo, Start: g.end[k], End: pts, Lost: lost}
		g.add(gap)
	}
	g.placed[k] = true
	g.end[k] = max(g.end[k], pts+dur)
	return gap, closed
}

// trailing closes, as the track ends, the gaps of kinds that lost packets
// after their last frame: each lasts until the other kind's media ends.
func (g *gapLog) trailing() []Gap {
	var gaps []Gap
	for k := range numKinds {
		other := g.end[numKinds-1-k]
		if g.pending[k] == 0 || !g.placed[k] || other <= g.end[k] {
			continue
		}
		gap := Gap{Video: k == kindVideo, Start: g.end[k], End: other, Lost: g.pending[k]}
		g.add(gap)
		gaps = append(gaps, gap)
		g.pending[k] = 0
	}
	return gaps
}

func (g *gapLog) add(gap Gap) {
	g.open = append(g.open, gap)
	if len(g.history) < maxGapHistory {
		g.history = append(g.history, gap)
	}
}

// within returns the gaps that overlap [start, end], clipped to it, and
// forgets those that end by end: the segments that follow cannot hold them.
func (g *gapLog) within(start, end time.Duration) []Gap {
	var out []Gap
	kept := g.open[:0]
	for _, x := range g.open {
		if x.End > start && x.Start < end {
			c := x
			c.Start, c.End = max(c.Start, start), min(c.End, end)
			out = append(out, c)
		}
		if x.End > end {
			kept = append(kept, x)
		}
	}
	g.open = kept
	return out
}

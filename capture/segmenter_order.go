package capture

import "time"

// interleaver puts a track's audio and video frames into one PTS order. Each
// kind arrives in order, but the two arrive skewed; a frame waits until the
// other kind has passed its PTS, or until interleaveWindow of its own kind
// has queued up behind it (the other kind may have stopped). Cuts then fall
// at the right place: no audio from before a keyframe lands after it.
type interleaver struct {
	both  bool // the track has audio and video
	queue [2]frameQueue
	last  [2]time.Duration
	seen  [2]bool
}

func kindIndex(video bool) int {
	if video {
		return 1
	}
	return 0
}

func (il *interleaver) lastPTS(video bool) (time.Duration, bool) {
	return il.last[kindIndex(video)], il.seen[kindIndex(video)]
}

func (il *interleaver) push(q queuedFrame) {
	k := kindIndex(q.video)
	il.queue[k].push(q)
	il.last[k], il.seen[k] = q.pts, true
}

// pop returns the next frame to mux, if one is due; flush releases all.
func (il *interleaver) pop(flush bool) (queuedFrame, bool) {
	a, v := &il.queue[0], &il.queue[1]
	switch {
	case a.empty() && v.empty():
		return queuedFrame{}, false
	case a.empty():
		return il.popAlone(1, flush)
	case v.empty():
		return il.popAlone(0, flush)
	case a.head().pts < v.head().pts:
		return a.pop(), true
	default: // on a tie video goes first, so a keyframe cut takes the audio along
		return v.pop(), true
	}
}

// popAlone decides on a frame of kind k while the other kind has none queued.
func (il *interleaver) popAlone(k int, flush bool) (queuedFrame, bool) {
	h, o := il.queue[k].head(), 1-k
	switch {
	case flush || !il.both:
	case il.seen[o] && h.pts <= il.last[o]:
	case il.last[k]-h.pts >= interleaveWindow:
	default:
		return queuedFrame{}, false
	}
	return il.queue[k].pop(), true
}

// frameQueue is a FIFO that reuses its backing array.
type frameQueue struct {
	items []queuedFrame
	next  int
}

func (q *frameQueue) empty() bool        { return q.next == len(q.items) }
func (q *frameQueue) head() *queuedFrame { return &q.items[q.next] }
func (q *frameQueue) push(f queuedFrame) { q.items = append(q.items, f) }

func (q *frameQueue) pop() queuedFrame {
	f := q.items[q.next]
	q.items[q.next] = queuedFrame{}
	if q.next++; q.next == len(q.items) {
		q.items, q.next = q.items[:0], 0
	}
	return f
}

package capture

import (
	"bytes"
	"cmp"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/pion/rtcp"
)

// This file is the session's media path: frames from the track readers
// are placed on the recording's timeline and written to the segmenter, or
// held until their stream's first sender report says where they belong.
// Everything here runs under segMu.

// deliver takes a frame of kind k with RTP timestamp ts that arrived at
// now, with lost packets missing since the kind's previous frame. The
// frame's data is only read during the call. While a stream waits for its
// first sender report, the frames of every stream are held, so that the
// segmenter gets them in order of their place on the timeline.
func (s *session) deliver(k int, f Frame, ts uint32, lost int, now time.Time) error {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	if s.mediaDone {
		return ErrClosed
	}
	ext := s.tl.unwrap(k, ts, now)
	if s.waiting(now) {
		if len(s.held) < maxHeldFrames {
			s.hold(k, f, ext, lost)
			return nil
		}
		for k := range numKinds {
			s.tl.settle(k) // the hold is full: place by arrival
		}
	}
	if err := s.releaseHeld(); err != nil {
		return err
	}
	f.PTS = s.tl.pts(k, ext)
	return s.place(k, f, lost)
}

// waiting reports whether a stream that has begun still waits for its
// first sender report.
func (s *session) waiting(now time.Time) bool {
	for k := range numKinds {
		if s.tl.started(k) && !s.tl.ready(k, now) {
			return true
		}
	}
	return false
}

// hold keeps a copy of a frame until the streams can be placed, and makes
// sure the held frames go out after reportWait even if no frame follows.
func (s *session) hold(k int, f Frame, ext int64, lost int) {
	f.Data = bytes.Clone(f.Data)
	s.held = append(s.held, heldFrame{kind: k, f: f, ext: ext, lost: lost})
	switch {
	case len(s.held) > 1:
	case s.holdTimer == nil:
		s.holdTimer = time.AfterFunc(reportWait, s.releaseLate)
	default: // a stream that began later waits
		s.holdTimer.Reset(reportWait)
	}
}

// releaseLate places the held frames once no stream waits any more; until
// then it checks again every holdRecheck.
func (s *session) releaseLate() {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	if s.mediaDone || len(s.held) == 0 {
		return
	}
	if s.waiting(time.Now()) {
		s.holdTimer.Reset(holdRecheck)
		return
	}
	if err := s.releaseHeld(); err != nil {
		s.failed(s.logger, err)
	}
}

// releaseHeld places the held frames, every stream being ready: each
// stream's in order, the streams merged by media time, video first on a
// tie as the segmenter's interleaver has it.
func (s *session) releaseHeld() error {
	held := s.held
	if len(held) == 0 {
		return nil
	}
	s.held = nil
	counts := [numKinds]int{}
	for i := range held {
		h := &held[i]
		h.f.PTS = s.tl.pts(h.kind, h.ext)
		counts[h.kind]++
	}
	slices.SortStableFunc(held, func(a, b heldFrame) int {
		if c := cmp.Compare(a.f.PTS, b.f.PTS); c != 0 {
			return c
		}
		return b.kind - a.kind
	})
	s.logger.Info("streams placed on the recording's timeline",
		"audio", s.tl.mode(kindAudio).String(), "video", s.tl.mode(kindVideo).String(),
		"held_audio", counts[kindAudio], "held_video", counts[kindVideo])
	for _, h := range held {
		if err := s.place(h.kind, h.f, h.lost); err != nil {
			return err
		}
	}
	return nil
}

// place notes any gap before a stamped frame and writes it. A frame the
// segmenter refuses is logged and skipped: one undecodable frame from the
// publisher does not end the recording.
func (s *session) place(k int, f Frame, lost int) error {
	if g, ok := s.gaps.note(k, f.PTS, frameSpan(f), lost); ok {
		s.logGap(g)
	}
	err := s.seg.Write(f)
	if errors.Is(err, ErrBadFrame) {
		s.logger.Warn("frame refused", "kind", kindName(k), "err", err)
		return nil
	}
	return err
}

// frameSpan is how long a frame plays, for the gap log.
func frameSpan(f Frame) time.Duration {
	if f.Video {
		return min(f.Duration, maxVideoFrameSpan)
	}
	d, err := opusPacketDuration(f.Data)
	if err != nil {
		return 0
	}
	return d
}

// senderReport takes a stream's RTCP sender report and places the frames
// that waited for it.
func (s *session) senderReport(k int, sr *rtcp.SenderReport, now time.Time,
	logger *slog.Logger) {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	if s.mediaDone {
		return
	}
	s.tl.senderReport(k, sr.RTPTime, sr.NTPTime, now)
	if len(s.held) == 0 || s.waiting(now) {
		return
	}
	if err := s.releaseHeld(); err != nil {
		s.failed(logger, err)
	}
}

// trackEnded notes the packets a track lost after its last frame, so that
// the gap they leave is closed when the session ends.
func (s *session) trackEnded(k, lost int) {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	s.gaps.pending[k] = lost
}

// onSegment hands a finished segment, with the gaps inside it, to the
// archiver. The segmenter calls it from Write and Close, under segMu.
func (s *session) onSegment(seg Segment) {
	seg.Gaps = s.gaps.within(seg.MediaStart, seg.MediaEnd)
	if len(seg.Gaps) > 0 {
		s.logger.Info("segment has gaps", "seq", seg.Seq, "gaps", len(seg.Gaps))
	}
	s.arch.add(seg)
}

// gapHistory returns the first maxGapHistory gaps of the session.
func (s *session) gapHistory() []Gap {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	return append([]Gap(nil), s.gaps.history...)
}

func (s *session) logGap(g Gap) {
	s.logger.Warn("media lost", "kind", kindName(kindIndex(g.Video)),
		"from", g.Start, "to", g.End, "packets", g.Lost)
}

func kindName(k int) string {
	if k == kindVideo {
		return "video"
	}
	return "audio"
}

package capture

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/liuhen/liuhen/agenda"
)

const (
	// minKeyframeInterval limits how often a publisher is asked for a
	// keyframe (RFC 4585 §6.3.1 PLI).
	minKeyframeInterval = 300 * time.Millisecond

	// disconnectGrace is how long a publisher whose ICE consent lapsed
	// (RFC 7675: pion reports "disconnected" a few seconds after the last
	// packet) may take to come back before its session ends as
	// interrupted. With pion's 4 s disconnected timeout checked every 2 s,
	// a vanished publisher's session ends 9 to 11 s after its last packet,
	// earlier than ICE's own "failed".
	disconnectGrace = 5 * time.Second

	// maxHeldFrames bounds the frames held while a stream waits for its
	// first sender report; past it the streams are placed by arrival.
	maxHeldFrames = 2000

	// holdRecheck is how often held frames are looked at again once
	// reportWait has passed, for a stream that began later.
	holdRecheck = 250 * time.Millisecond
)

// session records one publisher: its PeerConnection, the segmenter its
// frames go into, and the archiver that stores the segments.
type session struct {
	id  string
	ref agenda.TrackRef
	// tokenHash is the SHA-256 of the bearer token that opened the
	// session, which stays valid for its meeting while the session lives
	// (see Server.LiveMeeting).
	tokenHash [sha256.Size]byte
	plan      offerPlan
	pc        *webrtc.PeerConnection
	catalog   Catalog
	metrics   *Metrics
	logger    *slog.Logger

	// segMu serializes the media path: the segmenter, the timeline, the
	// frames held for a sender report and the gap log.
	segMu     sync.Mutex
	seg       *Segmenter
	arch      *archiver
	tl        timeline
	held      []heldFrame // while a stream waits for its first sender report
	holdTimer *time.Timer
	gaps      gapLog
	mediaDone bool // the segmenter is closed

	ctx       context.Context // ends when the session should stop
	cancel    context.CancelFunc
	endOnce   sync.Once
	endState  string
	endReason string
	endedAt   time.Time // when the session was told to stop
	connected atomic.Bool
	videoSSRC atomic.Uint32
	lastPLI   atomic.Int64 // unix nanoseconds
	readers   sync.WaitGroup
	done      chan struct{}

	stateMu     sync.Mutex
	unreachable *time.Timer // runs while ICE is disconnected
}

// heldFrame is a frame waiting for the streams' first sender reports.
type heldFrame struct {
	kind int
	f    Frame
	ext  int64 // unwrapped RTP time
	lost int
}

// stop ends the session; the first caller decides the track's final state.
func (s *session) stop(state, reason string) {
	s.endOnce.Do(func() {
		s.endState, s.endReason, s.endedAt = state, reason, time.Now()
		s.logger.Info("session ending", "reason", reason, "state", state)
		s.cancel()
	})
}

// run waits for the session to end, then closes it down in order: the
// PeerConnection, the track readers, the held frames and the segmenter
// (which finishes the last segment), the archiver, and finally the track's
// row.
func (s *session) run(uploadCtx context.Context) {
	defer close(s.done)
	archived := make(chan bool, 1)
	go func() { archived <- s.arch.run(uploadCtx) }()

	<-s.ctx.Done()
	s.stopUnreachableTimer()
	if err := s.pc.Close(); err != nil {
		s.logger.Warn("close peer connection", "err", err)
	}
	s.readers.Wait()

	if err := s.finishMedia(); err != nil {
		s.logger.Error("finish last segment", "err", err)
		s.endState = stateInterrupted
	}
	s.arch.finish()
	if !<-archived {
		s.endState = stateInterrupted
	}

	// The track ends when the session stopped taking media, not when its
	// last upload finished, which may be much later (MinIO slow or down).
	end := agenda.TrackEnd{State: s.endState, Reason: s.endReason,
		Segments: s.arch.segmentsWritten(), MediaEnd: s.arch.mediaEnd(), At: s.endedAt}
	s.closeTrack(uploadCtx, end)
	s.logger.Info("session ended", "state", s.endState)
}

// closeTrack ends the track's row, retrying while PostgreSQL does not
// answer until the server gives up on uploads, then once more.
func (s *session) closeTrack(uploadCtx context.Context, end agenda.TrackEnd) {
	err := retry(uploadCtx, s.logger, "close track", stepTimeout, func(ctx context.Context) error {
		return s.catalog.CloseTrack(ctx, s.ref.TrackID, end)
	})
	if err != nil && uploadCtx.Err() != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(uploadCtx), 10*time.Second)
		defer cancel()
		err = s.catalog.CloseTrack(ctx, s.ref.TrackID, end)
	}
	if err != nil {
		s.logger.Error("close track; the next start marks it interrupted", "err", err)
	}
}

// finishMedia places the frames still held, closes the gaps still open and
// finishes the last segment.
func (s *session) finishMedia() error {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	var errs []error
	if s.holdTimer != nil {
		s.holdTimer.Stop()
	}
	for k := range numKinds {
		s.tl.settle(k)
	}
	errs = append(errs, s.releaseHeld())
	for _, g := range s.gaps.trailing() {
		s.logGap(g)
	}
	errs = append(errs, s.seg.Close())
	s.mediaDone = true
	return errors.Join(errs...)
}

// onConnectionState ends the session when the publisher is gone: DTLS
// closed, ICE failed, or ICE consent (RFC 7675) lost for disconnectGrace.
func (s *session) onConnectionState(st webrtc.PeerConnectionState) {
	s.logger.Debug("peer connection state", "state", st.String())
	switch st {
	case webrtc.PeerConnectionStateConnected:
		s.connected.Store(true)
		s.stopUnreachableTimer()
	case webrtc.PeerConnectionStateDisconnected:
		s.startUnreachableTimer()
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		s.stop(stateInterrupted, "publisher connection "+st.String())
	}
}

func (s *session) startUnreachableTimer() {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if s.unreachable == nil {
		s.unreachable = time.AfterFunc(disconnectGrace, func() {
			s.stop(stateInterrupted, "publisher unreachable: ICE consent lost")
		})
	}
}

func (s *session) stopUnreachableTimer() {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	if s.unreachable != nil {
		s.unreachable.Stop()
		s.unreachable = nil
	}
}

// onTrack starts a reader for the track's RTP and one for its RTCP.
func (s *session) onTrack(track *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	video := track.Kind() == webrtc.RTPCodecTypeVideo
	choice := s.plan.audio
	if video {
		choice = s.plan.video
	}
	if choice == nil {
		s.logger.Warn("ignoring a track the offer did not announce", "kind", track.Kind().String())
		return
	}
	k := kindIndex(video)
	s.segMu.Lock()
	s.tl.setZero(s.ref.Zero)
	s.tl.setRate(k, choice.clockRate)
	s.segMu.Unlock()

	logger := s.logger.With("kind", track.Kind().String(), "codec", choice.name)
	s.readers.Add(2)
	go s.readReports(receiver, k, uint32(track.SSRC()), logger)
	if video {
		s.videoSSRC.Store(uint32(track.SSRC()))
		go s.readVideo(track, choice, logger)
	} else {
		go s.readAudio(track, logger)
	}
}

// readAudio delivers a track's Opus packets: each is one frame (RFC 7587
// §4.2), so no sample builder is needed. A packet that comes after a newer
// one is dropped: audio is not retransmitted, so it could only be late.
func (s *session) readAudio(track *webrtc.TrackRemote, logger *slog.Logger) {
	defer s.readers.Done()
	buf := make([]byte, rtpBufferSize)
	var pkt rtp.Packet
	var order seqOrder
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			logger.Debug("track ended", "err", err)
			return
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			logger.Debug("unreadable RTP packet", "err", err)
			continue
		}
		lost, fresh := order.next(pkt.SequenceNumber)
		if !fresh || len(pkt.Payload) == 0 { // late, duplicate, or padding only
			continue
		}
		f := Frame{Data: pkt.Payload}
		if err := s.deliver(kindAudio, f, pkt.Timestamp, lost, time.Now()); err != nil {
			s.failed(logger, err)
			return
		}
	}
}

// readVideo builds a track's frames and delivers them from a keyframe on:
// after a loss the frames that follow cannot be decoded, so they are
// dropped, and a keyframe asked for, until one comes.
func (s *session) readVideo(track *webrtc.TrackRemote, choice *codecChoice, logger *slog.Logger) {
	defer s.readers.Done()
	asm := newVideoAssembler(choice.name, choice.clockRate)
	needKeyframe, lost := true, 0
	s.requestKeyframe() // so that the recording starts on a keyframe
	for {
		p, err := asm.read(track)
		if err != nil {
			logger.Debug("track ended", "err", err)
			asm.end()
		} else {
			asm.push(p)
		}
		for f, ok := asm.pop(); ok; f, ok = asm.pop() {
			lost += f.Lost
			key := isKeyframe(choice.name, f.Data)
			if f.Lost > 0 && !key {
				needKeyframe = true
			}
			if needKeyframe && !key {
				lost = max(lost, 1) // a dropped frame is media lost too
				s.requestKeyframe()
				continue
			}
			needKeyframe = false
			frame := Frame{Video: true, Data: f.Data, Duration: f.Duration, Keyframe: key}
			if werr := s.deliver(kindVideo, frame, f.TS, lost, time.Now()); werr != nil {
				s.failed(logger, werr)
				return
			}
			lost = 0
		}
		if err != nil {
			s.trackEnded(kindVideo, lost+asm.lostAtEnd())
			return
		}
	}
}

// failed ends the session after an error that stops the media path.
func (s *session) failed(logger *slog.Logger, err error) {
	if errors.Is(err, ErrClosed) {
		return
	}
	logger.Error("write frame", "err", err)
	s.stop(stateInterrupted, "segment writing failed")
}

// readReports reads a track's RTCP. Reading it also lets pion's
// interceptors see it; the sender reports (RFC 3550 §6.4.1) go to the
// timeline.
func (s *session) readReports(receiver *webrtc.RTPReceiver, k int, ssrc uint32,
	logger *slog.Logger) {
	defer s.readers.Done()
	for {
		pkts, _, err := receiver.ReadRTCP()
		if err != nil {
			logger.Debug("RTCP ended", "err", err)
			return
		}
		now := time.Now()
		for _, p := range pkts {
			if sr, ok := p.(*rtcp.SenderReport); ok && sr.SSRC == ssrc {
				s.senderReport(k, sr, now, logger)
			}
		}
	}
}

// requestKeyframe sends a Picture Loss Indication (RFC 4585 §6.3.1), at
// most once per minKeyframeInterval.
func (s *session) requestKeyframe() {
	ssrc := s.videoSSRC.Load()
	if ssrc == 0 {
		return
	}
	now := time.Now().UnixNano()
	last := s.lastPLI.Load()
	if now-last < int64(minKeyframeInterval) || !s.lastPLI.CompareAndSwap(last, now) {
		return
	}
	err := s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}})
	if err != nil {
		s.logger.Debug("send PLI", "err", err)
	}
}

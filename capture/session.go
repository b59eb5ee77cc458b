package capture

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/liuhen/liuhen/agenda"
)

// How many packets a sample builder holds back waiting for a missing one
// (a NACKed retransmission) before it gives the frame up as lost.
const (
	maxLateVideo = 512
	maxLateAudio = 64
	// minKeyframeInterval limits how often a publisher is asked for a
	// keyframe (RFC 4585 §6.3.1 PLI).
	minKeyframeInterval = 300 * time.Millisecond
)

// session records one publisher: its PeerConnection, the segmenter its
// frames go into, and the archiver that stores the segments.
type session struct {
	id      string
	ref     agenda.TrackRef
	plan    offerPlan
	pc      *webrtc.PeerConnection
	catalog Catalog
	metrics *Metrics
	logger  *slog.Logger

	segMu sync.Mutex
	seg   *Segmenter
	arch  *archiver

	ctx       context.Context // ends when the session should stop
	cancel    context.CancelFunc
	endOnce   sync.Once
	endState  string
	connected atomic.Bool
	videoSSRC atomic.Uint32
	lastPLI   atomic.Int64 // unix nanoseconds
	readers   sync.WaitGroup
	done      chan struct{}
}

// stop ends the session; the first caller decides the track's final state.
func (s *session) stop(state, reason string) {
	s.endOnce.Do(func() {
		s.endState = state
		s.logger.Info("session ending", "reason", reason, "state", state)
		s.cancel()
	})
}

// run waits for the session to end, then closes it down in order: the
// PeerConnection, the track readers, the segmenter (which finishes the
// last segment), the archiver, and finally the track's row.
func (s *session) run(uploadCtx context.Context) {
	defer close(s.done)
	archived := make(chan bool, 1)
	go func() { archived <- s.arch.run(uploadCtx) }()

	<-s.ctx.Done()
	if err := s.pc.Close(); err != nil {
		s.logger.Warn("close peer connection", "err", err)
	}
	s.readers.Wait()

	s.segMu.Lock()
	if err := s.seg.Close(); err != nil {
		s.logger.Error("finish last segment", "err", err)
		s.endState = stateInterrupted
	}
	s.segMu.Unlock()
	s.arch.finish()
	if !<-archived {
		s.endState = stateInterrupted
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(uploadCtx), 10*time.Second)
	defer cancel()
	if err := s.catalog.CloseTrack(ctx, s.ref.TrackID, s.endState, time.Now()); err != nil {
		s.logger.Error("close track", "err", err)
	}
	s.logger.Info("session ended", "state", s.endState)
}

// onConnectionState ends the session when the publisher is gone: ICE
// consent lost (RFC 7675) or DTLS closed.
func (s *session) onConnectionState(st webrtc.PeerConnectionState) {
	s.logger.Debug("peer connection state", "state", st.String())
	switch st {
	case webrtc.PeerConnectionStateConnected:
		s.connected.Store(true)
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		s.stop(stateInterrupted, "publisher connection "+st.String())
	}
}

func (s *session) onTrack(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	s.readers.Add(1)
	go s.readTrack(track)
}

// readTrack turns one track's RTP packets into frames for the segmenter.
func (s *session) readTrack(track *webrtc.TrackRemote) {
	defer s.readers.Done()
	video := track.Kind() == webrtc.RTPCodecTypeVideo
	choice := s.plan.audio
	if video {
		choice = s.plan.video
		s.videoSSRC.Store(uint32(track.SSRC()))
	}
	if choice == nil {
		s.logger.Warn("ignoring a track the offer did not announce", "kind", track.Kind().String())
		return
	}
	logger := s.logger.With("kind", track.Kind().String(), "codec", choice.name)
	sb, needKeyframe := newSampleBuilder(choice), video
	if video {
		s.requestKeyframe() // so that the recording starts on a keyframe
	}

	clock := newMediaClock(choice.clockRate)
	var seen seqWindow
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			logger.Debug("track ended", "err", err)
			sb.Flush()
		} else if seen.fresh(pkt.SequenceNumber) {
			sb.Push(pkt)
		}
		for sample := sb.Pop(); sample != nil; sample = sb.Pop() {
			if !seen.consumed(sample.RTPHeaders) {
				continue // built from packets already used; see seqWindow
			}
			f := Frame{Video: video, Data: sample.Data, Duration: sample.Duration,
				PTS: clock.pts(sample.PacketTimestamp, time.Now(), s.ref.Zero)}
			if video {
				f.Keyframe = isKeyframe(choice.name, sample.Data)
				// A lost packet breaks every frame up to the next keyframe.
				if sample.PrevDroppedPackets > 0 && !f.Keyframe {
					needKeyframe = true
				}
				if needKeyframe && !f.Keyframe {
					s.requestKeyframe()
					continue
				}
				needKeyframe = false
			}
			err := s.write(f)
			if errors.Is(err, ErrBadFrame) {
				// One undecodable frame from the publisher does not end the
				// recording; the segmenter has kept everything before it.
				logger.Warn("frame refused", "err", err)
				continue
			}
			if err != nil {
				logger.Error("write frame", "err", err)
				s.stop(stateInterrupted, "segment writing failed")
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func newSampleBuilder(c *codecChoice) *samplebuilder.SampleBuilder {
	var d rtp.Depacketizer
	maxLate := uint16(maxLateVideo)
	switch c.name {
	case "vp8":
		d = &codecs.VP8Packet{}
	case "h264":
		d = &codecs.H264Packet{}
	default:
		d, maxLate = &codecs.OpusPacket{}, maxLateAudio
	}
	return samplebuilder.New(maxLate, d, c.clockRate, samplebuilder.WithRTPHeaders(true))
}

// seqWindow remembers the last RTP sequence number that went into a frame,
// so that packets are never built into two frames: a packet arriving again
// after its frame was built (a network duplicate, or a retransmission that
// crossed the original) is dropped before the sample builder, and a frame
// the sample builder builds again from packets it already used (which its
// Flush does with the last packet) is dropped after it.
type seqWindow struct {
	started bool
	last    uint16
}

// fresh reports whether a packet with sequence number seq may still belong
// to a frame not yet built (RFC 3550 §A.1: sequence numbers wrap).
func (w *seqWindow) fresh(seq uint16) bool {
	return !w.started || int16(seq-w.last) > 0
}

// consumed records the packets of a built frame and reports whether the
// frame is new.
func (w *seqWindow) consumed(headers []*rtp.Header) bool {
	if len(headers) == 0 {
		return true
	}
	if !w.fresh(headers[0].SequenceNumber) {
		return false
	}
	w.started, w.last = true, headers[len(headers)-1].SequenceNumber
	return true
}

func (s *session) write(f Frame) error {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	return s.seg.Write(f)
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

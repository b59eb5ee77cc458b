package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// mtu is the largest RTP packet sent, as pion's own tracks do.
const mtu = 1200

// rtpSender packetizes a track's frames itself, so that each frame's RTP
// timestamp is the stream's first plus the frame's media time, whatever
// was left out before it.
type rtpSender struct {
	track    *webrtc.TrackLocalStaticRTP
	pz       rtp.Packetizer
	rate     float64
	at       uint32       // RTP ticks since the stream's first timestamp
	requests atomic.Int64 // keyframe requests (PLI, FIR) received
}

func addSender(pc *webrtc.PeerConnection, mime, id string) (*rtpSender, error) {
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: mime}, id,
		"liuhen")
	if err != nil {
		return nil, err
	}
	tr, err := pc.AddTransceiverFromTrack(track,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return nil, err
	}
	var payloader rtp.Payloader
	rate := uint32(90000)
	switch mime {
	case webrtc.MimeTypeVP8:
		payloader = &codecs.VP8Payloader{EnablePictureID: true}
	case webrtc.MimeTypeH264:
		payloader = &codecs.H264Payloader{}
	default:
		payloader, rate = &codecs.OpusPayloader{}, 48000
	}
	s := &rtpSender{track: track, rate: float64(rate),
		pz: rtp.NewPacketizerWithOptions(mtu, payloader, rtp.NewRandomSequencer(), rate)}
	go s.readRTCP(tr.Sender())
	return s, nil
}

// readRTCP reads the RTCP the server sends, so that the interceptors see
// NACKs, and counts keyframe requests.
func (s *rtpSender) readRTCP(sender *webrtc.RTPSender) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.requests.Add(1)
			}
		}
	}
}

// sendAt sends a frame whose media time is pts.
func (s *rtpSender) sendAt(frame []byte, pts time.Duration) error {
	ticks := uint32(int64(math.Round(pts.Seconds() * s.rate)))
	s.pz.SkipSamples(ticks - s.at)
	s.at = ticks
	for _, p := range s.pz.Packetize(frame, 0) {
		if err := s.track.WriteRTP(p); err != nil {
			return err
		}
	}
	return nil
}

// stream paces the files in real time, each kind on its own goroutine.
func (p *publisher) stream(ctx context.Context, res *Result) error {
	start := time.Now()
	res.Started = start
	p.net.start.Store(start.UnixNano())
	errc := make(chan error, 2)
	go func() {
		var err error
		switch {
		case p.video == nil:
		case p.opts.VideoH264 != "":
			res.VideoFrames, err = streamH264(ctx, p.video, p.opts, start.Add(p.opts.VideoStart))
		default:
			v := ivfStream{s: p.video, opts: p.opts, start: start.Add(p.opts.VideoStart)}
			err = v.run(ctx)
			res.VideoFrames, res.KeyframesSent = v.frames, v.keyframes
			res.KeyframeRequests = int(p.video.requests.Load())
		}
		errc <- err
	}()
	go func() {
		var err error
		if p.audio != nil {
			res.AudioFrames, err = streamOgg(ctx, p.audio, p.opts, start)
		}
		errc <- err
	}()
	return errors.Join(<-errc, <-errc)
}

// ivfStream sends VP8 from IVF files one after another on one timeline.
type ivfStream struct {
	s     *rtpSender
	opts  Options
	start time.Time

	frames, keyframes int
	keys              *ivfreader.IVFReader // KeyframeIVF, read in step
	answered          int64                // requests answered so far
}

func (v *ivfStream) run(ctx context.Context) error {
	if v.opts.KeyframeIVF != "" {
		f, err := os.Open(v.opts.KeyframeIVF)
		if err != nil {
			return err
		}
		defer f.Close()
		if v.keys, _, err = ivfreader.NewWith(f); err != nil {
			return fmt.Errorf("read %s: %w", v.opts.KeyframeIVF, err)
		}
	}
	var offset time.Duration
	for _, path := range append([]string{v.opts.VideoIVF}, v.opts.MoreVideoIVF...) {
		end, err := v.file(ctx, path, offset)
		if err != nil || ctx.Err() != nil {
			return err
		}
		offset = end
	}
	return nil
}

// file sends one IVF file from media time offset and returns where it
// ends.
func (v *ivfStream) file(ctx context.Context, path string, offset time.Duration) (time.Duration,
	error) {
	f, err := os.Open(path)
	if err != nil {
		return offset, err
	}
	defer f.Close()
	r, hdr, err := ivfreader.NewWith(f)
	if err != nil {
		return offset, fmt.Errorf("read %s: %w", path, err)
	}
	tick := time.Duration(hdr.TimebaseNumerator) * time.Second / time.Duration(hdr.TimebaseDenominator)
	end := offset
	for {
		frame, fh, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return end, nil
		} else if err != nil {
			return end, fmt.Errorf("read %s: %w", path, err)
		}
		// ivfreader scales the frame's pts by den/num; undo that to get
		// the pts in time-base units.
		pts := offset + time.Duration(fh.Timestamp*uint64(hdr.TimebaseNumerator)/
			uint64(hdr.TimebaseDenominator))*tick
		end = pts + tick
		if frame = v.choose(frame); frame == nil {
			continue
		}
		if !sleepUntil(ctx, v.start.Add(pts)) {
			return end, nil
		}
		if err := v.s.sendAt(frame, pts); err != nil {
			return end, err
		}
		v.frames++
	}
}

// choose returns the frame to send in place of frame, or nil for none: in
// keyframe-on-request mode a keyframe after an unanswered request, no
// keyframe otherwise.
//
// TODO(keyframes): the frames after a keyframe taken from KeyframeIVF were
// encoded against VideoIVF's own picture, so a decoder's picture drifts a
// little (it reports no error) until the next request; encoding live
// (libvpx through go-astiav, forcing a keyframe on request) would not.
func (v *ivfStream) choose(frame []byte) []byte {
	if v.keys == nil {
		return frame
	}
	key, _, err := v.keys.ParseNextFrame()
	if err != nil {
		v.keys = nil // no keyframes left to answer with
		return frame
	}
	ignored := int64(v.opts.IgnoreKeyframeRequests)
	if req := v.s.requests.Load(); req > max(ignored, v.answered) {
		v.answered = req
		v.keyframes++
		return key
	}
	if len(frame) > 0 && frame[0]&1 == 0 { // RFC 6386 §9.1: a keyframe
		return nil
	}
	return frame
}

// streamOgg sends an Ogg Opus file, one packet per page, leaving out the
// packets that fall in Options.Silences.
func streamOgg(ctx context.Context, s *rtpSender, opts Options, start time.Time) (int, error) {
	f, err := os.Open(opts.AudioOgg)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", opts.AudioOgg, err)
	}
	var granule uint64
	n := 0
	for {
		page, ph, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("read %s: %w", opts.AudioOgg, err)
		}
		if bytes.HasPrefix(page, []byte("OpusTags")) || ph.GranulePosition < granule {
			continue
		}
		pts := time.Duration(granule) * time.Second / 48000
		granule = ph.GranulePosition
		if anyHolds(opts.Silences, pts) {
			continue
		}
		if !sleepUntil(ctx, start.Add(pts)) {
			return n, nil
		}
		if err := s.sendAt(page, pts); err != nil {
			return n, err
		}
		n++
	}
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Until(t)):
		return true
	}
}

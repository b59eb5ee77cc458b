// Package publish is a WHIP client (RFC 9725) that streams VP8 from an IVF
// file and Opus from an Ogg file, paced in real time: an encoder stand-in
// for `liuhen publish` and for tests.
package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// Options say what to publish where.
type Options struct {
	Endpoint string // WHIP endpoint URL, e.g. http://host/whip/12
	Token    string // bearer token
	VideoIVF string // VP8 in IVF; empty for none
	// VideoH264 is H.264 in an Annex B byte stream, sent instead of VideoIVF
	// at VideoFPS frames a second (default 30). B-frames are not supported.
	VideoH264 string
	VideoFPS  int
	AudioOgg  string // Opus in Ogg, one packet per page; empty for none
	// Duration stops publishing early; 0 publishes until the files end.
	Duration time.Duration
	// Offer, when set, may rewrite the SDP offer before it is sent.
	Offer func(sdp string) string
}

// Result tells what happened.
type Result struct {
	Location    string // the session URL the server gave
	VideoFrames int
	AudioFrames int
}

// HTTPError is a WHIP request the server refused.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("WHIP server answered %d: %s", e.Status, e.Body)
}

// Run publishes until the files end, Duration passes or ctx ends, then
// ends the session with DELETE.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.VideoIVF == "" && opts.VideoH264 == "" && opts.AudioOgg == "" {
		return Result{}, errors.New("nothing to publish: give a video or an audio file")
	}
	pc, err := newPeerConnection(opts)
	if err != nil {
		return Result{}, err
	}
	defer pc.Close()

	video, audio, err := addTracks(pc, opts)
	if err != nil {
		return Result{}, err
	}
	res, err := connect(ctx, pc, opts)
	if err != nil {
		return res, err
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	res.VideoFrames, res.AudioFrames, err = stream(ctx, video, audio, opts)
	if delErr := deleteSession(res.Location, opts.Token); delErr != nil {
		err = errors.Join(err, delErr)
	}
	return res, err
}

// newPeerConnection offers exactly the codecs of the files to send, so
// that the server cannot pick another.
func newPeerConnection(opts Options) (*webrtc.PeerConnection, error) {
	m := &webrtc.MediaEngine{}
	feedback := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	video := webrtc.RTPCodecParameters{PayloadType: 96, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: feedback}}
	if opts.VideoH264 != "" {
		video = webrtc.RTPCodecParameters{PayloadType: 102, RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeH264, ClockRate: 90000, RTCPFeedback: feedback,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}}
	}
	audio := webrtc.RTPCodecParameters{PayloadType: 111, RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
		SDPFmtpLine: "minptime=10;useinbandfec=1"}}
	if err := m.RegisterCodec(video, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(audio, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	registry := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, registry); err != nil {
		return nil, err
	}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(se))
	return api.NewPeerConnection(webrtc.Configuration{})
}

func addTracks(pc *webrtc.PeerConnection, opts Options) (video, audio *webrtc.TrackLocalStaticSample, err error) {
	add := func(mime, id string) (*webrtc.TrackLocalStaticSample, error) {
		t, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: mime}, id, "liuhen")
		if err != nil {
			return nil, err
		}
		sender, err := pc.AddTransceiverFromTrack(t,
			webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return nil, err
		}
		go drainRTCP(sender.Sender())
		return t, nil
	}
	if opts.VideoIVF != "" || opts.VideoH264 != "" {
		mime := webrtc.MimeTypeVP8
		if opts.VideoH264 != "" {
			mime = webrtc.MimeTypeH264
		}
		if video, err = add(mime, "video"); err != nil {
			return nil, nil, fmt.Errorf("add video track: %w", err)
		}
	}
	if opts.AudioOgg != "" {
		if audio, err = add(webrtc.MimeTypeOpus, "audio"); err != nil {
			return nil, nil, fmt.Errorf("add audio track: %w", err)
		}
	}
	return video, audio, nil
}

// drainRTCP reads RTCP so that the interceptors see NACKs and PLIs.
func drainRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// connect sends the offer and applies the answer (RFC 9725 §4.2).
func connect(ctx context.Context, pc *webrtc.PeerConnection, opts Options) (Result, error) {
	connected := make(chan struct{})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			close(connected)
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		return Result{}, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		return Result{}, err
	}
	<-gathered
	sdp := pc.LocalDescription().SDP
	if opts.Offer != nil {
		sdp = opts.Offer(sdp)
	}
	answer, location, err := postOffer(ctx, opts, sdp)
	if err != nil {
		return Result{}, err
	}
	res := Result{Location: location}
	err = pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer})
	if err != nil {
		return res, fmt.Errorf("apply answer: %w", err)
	}
	select {
	case <-connected:
		return res, nil
	case <-time.After(20 * time.Second):
		return res, errors.New("WebRTC connection not up after 20s")
	case <-ctx.Done():
		return res, ctx.Err()
	}
}

func postOffer(ctx context.Context, opts Options, sdp string) (answer, location string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.Endpoint, bytes.NewBufferString(sdp))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+opts.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("post offer: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return "", "", &HTTPError{Status: resp.StatusCode, Body: string(body)}
	}
	loc, err := req.URL.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return "", "", errors.New("the WHIP answer has no usable Location header")
	}
	return string(body), loc.String(), nil
}

func deleteSession(location, token string) error {
	if _, err := url.Parse(location); err != nil || location == "" {
		return nil
	}
	req, err := http.NewRequest(http.MethodDelete, location, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Status: resp.StatusCode, Body: "DELETE " + location}
	}
	return nil
}

// stream paces both files in real time, each on its own goroutine.
func stream(ctx context.Context, video, audio *webrtc.TrackLocalStaticSample,
	opts Options) (vframes, aframes int, err error) {
	errc := make(chan error, 2)
	start := time.Now()
	if video != nil {
		go func() {
			var e error
			if opts.VideoH264 != "" {
				vframes, e = streamH264(ctx, video, opts.VideoH264, opts.VideoFPS, start)
			} else {
				vframes, e = streamIVF(ctx, video, opts.VideoIVF, start)
			}
			errc <- e
		}()
	} else {
		errc <- nil
	}
	if audio != nil {
		go func() { var e error; aframes, e = streamOgg(ctx, audio, opts.AudioOgg, start); errc <- e }()
	} else {
		errc <- nil
	}
	err = errors.Join(<-errc, <-errc)
	return vframes, aframes, err
}

func streamIVF(ctx context.Context, t *webrtc.TrackLocalStaticSample, path string,
	start time.Time) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, hdr, err := ivfreader.NewWith(f)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	tick := time.Duration(hdr.TimebaseNumerator) * time.Second / time.Duration(hdr.TimebaseDenominator)
	n := 0
	for {
		frame, fh, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("read %s: %w", path, err)
		}
		// ivfreader scales the frame's pts by den/num; undo that to get
		// the pts in time-base units.
		pts := fh.Timestamp * uint64(hdr.TimebaseNumerator) / uint64(hdr.TimebaseDenominator)
		if !sleepUntil(ctx, start.Add(time.Duration(pts)*tick)) {
			return n, nil
		}
		if err := t.WriteSample(media.Sample{Data: frame, Duration: tick}); err != nil {
			return n, err
		}
		n++
	}
}

func streamOgg(ctx context.Context, t *webrtc.TrackLocalStaticSample, path string,
	start time.Time) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, _, err := oggreader.NewWith(f)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	var granule uint64
	n := 0
	for {
		page, ph, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("read %s: %w", path, err)
		}
		if bytes.HasPrefix(page, []byte("OpusTags")) || ph.GranulePosition < granule {
			continue
		}
		d := time.Duration(ph.GranulePosition-granule) * time.Second / 48000
		if !sleepUntil(ctx, start.Add(time.Duration(granule)*time.Second/48000)) {
			return n, nil
		}
		granule = ph.GranulePosition
		if err := t.WriteSample(media.Sample{Data: page, Duration: d}); err != nil {
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

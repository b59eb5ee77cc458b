// Package publish is a WHIP client (RFC 9725) that streams VP8 from IVF
// files or H.264 from an Annex B file, and Opus from an Ogg file, paced in
// real time: an encoder stand-in for `liuhen publish` and for tests, which
// can also make it misbehave the ways real publishers do.
package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/logging"
	"github.com/pion/webrtc/v4"
)

// Options say what to publish where, and how.
type Options struct {
	Endpoint string // WHIP endpoint URL, e.g. http://host/whip/12
	Token    string // bearer token
	VideoIVF string // VP8 in IVF; empty for none
	// MoreVideoIVF are VP8 files sent after VideoIVF on its timeline, such
	// as the same scene at another picture size.
	MoreVideoIVF []string
	// VideoH264 is H.264 in an Annex B byte stream, sent instead of VideoIVF
	// at VideoFPS frames a second (default 30). B-frames are not supported.
	VideoH264 string
	VideoFPS  int
	AudioOgg  string // Opus in Ogg, one packet per page; empty for none
	// Duration stops publishing early; 0 publishes until the files end.
	Duration time.Duration
	// Offer, when set, may rewrite the SDP offer before it is sent.
	Offer func(sdp string) string

	// VideoStart starts the video this long after the audio, as a camera
	// that comes up late does; both keep one capture clock.
	VideoStart time.Duration
	// KeyframeIVF makes the publisher send a keyframe only when asked (PLI
	// or FIR: RFC 4585 §6.3.1, RFC 5104 §4.3.1). It holds the frames of
	// VideoIVF encoded as keyframes; VideoIVF's own keyframes are withheld,
	// and after a request the next frame is taken from KeyframeIVF.
	KeyframeIVF string
	// IgnoreKeyframeRequests leaves the first this many requests unanswered.
	IgnoreKeyframeRequests int
	// Silences are stretches of the audio's media time that are not sent,
	// as Opus DTX does: the RTP timestamps run on, the sequence numbers
	// do not.
	Silences []Span
	// Network impairs the packets on their way out.
	Network Network
	// NoSenderReports leaves out RTCP sender reports, as some encoders do.
	NoSenderReports bool
	// End says how the session ends; the zero value sends DELETE.
	End Ending
}

// Ending is how a publisher leaves.
type Ending int

const (
	// EndDelete ends the session with DELETE (RFC 9725 §4.2).
	EndDelete Ending = iota
	// EndClose closes the PeerConnection without DELETE: the DTLS
	// close_notify alert is all the server hears.
	EndClose
	// EndVanish goes silent without DELETE: the UDP socket under the
	// PeerConnection is closed, so nothing more reaches the server, as when
	// a machine loses its network. It binds the socket to 127.0.0.1, so it
	// works with a server on the same machine only.
	EndVanish
)

// Result tells what happened.
type Result struct {
	Location    string // the session URL the server gave
	VideoFrames int
	AudioFrames int
	// Started is the wall-clock instant of media time zero: when the
	// first audio frame (and the first video frame, less VideoStart) was
	// due.
	Started time.Time
	// KeyframeRequests counts the PLIs and FIRs received; KeyframesSent the
	// keyframes sent from KeyframeIVF in answer.
	KeyframeRequests int
	KeyframesSent    int
	// Dropped counts the packets Network dropped.
	Dropped int
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
// leaves as opts.End says.
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.VideoIVF == "" && opts.VideoH264 == "" && opts.AudioOgg == "" {
		return Result{}, errors.New("nothing to publish: give a video or an audio file")
	}
	p, err := newPublisher(opts)
	if err != nil {
		return Result{}, err
	}
	defer p.close()

	res, err := connect(ctx, p.pc, opts)
	if err != nil {
		return res, err
	}
	if opts.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Duration)
		defer cancel()
	}
	err = p.stream(ctx, &res)
	res.Dropped = int(p.net.dropped.Load())
	return res, errors.Join(err, p.leave(res.Location))
}

// publisher is one PeerConnection with its tracks.
type publisher struct {
	opts         Options
	pc           *webrtc.PeerConnection
	net          *impairment
	conn         net.PacketConn // EndVanish only
	video, audio *rtpSender
}

func newPublisher(opts Options) (*publisher, error) {
	p := &publisher{opts: opts, net: newImpairment(opts.Network)}
	if err := p.newPeerConnection(); err != nil {
		return nil, err
	}
	if err := p.addTracks(); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// newPeerConnection offers exactly the codecs of the files to send, so
// that the server cannot pick another.
func (p *publisher) newPeerConnection() error {
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m, p.opts); err != nil {
		return err
	}
	registry, err := p.interceptors(m)
	if err != nil {
		return err
	}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	if p.opts.End == EndVanish {
		p.conn, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			return fmt.Errorf("listen on UDP: %w", err)
		}
		// The socket is closed under the mux on purpose; its read error is
		// no news.
		quiet := logging.NewDefaultLoggerFactory()
		quiet.DefaultLogLevel = logging.LogLevelDisabled
		se.SetICEUDPMux(webrtc.NewICEUDPMux(quiet.NewLogger("udpmux"), p.conn))
	}
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(registry),
		webrtc.WithSettingEngine(se))
	p.pc, err = api.NewPeerConnection(webrtc.Configuration{})
	return err
}

func registerCodecs(m *webrtc.MediaEngine, opts Options) error {
	feedback := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"},
		{Type: "ccm", Parameter: "fir"}}
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
		return err
	}
	return m.RegisterCodec(audio, webrtc.RTPCodecTypeAudio)
}

// interceptors are pion's defaults, or without sender reports NACK and
// receiver reports only, behind the network impairment.
func (p *publisher) interceptors(m *webrtc.MediaEngine) (*interceptor.Registry, error) {
	registry := &interceptor.Registry{}
	if p.opts.Network.active() {
		registry.Add(p.net) // first, so nearest the wire
	}
	if !p.opts.NoSenderReports {
		return registry, webrtc.RegisterDefaultInterceptors(m, registry)
	}
	if err := webrtc.ConfigureNack(m, registry); err != nil {
		return nil, err
	}
	receiver, err := report.NewReceiverInterceptor()
	if err != nil {
		return nil, err
	}
	registry.Add(receiver)
	return registry, nil
}

func (p *publisher) addTracks() error {
	var err error
	if p.opts.VideoIVF != "" || p.opts.VideoH264 != "" {
		mime := webrtc.MimeTypeVP8
		if p.opts.VideoH264 != "" {
			mime = webrtc.MimeTypeH264
		}
		if p.video, err = addSender(p.pc, mime, "video"); err != nil {
			return fmt.Errorf("add video track: %w", err)
		}
	}
	if p.opts.AudioOgg != "" {
		if p.audio, err = addSender(p.pc, webrtc.MimeTypeOpus, "audio"); err != nil {
			return fmt.Errorf("add audio track: %w", err)
		}
	}
	return nil
}

// leave ends the session as Options.End says.
func (p *publisher) leave(location string) error {
	switch p.opts.End {
	case EndClose:
		return p.pc.Close()
	case EndVanish:
		return p.conn.Close()
	}
	return deleteSession(location, p.opts.Token)
}

func (p *publisher) close() {
	_ = p.pc.Close()
	_ = p.net.Close()
	if p.conn != nil {
		_ = p.conn.Close()
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.Endpoint,
		bytes.NewBufferString(sdp))
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

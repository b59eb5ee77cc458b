package capture

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// recordedCodecs names, for error messages, the codecs Liuhen records.
const recordedCodecs = "audio: opus; video: VP8, H264 (packetization-mode 0 or 1)"

// codecChoice is the codec chosen for one media section of an offer.
type codecChoice struct {
	kind        webrtc.RTPCodecType
	name        string // "opus", "vp8" or "h264", as the segmenter names them
	mimeType    string
	payloadType uint8
	clockRate   uint32
	channels    uint16
	fmtp        string
}

// offerPlan is what a publisher's offer will send us.
type offerPlan struct {
	audio *codecChoice
	video *codecChoice
}

// planOffer reads an SDP offer and picks, for each media section the
// publisher sends, the first codec in the publisher's order that Liuhen
// records. A malformed offer wraps ErrBadOffer; a section with no codec
// Liuhen records wraps ErrUnsupportedCodec (RFC 9725 §4.3: no partially
// successful answers).
func planOffer(raw string) (offerPlan, error) {
	var desc sdp.SessionDescription
	if err := desc.UnmarshalString(raw); err != nil {
		return offerPlan{}, fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	var plan offerPlan
	for i, md := range desc.MediaDescriptions {
		kind := webrtc.NewRTPCodecType(md.MediaName.Media)
		if kind == 0 || !sends(md) {
			continue // data channels, and sections the publisher does not send
		}
		choice, err := chooseCodec(md, kind)
		if err != nil {
			return offerPlan{}, fmt.Errorf("media section %d (%s): %w", i, md.MediaName.Media, err)
		}
		slot := &plan.audio
		if kind == webrtc.RTPCodecTypeVideo {
			slot = &plan.video
		}
		if *slot != nil {
			// RFC 9725 §4.3: one MediaStreamTrack per kind.
			return offerPlan{}, fmt.Errorf("media section %d: two %s sections: Liuhen "+
				"records one audio and one video track per publisher; %w", i,
				md.MediaName.Media, ErrExtraTrack)
		}
		*slot = &choice
	}
	if plan.audio == nil && plan.video == nil {
		return offerPlan{}, fmt.Errorf("%w: the offer sends no audio or video", ErrBadOffer)
	}
	return plan, nil
}

// sends reports whether the publisher sends media in a section: not in a
// section it rejected itself (port 0, RFC 8866 §5.14, RFC 8843 §7.3) nor in
// one it only receives on.
func sends(md *sdp.MediaDescription) bool {
	if md.MediaName.Port.Value == 0 {
		return false
	}
	for _, a := range md.Attributes {
		if a.Key == "recvonly" || a.Key == "inactive" {
			return false
		}
	}
	return true
}

func chooseCodec(md *sdp.MediaDescription, kind webrtc.RTPCodecType) (codecChoice, error) {
	rtpmaps, fmtps := codecAttributes(md)
	var offered []string
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 8)
		if err != nil {
			return codecChoice{}, fmt.Errorf("%w: payload type %q is not a number 0-255", ErrBadOffer, f)
		}
		rtpmap, ok := rtpmaps[f]
		if !ok {
			continue
		}
		name, clock, channels, err := parseRTPMap(rtpmap)
		if err != nil {
			return codecChoice{}, err
		}
		offered = append(offered, name)
		c := codecChoice{kind: kind, payloadType: uint8(pt), clockRate: clock,
			channels: channels, fmtp: fmtps[f]}
		if c.accept(name) {
			return c, nil
		}
	}
	if len(offered) == 0 {
		offered = []string{"none"}
	}
	return codecChoice{}, fmt.Errorf("%w: offered %s; Liuhen records %s",
		ErrUnsupportedCodec, strings.Join(offered, ", "), recordedCodecs)
}

// accept fills in c for a codec Liuhen records and reports whether it is one.
func (c *codecChoice) accept(name string) bool {
	switch {
	case c.kind == webrtc.RTPCodecTypeAudio && strings.EqualFold(name, "opus") &&
		c.clockRate == 48000:
		c.name, c.mimeType = "opus", webrtc.MimeTypeOpus
		if c.channels == 0 {
			c.channels = 2
		}
	case c.kind == webrtc.RTPCodecTypeVideo && strings.EqualFold(name, "vp8"):
		c.name, c.mimeType = "vp8", webrtc.MimeTypeVP8
	case c.kind == webrtc.RTPCodecTypeVideo && strings.EqualFold(name, "h264") &&
		fmtpValue(c.fmtp, "packetization-mode") != "2":
		c.name, c.mimeType = "h264", webrtc.MimeTypeH264
	default:
		return false
	}
	return true
}

// codecAttributes returns the rtpmap and fmtp values of a section by
// payload type (RFC 8866 §6.6, §6.15).
func codecAttributes(md *sdp.MediaDescription) (rtpmaps, fmtps map[string]string) {
	rtpmaps, fmtps = map[string]string{}, map[string]string{}
	for _, a := range md.Attributes {
		if a.Key != "rtpmap" && a.Key != "fmtp" {
			continue
		}
		pt, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		if a.Key == "rtpmap" {
			rtpmaps[pt] = strings.TrimSpace(rest)
		} else {
			fmtps[pt] = strings.TrimSpace(rest)
		}
	}
	return rtpmaps, fmtps
}

// parseRTPMap reads "name/clock[/channels]".
func parseRTPMap(v string) (name string, clock uint32, channels uint16, err error) {
	parts := strings.Split(v, "/")
	if len(parts) < 2 {
		return "", 0, 0, fmtBadRTPMap(v)
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return "", 0, 0, fmtBadRTPMap(v)
	}
	if len(parts) > 2 {
		ch, err := strconv.ParseUint(parts[2], 10, 16)
		if err != nil {
			return "", 0, 0, fmtBadRTPMap(v)
		}
		channels = uint16(ch)
	}
	return parts[0], uint32(rate), channels, nil
}

func fmtBadRTPMap(v string) error {
	return fmt.Errorf("%w: a=rtpmap %q is not of the form name/clock-rate[/channels]", ErrBadOffer, v)
}

func fmtpValue(fmtp, key string) string {
	for _, kv := range strings.Split(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

// register adds the chosen codecs, and nothing else, to a media engine, so
// that the answer names exactly the codecs the segmenter is set up for.
func (p offerPlan) register(m *webrtc.MediaEngine) error {
	feedback := []webrtc.RTCPFeedback{
		{Type: "nack"}, {Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"},
	}
	for _, c := range []*codecChoice{p.audio, p.video} {
		if c == nil {
			continue
		}
		params := webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: c.mimeType, ClockRate: c.clockRate, Channels: c.channels,
				SDPFmtpLine: c.fmtp,
			},
			PayloadType: webrtc.PayloadType(c.payloadType),
		}
		if c.kind == webrtc.RTPCodecTypeVideo {
			params.RTCPFeedback = feedback
		}
		if err := m.RegisterCodec(params, c.kind); err != nil {
			return fmt.Errorf("register %s: %w", c.name, err)
		}
	}
	return nil
}

func (p offerPlan) codecNames() (audio, video string) {
	if p.audio != nil {
		audio = p.audio.name
	}
	if p.video != nil {
		video = p.video.name
	}
	return audio, video
}

package capture

import (
	"errors"
	"strings"
	"testing"
)

// sdpOffer is a minimal offer with one media section per line of
// sections, each "m=" line followed by an rtpmap for its first format.
func sdpOffer(sections ...string) string {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n")
	for _, s := range sections {
		b.WriteString(s + "\r\n")
	}
	return b.String()
}

const (
	opusSection = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\na=sendonly"
	vp8Section  = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly"
	// rejectedOpus is an audio section the offerer itself rejected.
	rejectedOpus = "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2"
)

func TestPlanOfferTwoSectionsOfAKind(t *testing.T) {
	_, err := planOffer(sdpOffer(opusSection, opusSection, vp8Section))
	if !errors.Is(err, ErrExtraTrack) {
		t.Fatalf("got error %v, want one matching ErrExtraTrack", err)
	}
	want := "two audio sections: Liuhen records one audio and one video track per publisher"
	if !strings.Contains(err.Error(), want) || errors.Is(err, ErrUnsupportedCodec) {
		t.Errorf("got %q, want it to say %q and not blame the codec", err, want)
	}
}

func TestPlanOfferSkipsRejectedSection(t *testing.T) {
	plan, err := planOffer(sdpOffer(opusSection, rejectedOpus, vp8Section))
	if err != nil {
		t.Fatalf("got error %v, want the port-0 section left out", err)
	}
	if plan.audio == nil || plan.audio.name != "opus" || plan.video == nil {
		t.Errorf("got plan audio %+v video %+v, want opus and VP8", plan.audio, plan.video)
	}
}

package publish

import (
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// startedAt makes an impairment whose streaming began since ago.
func startedAt(n Network, since time.Duration) *impairment {
	im := newImpairment(n)
	im.start.Store(time.Now().Add(-since).UnixNano())
	return im
}

func TestImpairmentBlackout(t *testing.T) {
	n := Network{Blackouts: []Span{{From: time.Second, To: 2 * time.Second}}}
	im := newImpairment(n)
	steps := []struct {
		name     string
		since    time.Duration // since streaming began; -1: not yet
		seq      uint16
		wantDrop bool
	}{
		{"before streaming began", -1, 9, false},
		{"sent during the blackout", 1500 * time.Millisecond, 10, true},
		{"another packet during it", 1500 * time.Millisecond, 11, true},
		{"a retransmission after it", 3 * time.Second, 10, true},
		{"a new packet after it", 3 * time.Second, 12, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.since >= 0 {
				im.start.Store(time.Now().Add(-s.since).UnixNano())
			}
			if got := im.drop(&rtp.Header{SSRC: 5, SequenceNumber: s.seq}); got != s.wantDrop {
				t.Errorf("got drop %v, want %v", got, s.wantDrop)
			}
		})
	}
}

func TestImpairmentLoss(t *testing.T) {
	tests := []struct {
		name     string
		n        Network
		min, max int // of 10000 packets dropped
	}{
		{"5% throughout", Network{Loss: 0.05, Seed: 1}, 400, 600},
		{"5% outside its stretch", Network{Loss: 0.05, Seed: 1,
			LossDuring: []Span{{From: time.Hour, To: 2 * time.Hour}}}, 0, 0},
		{"none", Network{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im := startedAt(tt.n, time.Second)
			dropped := 0
			for i := range 10000 {
				if im.drop(&rtp.Header{SSRC: 5, SequenceNumber: uint16(i)}) {
					dropped++
				}
			}
			if dropped < tt.min || dropped > tt.max {
				t.Errorf("got %d of 10000 dropped, want %d to %d", dropped, tt.min, tt.max)
			}
		})
	}
}

func TestImpairmentDelay(t *testing.T) {
	im := startedAt(Network{VideoDelay: 100 * time.Millisecond}, 0)
	defer im.Close()
	arrived := make(chan time.Time, 1)
	next := interceptor.RTPWriterFunc(func(*rtp.Header, []byte, interceptor.Attributes) (int,
		error) {
		arrived <- time.Now()
		return 0, nil
	})
	w := im.BindLocalStream(&interceptor.StreamInfo{MimeType: "video/VP8"}, next)
	sent := time.Now()
	if _, err := w.Write(&rtp.Header{SequenceNumber: 1}, []byte{1}, nil); err != nil {
		t.Fatalf("write: %v", err)
	}
	select {
	case at := <-arrived:
		if d := at.Sub(sent); d < 100*time.Millisecond || d > 300*time.Millisecond {
			t.Errorf("got the packet after %v, want after 100ms", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatalf("the delayed packet never went out")
	}
}

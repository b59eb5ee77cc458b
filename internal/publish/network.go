package publish

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
)

// Span is a stretch of time from the start of streaming.
type Span struct{ From, To time.Duration }

func (s Span) holds(d time.Duration) bool { return d >= s.From && d < s.To }

func anyHolds(spans []Span, d time.Duration) bool {
	for _, s := range spans {
		if s.holds(d) {
			return true
		}
	}
	return false
}

// Network impairs the RTP packets as they leave, after pion's NACK buffer
// and sender reports: what it drops can be retransmitted on a NACK, and
// what it delays the sender reports do not know of, as on a real network.
type Network struct {
	// Loss is the share of packets dropped at random, retransmissions
	// included, during LossDuring (or throughout when that is empty).
	Loss       float64
	LossDuring []Span
	// Blackouts drop every packet first sent in them, and every later
	// retransmission of one: that media is lost for good.
	Blackouts []Span
	// AudioDelay and VideoDelay add transit time to each kind.
	AudioDelay, VideoDelay time.Duration
	// Seed makes the random loss repeatable.
	Seed uint64
}

func (n Network) active() bool {
	return n.Loss > 0 || len(n.Blackouts) > 0 || n.AudioDelay > 0 || n.VideoDelay > 0
}

// impairment is the interceptor that applies a Network. It is registered
// before pion's own interceptors, which puts it nearest the wire.
type impairment struct {
	interceptor.NoOp
	net Network

	start   atomic.Int64 // Unix ns when streaming began; 0 before
	dropped atomic.Int64

	mu   sync.Mutex
	rng  *rand.Rand
	dead map[uint64]bool // SSRC<<16 | sequence number, lost in a blackout

	closeOnce sync.Once
	done      chan struct{}
}

func newImpairment(n Network) *impairment {
	return &impairment{net: n, rng: rand.New(rand.NewPCG(n.Seed, 0x6c6968)),
		dead: map[uint64]bool{}, done: make(chan struct{})}
}

// NewInterceptor makes impairment its own interceptor.Factory, for one
// PeerConnection.
func (im *impairment) NewInterceptor(string) (interceptor.Interceptor, error) {
	return im, nil
}

// BindLocalStream drops and delays a stream's packets.
func (im *impairment) BindLocalStream(info *interceptor.StreamInfo,
	writer interceptor.RTPWriter) interceptor.RTPWriter {
	delay := im.net.AudioDelay
	if strings.HasPrefix(strings.ToLower(info.MimeType), "video/") {
		delay = im.net.VideoDelay
	}
	var queue chan delayedPacket
	if delay > 0 {
		queue = make(chan delayedPacket, 8192)
		go im.deliver(queue, writer)
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte,
		a interceptor.Attributes) (int, error) {
		n := h.MarshalSize() + len(payload)
		if im.drop(h) {
			im.dropped.Add(1)
			return n, nil
		}
		if queue == nil {
			return writer.Write(h, payload, a)
		}
		p := delayedPacket{due: time.Now().Add(delay), h: h.Clone(),
			payload: bytes.Clone(payload), a: a}
		select {
		case queue <- p:
		case <-im.done:
		}
		return n, nil
	})
}

// drop decides a packet's fate.
func (im *impairment) drop(h *rtp.Header) bool {
	start := im.start.Load()
	if start == 0 {
		return false
	}
	since := time.Duration(time.Now().UnixNano() - start)
	key := uint64(h.SSRC)<<16 | uint64(h.SequenceNumber)

	im.mu.Lock()
	defer im.mu.Unlock()
	switch {
	case im.dead[key]:
		return true
	case anyHolds(im.net.Blackouts, since):
		im.dead[key] = true
		return true
	case im.net.Loss > 0 && (len(im.net.LossDuring) == 0 || anyHolds(im.net.LossDuring, since)):
		return im.rng.Float64() < im.net.Loss
	}
	return false
}

type delayedPacket struct {
	due     time.Time
	h       rtp.Header
	payload []byte
	a       interceptor.Attributes
}

// deliver writes delayed packets when they are due, in order.
func (im *impairment) deliver(queue chan delayedPacket, writer interceptor.RTPWriter) {
	for {
		select {
		case p := <-queue:
			select {
			case <-time.After(time.Until(p.due)):
			case <-im.done:
				return
			}
			_, _ = writer.Write(&p.h, p.payload, p.a)
		case <-im.done:
			return
		}
	}
}

// Close stops the delivery of delayed packets.
func (im *impairment) Close() error {
	im.closeOnce.Do(func() { close(im.done) })
	return nil
}

package capture

import (
	"slices"
	"strings"
	"testing"

	"github.com/pion/rtp"
)

// restartedSeqs is a stream at 40000 that starts again at 39000.
func restartedSeqs() []uint16 {
	seqs := []uint16{40000}
	for i := range uint16(maxStaleRun + 2) {
		seqs = append(seqs, 39000+i)
	}
	return seqs
}

func TestSeqOrder(t *testing.T) {
	tests := []struct {
		name      string
		seqs      []uint16
		wantLost  []int
		wantFresh []bool
	}{
		{"in order", []uint16{100, 101, 102}, []int{0, 0, 0}, []bool{true, true, true}},
		{"a duplicate and an older packet", []uint16{100, 101, 101, 99, 102},
			[]int{0, 0, 0, 0, 0}, []bool{true, true, false, false, true}},
		{"two lost", []uint16{100, 103}, []int{0, 2}, []bool{true, true}},
		{"across the wrap", []uint16{65534, 65535, 0, 65535, 2},
			[]int{0, 0, 0, 0, 1}, []bool{true, true, true, false, true}},
		{"a restarted sequence is followed", restartedSeqs(),
			make([]int, maxStaleRun+3), append(append([]bool{true},
				make([]bool, maxStaleRun)...), true, true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o seqOrder
			var lost []int
			var fresh []bool
			for _, seq := range tt.seqs {
				l, f := o.next(seq)
				lost, fresh = append(lost, l), append(fresh, f)
			}
			if !slices.Equal(lost, tt.wantLost) || !slices.Equal(fresh, tt.wantFresh) {
				t.Errorf("got lost %v fresh %v, want lost %v fresh %v", lost, fresh,
					tt.wantLost, tt.wantFresh)
			}
		})
	}
}

// vp8RTP makes a pooled VP8 packet: a one-byte payload descriptor (RFC 7741
// §4.2, S set on a frame's first packet) and one byte of frame data.
func vp8RTP(a *videoAssembler, seq uint16, ts uint32, first, last bool, data byte) *pooledPacket {
	p := a.packet()
	desc := byte(0)
	if first {
		desc = 0x10
	}
	p.buf[0], p.buf[1] = desc, data
	p.pkt = rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts,
		Marker: last}, Payload: p.buf[:2]}
	return p
}

// frameSpec is a VP8 frame of two packets: first seq, RTP time, data byte.
type frameSpec struct {
	seq  uint16
	ts   uint32
	data byte
}

// pushFrame pushes a frame's packets, but not those in skip.
func pushFrame(a *videoAssembler, f frameSpec, skip ...uint16) {
	for i := range uint16(2) {
		if slices.Contains(skip, f.seq+i) {
			continue
		}
		a.push(vp8RTP(a, f.seq+i, f.ts, i == 0, i == 1, f.data))
	}
}

// built pops every frame and returns the data byte and lost packet count
// of each.
func built(a *videoAssembler) (data []byte, lost []int) {
	for f, ok := a.pop(); ok; f, ok = a.pop() {
		data = append(data, f.Data[0])
		lost = append(lost, f.Lost)
	}
	return data, lost
}

func TestVideoAssembler(t *testing.T) {
	frames := []frameSpec{{1000, 9000, 'a'}, {1002, 12000, 'b'}, {1004, 15000, 'c'},
		{1006, 18000, 'd'}, {1008, 21000, 'e'}}
	tests := []struct {
		name     string
		run      func(a *videoAssembler)
		want     string
		wantLost []int
	}{
		{"in order", func(a *videoAssembler) {
			for _, f := range frames {
				pushFrame(a, f)
			}
		}, "abcde", []int{0, 0, 0, 0, 0}},
		{"out of order", func(a *videoAssembler) {
			pushFrame(a, frames[0])
			a.push(vp8RTP(a, 1003, 12000, false, true, 'b'))
			a.push(vp8RTP(a, 1002, 12000, true, false, 'b'))
			pushFrame(a, frames[2])
		}, "abc", []int{0, 0, 0}},
		{"a duplicate of a held packet", func(a *videoAssembler) {
			a.push(vp8RTP(a, 1000, 9000, true, false, 'a'))
			a.push(vp8RTP(a, 1000, 9000, true, false, 'x'))
			a.push(vp8RTP(a, 1001, 9000, false, true, 'a'))
			pushFrame(a, frames[1])
		}, "ab", []int{0, 0}},
		{"a retransmission after its frame was built", func(a *videoAssembler) {
			pushFrame(a, frames[0])
			pushFrame(a, frames[1])
			a.push(vp8RTP(a, 1000, 9000, true, false, 'x'))
			a.push(vp8RTP(a, 1001, 9000, false, true, 'x'))
			pushFrame(a, frames[2])
		}, "abc", []int{0, 0, 0}},
		{"across the sequence number wrap", func(a *videoAssembler) {
			pushFrame(a, frameSpec{65534, 9000, 'y'})
			pushFrame(a, frameSpec{0, 12000, 'z'})
		}, "yz", []int{0, 0}},
		{"a frame's first packet lost for good", func(a *videoAssembler) {
			pushFrame(a, frames[0])
			pushFrame(a, frames[1], 1002)
			for i := range uint32(40) { // more than maxVideoWait later
				pushFrame(a, frameSpec{uint16(1004 + 2*i), 15000 + 3000*i, 'c'})
			}
		}, "a" + strings.Repeat("c", 40), append([]int{0, 2}, make([]int, 39)...)},
		{"a frame's last packet lost for good", func(a *videoAssembler) {
			pushFrame(a, frames[0])
			pushFrame(a, frames[1], 1003)
			for i := range uint32(40) {
				pushFrame(a, frameSpec{uint16(1004 + 2*i), 15000 + 3000*i, 'c'})
			}
		}, "a" + strings.Repeat("c", 40), append([]int{0, 2}, make([]int, 39)...)},
		{"padding between frames", func(a *videoAssembler) {
			pushFrame(a, frames[0])
			p := a.packet()
			p.pkt = rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1002,
				Timestamp: 9000}}
			a.push(p)
			pushFrame(a, frameSpec{1003, 12000, 'b'})
		}, "ab", []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newVideoAssembler("vp8", 90000)
			tt.run(a)
			data, lost := built(a)
			if string(data) != tt.want || !slices.Equal(lost, tt.wantLost) {
				t.Errorf("got frames %q lost %v, want %q lost %v", data, lost, tt.want,
					tt.wantLost)
			}
		})
	}
}

func TestVideoAssemblerEnd(t *testing.T) {
	a := newVideoAssembler("vp8", 90000)
	pushFrame(a, frameSpec{1000, 9000, 'a'})
	pushFrame(a, frameSpec{1002, 12000, 'b'}, 1002)
	pushFrame(a, frameSpec{1004, 15000, 'c'})
	pushFrame(a, frameSpec{1006, 18000, 'd'}, 1007)
	data, _ := built(a)
	a.end()
	rest, lost := built(a)
	// 1007 never came, so only 1006 counts as lost at the end.
	if got := string(data) + string(rest); got != "ac" || a.lostAtEnd() != 1 {
		t.Errorf("got frames %q and %d lost at the end, want \"ac\" and 1", got, a.lostAtEnd())
	}
	if !slices.Equal(lost, []int{2}) {
		t.Errorf("got lost %v for the frames built at the end, want [2]", lost)
	}
}

func TestH264StartsPicture(t *testing.T) {
	tests := []struct {
		name string
		au   []byte
		want bool
	}{
		{"parameter set first", []byte{0, 0, 0, 1, 0x67, 0x42}, true},
		{"slice with first_mb_in_slice 0", []byte{0, 0, 0, 1, 0x65, 0x88}, true},
		{"slice further into the picture", []byte{0, 0, 1, 0x65, 0x40}, false},
		{"no start code", []byte{0x65, 0x88}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := h264StartsPicture(tt.au); got != tt.want {
				t.Errorf("h264StartsPicture(% x) = %v, want %v", tt.au, got, tt.want)
			}
		})
	}
}

// BenchmarkVideoAssembler builds 3-packet VP8 frames through the pool, as
// the media path does; in the steady state it should not allocate.
func BenchmarkVideoAssembler(b *testing.B) {
	a := newVideoAssembler("vp8", 90000)
	payload := make([]byte, 1100)
	b.ReportAllocs()
	seq := uint16(0)
	for i := range b.N {
		for k := range 3 {
			p := a.packet()
			p.buf[0] = 0
			if k == 0 {
				p.buf[0] = 0x10
			}
			copy(p.buf[1:], payload)
			p.pkt = rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq,
				Timestamp: uint32(i) * 3000, Marker: k == 2}, Payload: p.buf[:1+len(payload)]}
			seq++
			a.push(p)
		}
		if _, ok := a.pop(); !ok {
			b.Fatalf("frame %d not built", i)
		}
	}
}

// BenchmarkAudioPath is the per-packet work of an audio reader before the
// segmenter: unmarshal, sequence order and timeline placement.
func BenchmarkAudioPath(b *testing.B) {
	raw, _ := (&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: 1, Timestamp: 960,
		Extension: true, ExtensionProfile: 0xBEDE}, Payload: make([]byte, 80)}).Marshal()
	tl := newSimTimeline()
	tl.senderReport(kindAudio, 0, unixToNTP(simZero), simZero)
	var pkt rtp.Packet
	var order seqOrder
	b.ReportAllocs()
	for i := range b.N {
		raw[2], raw[3] = byte(i>>8), byte(i)
		if err := pkt.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
		if _, fresh := order.next(pkt.SequenceNumber); !fresh && i > 0 {
			continue
		}
		ext := tl.unwrap(kindAudio, pkt.Timestamp+uint32(i)*960, simZero)
		tl.ready(kindAudio, simZero)
		_ = tl.pts(kindAudio, ext)
	}
}

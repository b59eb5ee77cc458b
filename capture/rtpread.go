package capture

import (
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// This file turns RTP packets into frames with few allocations: audio
// packets are frames as they are (RFC 7587 §4.2), and video packets are
// read into a pool and put together in a reorder window of their own.
// pion's sample builder is not used: flushed, or forced to give up a frame
// whose first packet is lost, it can walk its head past its tail and then
// spin through all 65536 sequence numbers.

const (
	// rtpBufferSize holds any packet pion delivers (its receive MTU is 1460).
	rtpBufferSize = 1500

	// maxLateVideo is how many packets may arrive after a missing one
	// (awaiting its NACKed retransmission) before the frame it belongs to is
	// given up; maxVideoWait bounds the same wait in media time, so that a
	// loss is noticed, and a keyframe asked for, soon after it happens.
	maxLateVideo = 512
	maxVideoWait = time.Second

	// seqRingSize is a power of two above maxLateVideo: the reorder window.
	seqRingSize = 1024

	// maxStaleRun is how many packets in a row may look older than the
	// stream's position before it is taken to have restarted its sequence
	// numbers, and followed.
	maxStaleRun = 64
)

// seqOrder follows a stream's RTP sequence numbers (RFC 3550 §A.1) for
// audio, whose packets are frames: it drops duplicates and packets that
// come after a newer one, and counts the packets that never came.
type seqOrder struct {
	started bool
	last    uint16
	stale   int
}

// next reports whether a packet with sequence number seq is newer than all
// before it, and how many packets went missing just before it.
func (o *seqOrder) next(seq uint16) (lost int, fresh bool) {
	d := int16(seq - o.last)
	switch {
	case !o.started || o.stale >= maxStaleRun:
		o.started, o.last, o.stale = true, seq, 0
		return 0, true
	case d <= 0:
		o.stale++
		return 0, false
	}
	o.last, o.stale = seq, 0
	return int(d) - 1, true
}

// pooledPacket is an RTP packet with the buffer it was read into.
type pooledPacket struct {
	pkt rtp.Packet
	buf [rtpBufferSize]byte
}

// videoFrame is a frame the assembler built. Data is valid until the next
// call to pop.
type videoFrame struct {
	Data     []byte
	TS       uint32        // RTP timestamp
	Duration time.Duration // until the next frame's timestamp; 0 if unknown
	Lost     int           // packets given up since the previous frame
}

// videoAssembler puts a video stream's packets back in sequence order and
// builds frames from them: a frame is the run of packets of one timestamp
// from a partition head to the marker bit (RFC 7741 §4.1, RFC 6184 §5.1).
// A missing packet is waited for until maxLateVideo packets or maxVideoWait
// of media have come after it; then it and its frame are given up and
// counted as lost. A packet older than the window, or one already held,
// is dropped, so no packet goes into two frames.
type videoAssembler struct {
	depack  rtp.Depacketizer
	h264    bool
	rate    int64
	maxWait int32 // maxVideoWait in RTP ticks

	slots [seqRingSize]*pooledPacket
	free  []*pooledPacket

	started  bool
	head     uint16 // oldest sequence number not yet built or given up
	newest   uint16 // newest sequence number held
	newestTS uint32
	stale    int
	ending   bool

	lost     int    // packets given up since the last frame
	cleanEnd bool   // the packet before head ended a frame
	lastTS   uint32 // timestamp of the packet before head
	frame    []byte
}

func newVideoAssembler(codec string, clockRate uint32) *videoAssembler {
	a := &videoAssembler{rate: int64(max(clockRate, 1)), cleanEnd: true}
	a.maxWait = int32(int64(maxVideoWait) * a.rate / int64(time.Second))
	if codec == "h264" {
		a.depack, a.h264 = &codecs.H264Packet{}, true
	} else {
		a.depack = &codecs.VP8Packet{}
	}
	return a
}

// packet returns an empty packet to read into.
func (a *videoAssembler) packet() *pooledPacket {
	if n := len(a.free); n > 0 {
		p := a.free[n-1]
		a.free = a.free[:n-1]
		return p
	}
	return &pooledPacket{}
}

func (a *videoAssembler) recycle(p *pooledPacket) { a.free = append(a.free, p) }

// read reads the next packet of a track.
func (a *videoAssembler) read(track *webrtc.TrackRemote) (*pooledPacket, error) {
	p := a.packet()
	n, _, err := track.Read(p.buf[:])
	if err == nil {
		err = p.pkt.Unmarshal(p.buf[:n])
	}
	if err != nil {
		a.recycle(p)
		return nil, err
	}
	return p, nil
}

// push puts a packet in the window, or drops it when it is a duplicate or
// older than the window.
func (a *videoAssembler) push(p *pooledPacket) {
	seq := p.pkt.SequenceNumber
	if !a.started || a.stale >= maxStaleRun {
		a.restart(seq)
	}
	if int16(seq-a.head) < 0 {
		a.stale++
		a.recycle(p)
		return
	}
	a.stale = 0
	for int16(seq-a.head) >= seqRingSize {
		a.skip() // far ahead: what the window cannot hold is lost
	}
	slot := &a.slots[seq&(seqRingSize-1)]
	if *slot != nil {
		a.recycle(p) // the window holds each sequence number once
		return
	}
	*slot = p
	if int16(seq-a.newest) > 0 {
		a.newest, a.newestTS = seq, p.pkt.Timestamp
	}
}

// restart empties the window and begins it at seq.
func (a *videoAssembler) restart(seq uint16) {
	for a.started && a.head != a.newest+1 {
		a.skip()
	}
	a.started, a.head, a.newest, a.stale = true, seq, seq-1, 0
}

// pop returns the next complete frame, giving up the frames at the head of
// the window whose packets are too late.
func (a *videoAssembler) pop() (videoFrame, bool) {
	for a.started && a.head != a.newest+1 {
		p := a.slots[a.head&(seqRingSize-1)]
		switch {
		case p == nil:
			if !a.late() {
				return videoFrame{}, false
			}
			a.skip()
		case len(p.pkt.Payload) == 0:
			a.pass() // padding only (RFC 3550 §5.1), no media
		case !a.depack.IsPartitionHead(p.pkt.Payload) ||
			!a.cleanEnd && p.pkt.Timestamp == a.lastTS:
			a.skip() // the rest of a frame whose start is lost
		default:
			end, complete := a.scan()
			if complete {
				if f, ok := a.build(end); ok {
					return f, true
				}
				continue
			}
			if !a.late() {
				return videoFrame{}, false
			}
			a.skip()
		}
	}
	return videoFrame{}, false
}

// end says no more packets will come: pop then waits for nothing, and
// builds what it can of the packets left.
func (a *videoAssembler) end() { a.ending = true }

// lostAtEnd returns how many packets were lost after the last frame.
func (a *videoAssembler) lostAtEnd() int { return a.lost }

// scan finds the end of the frame at head: the packet after its marker, or
// the first packet of another timestamp. It is incomplete while a packet
// is missing before that.
func (a *videoAssembler) scan() (end uint16, complete bool) {
	ts := a.slots[a.head&(seqRingSize-1)].pkt.Timestamp
	for i := a.head; ; i++ {
		p := a.slots[i&(seqRingSize-1)]
		switch {
		case p == nil:
			return 0, false
		case p.pkt.Timestamp != ts:
			return i, true
		case p.pkt.Marker:
			return i + 1, true
		case i == a.newest:
			return 0, false
		}
	}
}

// build depacketizes the packets from head to end into a frame.
func (a *videoAssembler) build(end uint16) (videoFrame, bool) {
	head := a.slots[a.head&(seqRingSize-1)]
	f := videoFrame{TS: head.pkt.Timestamp}
	a.frame = a.frame[:0]
	ok := true
	for a.head != end {
		p := a.slots[a.head&(seqRingSize-1)]
		part, err := a.depack.Unmarshal(p.pkt.Payload)
		if err != nil {
			ok = false
		}
		a.frame = append(a.frame, part...)
		a.pass()
	}
	if next := a.slots[end&(seqRingSize-1)]; next != nil {
		d := int64(int32(next.pkt.Timestamp - f.TS))
		f.Duration = time.Duration(max(d, 0) * int64(time.Second) / a.rate)
	}
	if !ok || len(a.frame) == 0 || a.lost > 0 && a.h264 && !h264StartsPicture(a.frame) {
		a.lost++ // undecodable, or the front of a picture is missing
		return videoFrame{}, false
	}
	f.Data, f.Lost, a.lost = a.frame, a.lost, 0
	return f, true
}

// late reports whether the packet at head has been waited for long enough:
// maxLateVideo packets or maxVideoWait of media have come after the oldest
// packet held.
//
// TODO(blackout): after an outage the packets it swallowed are waited for
// like any other loss, so the video resumes up to maxVideoWait after the
// network does (the keyframe request waits too). Giving up sooner when the
// missing run is long, or when NACKs for it went unanswered, would shorten
// the gap.
func (a *videoAssembler) late() bool {
	if a.ending || a.newest-a.head >= maxLateVideo {
		return true
	}
	for i := a.head; ; i++ {
		if p := a.slots[i&(seqRingSize-1)]; p != nil {
			return int32(a.newestTS-p.pkt.Timestamp) > a.maxWait
		}
		if i == a.newest {
			return false
		}
	}
}

// pass consumes the packet at head.
func (a *videoAssembler) pass() {
	slot := &a.slots[a.head&(seqRingSize-1)]
	if p := *slot; p != nil {
		a.cleanEnd, a.lastTS = p.pkt.Marker, p.pkt.Timestamp
		a.recycle(p)
		*slot = nil
	}
	a.head++
}

// skip gives up the packet at head, present or missing, as lost. What was
// lost may have belonged to the frame of the packet before.
func (a *videoAssembler) skip() {
	a.pass()
	a.cleanEnd = false
	a.lost++
}

// h264StartsPicture reports whether an Annex B access unit begins where a
// picture begins: with a non-slice unit (parameter sets, SEI, delimiter) or
// with a slice whose first_mb_in_slice is 0, coded as a lone 1 bit (ITU-T
// H.264 §7.3.3, §9.1).
func h264StartsPicture(au []byte) bool {
	i := annexBStart(au, 0)
	if i < 0 || i >= len(au) {
		return false
	}
	switch au[i] & 0x1f {
	case h264NALSlice, h264NALIDR:
		return i+1 < len(au) && au[i+1]&0x80 != 0
	}
	return true
}

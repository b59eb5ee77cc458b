package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// This file reads just enough of each codec's bitstream to describe a track to
// the muxer and to find keyframes; it never decodes media.

// opusSampleRate is the clock of every Opus stream in WebRTC (RFC 7587 §4.1).
const opusSampleRate = 48000

// opusFrameSizes is the frame duration of each TOC configuration, in
// microseconds, indexed by config number (RFC 6716 §3.1, Table 2).
var opusFrameSizes = [32]int64{
	10000, 20000, 40000, 60000, // SILK narrowband
	10000, 20000, 40000, 60000, // SILK mediumband
	10000, 20000, 40000, 60000, // SILK wideband
	10000, 20000, // hybrid super-wideband
	10000, 20000, // hybrid fullband
	2500, 5000, 10000, 20000, // CELT narrowband
	2500, 5000, 10000, 20000, // CELT wideband
	2500, 5000, 10000, 20000, // CELT super-wideband
	2500, 5000, 10000, 20000, // CELT fullband
}

// opusMaxPacket is the longest audio one Opus packet may carry (RFC 6716 §3.2.5).
const opusMaxPacket = 120 * time.Millisecond

// opusPacketDuration returns how much audio an Opus packet holds, read from
// its TOC byte and, for code 3 packets, the frame count byte (RFC 6716 §3.1).
func opusPacketDuration(p []byte) (time.Duration, error) {
	if len(p) == 0 {
		return 0, fmt.Errorf("%w: packet is empty", ErrOpusPacket)
	}
	frame := time.Duration(opusFrameSizes[p[0]>>3]) * time.Microsecond

	var frames int
	switch p[0] & 0x3 {
	case 0:
		frames = 1
	case 1, 2:
		frames = 2
	default: // code 3: frame count in the low six bits of byte 1 (RFC 6716 §3.2.5)
		if len(p) < 2 {
			return 0, fmt.Errorf("%w: code 3 packet has no frame count byte", ErrOpusPacket)
		}
		frames = int(p[1] & 0x3f)
		if frames == 0 {
			return 0, fmt.Errorf("%w: code 3 packet counts 0 frames", ErrOpusPacket)
		}
	}

	d := time.Duration(frames) * frame
	if d > opusMaxPacket {
		return 0, fmt.Errorf("%w: packet holds %v, more than %v", ErrOpusPacket, d, opusMaxPacket)
	}
	return d, nil
}

// opusHead builds the identification header that Matroska and WebM carry as
// the Opus track's CodecPrivate (RFC 7845 §5.1). Channel mapping family 0
// covers the mono and stereo streams that WebRTC sends.
func opusHead(channels int, preSkip uint16) []byte {
	h := make([]byte, 19)
	copy(h, "OpusHead")
	h[8] = 1 // version
	h[9] = byte(channels)
	binary.LittleEndian.PutUint16(h[10:], preSkip)
	binary.LittleEndian.PutUint32(h[12:], opusSampleRate)
	// Bytes 16-17 (output gain) and 18 (mapping family 0) stay zero.
	return h
}

// vp8IsKeyframe reports whether a VP8 frame is a keyframe: bit 0 of the frame
// tag is 0 for keyframes (RFC 6386 §9.1).
func vp8IsKeyframe(p []byte) bool {
	return len(p) > 0 && p[0]&0x1 == 0
}

// vp8KeyframeSize reads the picture size from a VP8 keyframe's uncompressed
// header: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and
// height, each with 2 scaling bits (RFC 6386 §9.1 and §19.1).
func vp8KeyframeSize(p []byte) (width, height int, err error) {
	if len(p) < 10 {
		return 0, 0, fmt.Errorf("%w: keyframe has %d bytes, shorter than its 10-byte header",
			ErrVP8Header, len(p))
	}
	if !vp8IsKeyframe(p) {
		return 0, 0, fmt.Errorf("%w: frame is not a keyframe", ErrVP8Header)
	}
	if version := (p[0] >> 1) & 0x7; version > 3 {
		return 0, 0, fmt.Errorf("%w: version %d, want 0 to 3", ErrVP8Header, version)
	}
	if !bytes.Equal(p[3:6], []byte{0x9d, 0x01, 0x2a}) {
		return 0, 0, fmt.Errorf("%w: start code % x, want 9d 01 2a", ErrVP8Header, p[3:6])
	}
	partition := int(p[0])>>5 | int(p[1])<<3 | int(p[2])<<11
	if partition > len(p)-10 {
		return 0, 0, fmt.Errorf("%w: first partition of %d bytes overruns the %d-byte frame",
			ErrVP8Header, partition, len(p))
	}

	width = int(binary.LittleEndian.Uint16(p[6:]) & 0x3fff)
	height = int(binary.LittleEndian.Uint16(p[8:]) & 0x3fff)
	if width == 0 || height == 0 {
		return 0, 0, fmt.Errorf("%w: picture size %dx%d", ErrVP8Header, width, height)
	}
	return width, height, nil
}

// H.264 NAL unit types used here (ITU-T H.264 Table 7-1).
const (
	h264NALSlice = 1
	h264NALIDR   = 5
	h264NALSPS   = 7
	h264NALPPS   = 8
)

// h264Units splits an Annex-B byte stream into NAL units, without their start
// codes (ITU-T H.264 Annex B). It fails when the data does not begin with a
// start code, which is how length-prefixed (AVCC) data shows itself.
func h264Units(p []byte) ([][]byte, error) {
	start := annexBStart(p, 0)
	if start < 0 || len(bytes.Trim(p[:start-3], "\x00")) > 0 {
		return nil, fmt.Errorf("%w: access unit does not start with an Annex-B start code",
			ErrH264Stream)
	}

	var units [][]byte
	for start < len(p) {
		next := annexBStart(p, start)
		end := len(p)
		if next >= 0 {
			end = next - 3
		}
		// Trailing zero bytes belong to the next start code (4-byte form).
		unit := bytes.TrimRight(p[start:end], "\x00")
		if len(unit) > 0 {
			units = append(units, unit)
		}
		if next < 0 {
			break
		}
		start = next
	}
	return units, nil
}

// annexBStart returns the index just after the first 00 00 01 at or after
// from, or -1.
func annexBStart(p []byte, from int) int {
	i := bytes.Index(p[from:], []byte{0, 0, 1})
	if i < 0 {
		return -1
	}
	return from + i + 3
}

// videoParams is what a video stream's header needs; a change of any of it
// starts a new segment.
type videoParams struct {
	width, height int
	extradata     []byte // H.264: SPS and PPS units as Annex-B; VP8: none
}

func (v *videoParams) equal(o *videoParams) bool {
	return v.width == o.width && v.height == o.height && bytes.Equal(v.extradata, o.extradata)
}

// h264Keyframe inspects an access unit. It reports whether the unit holds an
// IDR picture and, when it also carries parameter sets, the stream parameters
// they describe; params is nil for an IDR without SPS and PPS.
func h264Keyframe(au []byte) (idr bool, params *videoParams, err error) {
	units, err := h264Units(au)
	if err != nil {
		return false, nil, err
	}

	var sps, pps [][]byte
	for _, u := range units {
		switch u[0] & 0x1f {
		case h264NALIDR:
			idr = true
		case h264NALSPS:
			sps = append(sps, u)
		case h264NALPPS:
			pps = append(pps, u)
		}
	}
	if !idr || len(sps) == 0 || len(pps) == 0 {
		return idr, nil, nil
	}

	width, height, err := h264SPSSize(sps[0])
	if err != nil {
		return idr, nil, err
	}
	return idr, &videoParams{width: width, height: height, extradata: annexB(sps, pps)}, nil
}

// annexB joins parameter sets with 4-byte start codes, the form of extradata
// that FFmpeg's Matroska muxer rewrites into an avcC record.
func annexB(groups ...[][]byte) []byte {
	var b []byte
	for _, g := range groups {
		for _, u := range g {
			b = append(b, 0, 0, 0, 1)
			b = append(b, u...)
		}
	}
	return b
}

// h264HighProfiles are the profile_idc values whose SPS carries chroma format
// and bit depth fields (ITU-T H.264 §7.3.2.1.1).
var h264HighProfiles = map[uint]bool{
	100: true, 110: true, 122: true, 244: true, 44: true, 83: true, 86: true,
	118: true, 128: true, 138: true, 139: true, 134: true, 135: true,
}

// h264SPSSize returns the cropped picture size that a sequence parameter set
// describes (ITU-T H.264 §7.3.2.1.1 and §7.4.2.1.1).
func h264SPSSize(sps []byte) (width, height int, err error) {
	r := &bitReader{b: unescapeRBSP(sps)}
	r.skip(8) // NAL unit header
	profile := r.bits(8)
	r.skip(16) // constraint flags, level_idc
	r.ue()     // seq_parameter_set_id

	chroma, separate := uint(1), uint(0)
	if h264HighProfiles[profile] {
		if chroma = r.ue(); chroma == 3 {
			separate = r.bits(1)
		}
		r.ue()    // bit_depth_luma_minus8
		r.ue()    // bit_depth_chroma_minus8
		r.skip(1) // qpprime_y_zero_transform_bypass_flag
		if r.bits(1) == 1 {
			skipScalingLists(r, chroma)
		}
	}
	skipPicOrder(r)

	r.ue()    // max_num_ref_frames
	r.skip(1) // gaps_in_frame_num_value_allowed_flag
	mbsWide, mapUnitsHigh := r.ue()+1, r.ue()+1
	frameMBsOnly := r.bits(1)
	if frameMBsOnly == 0 {
		r.skip(1) // mb_adaptive_frame_field_flag
	}
	r.skip(1)        // direct_8x8_inference_flag
	var crop [4]uint // left, right, top, bottom
	if r.bits(1) == 1 {
		for i := range crop {
			crop[i] = r.ue()
		}
	}
	if r.err != nil {
		return 0, 0, fmt.Errorf("%w: SPS: %w", ErrH264Stream, r.err)
	}

	unitX, unitY := h264CropUnits(chroma, separate, frameMBsOnly)
	w := int(mbsWide*16) - int(unitX*(crop[0]+crop[1]))
	h := int((2-frameMBsOnly)*mapUnitsHigh*16) - int(unitY*(crop[2]+crop[3]))
	if w <= 0 || h <= 0 || w > 16384 || h > 16384 {
		return 0, 0, fmt.Errorf("%w: SPS gives picture size %dx%d", ErrH264Stream, w, h)
	}
	return w, h, nil
}

// skipScalingLists steps over seq_scaling_list_present_flag and the lists
// themselves (ITU-T H.264 §7.3.2.1.1.1).
func skipScalingLists(r *bitReader, chroma uint) {
	lists := 8
	if chroma == 3 {
		lists = 12
	}
	for i := 0; i < lists && r.err == nil; i++ {
		if r.bits(1) == 0 {
			continue
		}
		size := 16
		if i >= 6 {
			size = 64
		}
		last, next := 8, 8
		for j := 0; j < size && r.err == nil; j++ {
			if next != 0 {
				next = (last + r.se() + 256) % 256
			}
			if next != 0 {
				last = next
			}
		}
	}
}

// skipPicOrder steps over log2_max_frame_num_minus4 and the picture order
// count fields.
func skipPicOrder(r *bitReader) {
	r.ue() // log2_max_frame_num_minus4
	switch r.ue() {
	case 0:
		r.ue() // log2_max_pic_order_cnt_lsb_minus4
	case 1:
		r.skip(1) // delta_pic_order_always_zero_flag
		r.se()    // offset_for_non_ref_pic
		r.se()    // offset_for_top_to_bottom_field
		n := r.ue()
		for i := uint(0); i < n && r.err == nil; i++ {
			r.se() // offset_for_ref_frame
		}
	}
}

// h264CropUnits returns CropUnitX and CropUnitY (ITU-T H.264 eq. 7-19 to 7-22).
func h264CropUnits(chroma, separate, frameMBsOnly uint) (x, y uint) {
	fields := 2 - frameMBsOnly
	if separate == 1 || chroma == 0 {
		return 1, fields
	}
	switch chroma {
	case 1:
		return 2, 2 * fields
	case 2:
		return 2, fields
	default:
		return 1, fields
	}
}

// unescapeRBSP removes emulation prevention bytes: 00 00 03 becomes 00 00
// (ITU-T H.264 §7.4.1).
func unescapeRBSP(p []byte) []byte {
	out := make([]byte, 0, len(p))
	zeros := 0
	for _, c := range p {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// bitReader reads big-endian bit fields and Exp-Golomb codes (ITU-T H.264
// §9.1). Reading past the end sets err and yields zeros.
type bitReader struct {
	b   []byte
	pos int // in bits
	err error
}

func (r *bitReader) bits(n int) uint {
	var v uint
	for range n {
		if r.pos >= len(r.b)*8 {
			r.err = errSPSTruncated
			return 0
		}
		v = v<<1 | uint(r.b[r.pos/8]>>(7-r.pos%8))&1
		r.pos++
	}
	return v
}

func (r *bitReader) skip(n int) { r.bits(n) }

// ue reads an unsigned Exp-Golomb code.
func (r *bitReader) ue() uint {
	zeros := 0
	for r.bits(1) == 0 && r.err == nil {
		if zeros++; zeros > 31 {
			r.err = errSPSTruncated
			return 0
		}
	}
	return 1<<zeros - 1 + r.bits(zeros)
}

// se reads a signed Exp-Golomb code.
func (r *bitReader) se() int {
	k := r.ue()
	if k%2 == 1 {
		return int(k+1) / 2
	}
	return -int(k / 2)
}

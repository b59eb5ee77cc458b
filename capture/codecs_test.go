package capture

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

func TestOpusPacketDuration(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	tests := []struct {
		name   string
		packet []byte
		want   time.Duration
		err    bool
	}{
		{name: "SILK NB 10 ms, one frame", packet: []byte{0 << 3}, want: ms(10)},
		{name: "SILK NB 20 ms", packet: []byte{1 << 3}, want: ms(20)},
		{name: "SILK MB 40 ms", packet: []byte{6 << 3}, want: ms(40)},
		{name: "SILK WB 60 ms", packet: []byte{11 << 3}, want: ms(60)},
		{name: "SILK 60 ms, two equal frames", packet: []byte{3<<3 | 1}, want: ms(120)},
		{name: "hybrid SWB 20 ms", packet: []byte{13 << 3}, want: ms(20)},
		{name: "hybrid FB 10 ms", packet: []byte{14 << 3}, want: ms(10)},
		{name: "CELT NB 2.5 ms", packet: []byte{16 << 3}, want: ms(2.5)},
		{name: "CELT WB 5 ms", packet: []byte{21 << 3}, want: ms(5)},
		{name: "CELT FB 20 ms", packet: []byte{31 << 3}, want: ms(20)},
		{name: "CELT FB 20 ms, two frames of different size", packet: []byte{31<<3 | 2, 1},
			want: ms(40)},
		{name: "code 3, three frames", packet: []byte{31<<3 | 3, 3}, want: ms(60)},
		{name: "code 3, VBR and padding flags ignored", packet: []byte{31<<3 | 3, 0xc3},
			want: ms(60)},
		{name: "code 3, 48 frames of 2.5 ms", packet: []byte{16<<3 | 3, 48}, want: ms(120)},
		{name: "code 3, 49 frames of 2.5 ms", packet: []byte{16<<3 | 3, 49}, err: true},
		{name: "code 3, three 60 ms frames", packet: []byte{3<<3 | 3, 3}, err: true},
		{name: "code 3 without frame count", packet: []byte{31<<3 | 3}, err: true},
		{name: "code 3 with zero frames", packet: []byte{31<<3 | 3, 0}, err: true},
		{name: "empty", packet: nil, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := opusPacketDuration(tt.packet)
			if tt.err {
				if !errors.Is(err, ErrOpusPacket) {
					t.Fatalf("got %v, %v; want ErrOpusPacket", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestOpusHead(t *testing.T) {
	h := opusHead(2, 312)
	want := []byte{'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, 2, 0x38, 0x01,
		0x80, 0xbb, 0, 0, 0, 0, 0}
	if !bytes.Equal(h, want) {
		t.Fatalf("got % x, want % x", h, want)
	}
}

// vp8Keyframe builds a VP8 keyframe: frame tag, start code, size fields and
// a first partition of partition bytes.
func vp8Keyframe(width, height uint16, partition int) []byte {
	p := make([]byte, 10+partition)
	tag := uint32(partition)<<5 | 1<<4 // keyframe, version 0, shown
	p[0], p[1], p[2] = byte(tag), byte(tag>>8), byte(tag>>16)
	copy(p[3:], []byte{0x9d, 0x01, 0x2a})
	binary.LittleEndian.PutUint16(p[6:], width)
	binary.LittleEndian.PutUint16(p[8:], height)
	return p
}

func TestVP8KeyframeSize(t *testing.T) {
	tests := []struct {
		name          string
		frame         []byte
		width, height int
		err           bool
	}{
		{name: "640x360", frame: vp8Keyframe(640, 360, 20), width: 640, height: 360},
		{name: "scaling bits ignored", frame: vp8Keyframe(0x4000|1280, 0xc000|720, 0),
			width: 1280, height: 720},
		{name: "largest size", frame: vp8Keyframe(0x3fff, 0x3fff, 1), width: 16383,
			height: 16383},
		{name: "shorter than header", frame: vp8Keyframe(640, 360, 0)[:9], err: true},
		{name: "inter frame", frame: append([]byte{1}, vp8Keyframe(640, 360, 0)[1:]...),
			err: true},
		{name: "bad start code", frame: func() []byte {
			p := vp8Keyframe(640, 360, 4)
			p[4] = 0x02
			return p
		}(), err: true},
		{name: "version 5", frame: func() []byte {
			p := vp8Keyframe(640, 360, 4)
			p[0] |= 5 << 1
			return p
		}(), err: true},
		{name: "zero width", frame: vp8Keyframe(0, 360, 4), err: true},
		{name: "partition overruns frame", frame: vp8Keyframe(640, 360, 40)[:30], err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, err := vp8KeyframeSize(tt.frame)
			if tt.err {
				if !errors.Is(err, ErrVP8Header) {
					t.Fatalf("got %dx%d, %v; want ErrVP8Header", w, h, err)
				}
				return
			}
			if err != nil || w != tt.width || h != tt.height {
				t.Fatalf("got %dx%d, %v; want %dx%d", w, h, err, tt.width, tt.height)
			}
		})
	}
}

func TestH264Units(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want [][]byte
		err  bool
	}{
		{name: "4-byte start codes", in: []byte{0, 0, 0, 1, 0x67, 0xaa, 0, 0, 0, 1, 0x68, 0xbb},
			want: [][]byte{{0x67, 0xaa}, {0x68, 0xbb}}},
		{name: "3-byte start codes", in: []byte{0, 0, 1, 0x65, 0x11, 0x22, 0, 0, 1, 0x41, 0x33},
			want: [][]byte{{0x65, 0x11, 0x22}, {0x41, 0x33}}},
		{name: "extra leading zeros", in: []byte{0, 0, 0, 0, 1, 0x09, 0xf0},
			want: [][]byte{{0x09, 0xf0}}},
		{name: "trailing zeros", in: []byte{0, 0, 1, 0x65, 0x11, 0, 0},
			want: [][]byte{{0x65, 0x11}}},
		{name: "empty unit skipped", in: []byte{0, 0, 1, 0, 0, 1, 0x65},
			want: [][]byte{{0x65}}},
		{name: "length-prefixed", in: []byte{0, 0, 0, 2, 0x65, 0x11}, err: true},
		{name: "no start code", in: []byte{0x65, 0x11, 0x22}, err: true},
		{name: "bytes before start code", in: []byte{0x12, 0, 0, 1, 0x65}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h264Units(tt.in)
			if tt.err {
				if !errors.Is(err, ErrH264Stream) {
					t.Fatalf("got %x, %v; want ErrH264Stream", got, err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("got %x, %v; want %x", got, err, tt.want)
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("unit %d: got % x, want % x", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// The parameter sets below were made with ffmpeg's libx264 for this test.
func TestH264SPSSize(t *testing.T) {
	tests := []struct {
		name          string
		sps           string
		width, height int
		err           bool
	}{
		{name: "baseline 640x360, cropped",
			sps:   "6742c01ed900a02ff970110000030001000003003c0f162e48",
			width: 640, height: 360},
		{name: "high 1280x720", sps: "6764001facd9405005bb0110000003001000000303c0f1831960",
			width: 1280, height: 720},
		{name: "high 4:4:4 322x242",
			sps:   "67f4000d919b282a10f1f1f80880000003008000001e078a14cb",
			width: 322, height: 242},
		{name: "high 4:2:2 176x144", sps: "677a000bbcd942c4ec0440000003004000000f03c50a6580",
			width: 176, height: 144},
		{name: "interlaced 720x576", sps: "6764001eacd940b424d8088000000300800000190f8a14cb",
			width: 720, height: 576},
		{name: "main 200x120", sps: "674d400bd903447965c044000003000400000300c83c50a920",
			width: 200, height: 120},
		{name: "truncated", sps: "6742c01ed900", err: true},
		{name: "Exp-Golomb code too long", sps: "6742c01e00000000000000", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sps, err := hex.DecodeString(tt.sps)
			if err != nil {
				t.Fatal(err)
			}
			w, h, err := h264SPSSize(sps)
			if tt.err {
				if !errors.Is(err, ErrH264Stream) {
					t.Fatalf("got %dx%d, %v; want ErrH264Stream", w, h, err)
				}
				return
			}
			if err != nil || w != tt.width || h != tt.height {
				t.Fatalf("got %dx%d, %v; want %dx%d", w, h, err, tt.width, tt.height)
			}
		})
	}
}

func TestH264Keyframe(t *testing.T) {
	sps, _ := hex.DecodeString("6742c01ed900a02ff970110000030001000003003c0f162e48")
	pps := []byte{0x68, 0xce, 0x0f, 0xc8}
	idr := []byte{0x65, 0x88, 0x84}
	slice := []byte{0x41, 0x9a, 0x02}
	tests := []struct {
		name   string
		au     []byte
		idr    bool
		params *videoParams
	}{
		{name: "IDR with parameter sets", au: annexB([][]byte{sps, pps, idr}), idr: true,
			params: &videoParams{width: 640, height: 360, extradata: annexB([][]byte{sps, pps})}},
		{name: "IDR alone", au: annexB([][]byte{idr}), idr: true},
		{name: "non-IDR slice", au: annexB([][]byte{slice})},
		{name: "parameter sets without IDR", au: annexB([][]byte{sps, pps, slice})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idr, params, err := h264Keyframe(tt.au)
			if err != nil || idr != tt.idr {
				t.Fatalf("got IDR %v, %v; want %v", idr, err, tt.idr)
			}
			switch {
			case (params == nil) != (tt.params == nil):
				t.Fatalf("got params %+v, want %+v", params, tt.params)
			case params != nil && !params.equal(tt.params):
				t.Fatalf("got params %+v, want %+v", params, tt.params)
			}
		})
	}
}

package capture

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/asticode/go-astiav"
)

// This file holds the Segmenter's use of libavformat and of the spool
// directory.

// muxResources are the libav objects a Segmenter keeps from the first
// segment to Close: one packet and one seekable in-memory output.
type muxResources struct {
	pkt *astiav.Packet
	out *astiav.IOContext
	buf *memFile
}

// muxBufferSize is the IOContext's write buffer.
const muxBufferSize = 64 << 10

func (r *muxResources) init() error {
	r.buf = &memFile{}
	r.pkt = astiav.AllocPacket()
	if r.pkt == nil {
		return errors.New("allocate packet: out of memory")
	}
	return r.newOutput()
}

// newOutput makes the IOContext. The Matroska muxer seeks back to fill in
// sizes, duration and cues, so it writes into memory rather than a pipe.
//
// TODO(astiav): go-astiav v0.16.0 never removes an IOContext's callbacks from
// its handler table, so each IOContext leaves a small entry behind; one per
// Segmenter (not per segment) keeps that bounded. Newer go-astiav needs FFmpeg 7.
func (r *muxResources) newOutput() error {
	out, err := astiav.AllocIOContext(muxBufferSize, true, nil, r.buf.seek, r.buf.write)
	if err != nil {
		return fmt.Errorf("allocate io context: %w", err)
	}
	r.out = out
	return nil
}

// free releases everything; the Segmenter is unusable afterwards.
func (r *muxResources) free() {
	if r.pkt != nil {
		r.pkt.Free()
		r.pkt = nil
	}
	if r.out != nil {
		r.out.Free()
		r.out = nil
	}
	r.buf.b = nil
}

// A segmentMux is one segment file being muxed.
type segmentMux struct {
	fc     *astiav.FormatContext
	audio  *astiav.Stream // nil without audio
	video  *astiav.Stream // nil in an audio-only segment
	params *videoParams   // of video, when present
	start  time.Duration  // PTS of the first frame
	end    time.Duration  // latest end of a frame written

	videoSeen  bool          // a video frame has been written
	videoStart time.Duration // PTS of the first video frame
	keyStart   bool          // the first video frame was a keyframe

	// lastTS is the last timestamp written, in milliseconds, of audio [0]
	// and video [1]; -1 before the first.
	lastTS [2]int64
}

// open starts a segment with an Opus stream when audio is set and a video
// stream when params is not nil, and writes the file header.
func (r *muxResources) open(format string, audio bool, videoCodec string,
	params *videoParams) (m *segmentMux, err error) {
	r.buf.reset()
	if _, err := r.out.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("rewind muxer output: %w", err)
	}

	fc, err := astiav.AllocOutputFormatContext(nil, format, "")
	if err != nil {
		return nil, fmt.Errorf("allocate %s muxer: %w", format, err)
	}
	m = &segmentMux{fc: fc, params: params, lastTS: [2]int64{-1, -1}}
	defer func() {
		if err != nil {
			fc.Free()
		}
	}()
	fc.SetPb(r.out)

	if audio {
		if m.audio, err = addOpusStream(fc); err != nil {
			return nil, err
		}
	}
	if params != nil {
		if m.video, err = addVideoStream(fc, videoCodec, params); err != nil {
			return nil, err
		}
	}
	if err := fc.WriteHeader(nil); err != nil {
		return nil, fmt.Errorf("write %s header: %w", format, err)
	}
	return m, nil
}

// addOpusStream describes WebRTC's Opus: 48 kHz, two channels as negotiated
// in SDP (RFC 7587 §7), OpusHead as CodecPrivate. RTP carries no pre-skip,
// so it is 0 and the encoder's few milliseconds of look-ahead stay audible.
func addOpusStream(fc *astiav.FormatContext) (*astiav.Stream, error) {
	st := fc.NewStream(nil)
	if st == nil {
		return nil, errors.New("add audio stream: out of memory")
	}
	cp := st.CodecParameters()
	cp.SetMediaType(astiav.MediaTypeAudio)
	cp.SetCodecID(astiav.CodecIDOpus)
	cp.SetSampleRate(opusSampleRate)
	cp.SetChannelLayout(astiav.ChannelLayoutStereo)
	if err := cp.SetExtraData(opusHead(2, 0)); err != nil {
		return nil, fmt.Errorf("set OpusHead: %w", err)
	}
	st.SetTimeBase(msTimeBase)
	return st, nil
}

// addVideoStream describes VP8 or H.264 video. H.264 extradata is Annex-B
// SPS and PPS, which the Matroska muxer turns into an avcC record.
func addVideoStream(fc *astiav.FormatContext, codec string,
	params *videoParams) (*astiav.Stream, error) {
	st := fc.NewStream(nil)
	if st == nil {
		return nil, errors.New("add video stream: out of memory")
	}
	cp := st.CodecParameters()
	cp.SetMediaType(astiav.MediaTypeVideo)
	cp.SetCodecID(astiav.CodecIDVp8)
	if codec == "h264" {
		cp.SetCodecID(astiav.CodecIDH264)
	}
	cp.SetWidth(params.width)
	cp.SetHeight(params.height)
	if err := cp.SetExtraData(params.extradata); err != nil {
		return nil, fmt.Errorf("set video extradata: %w", err)
	}
	st.SetTimeBase(msTimeBase)
	return st, nil
}

// write muxes one frame; end is when it stops playing.
func (m *segmentMux) write(pkt *astiav.Packet, q queuedFrame, end time.Duration) error {
	st, kind := m.audio, "audio"
	if q.video {
		st, kind = m.video, "video"
	}

	// FromData copies into av_malloc'ed memory sized to what it is given, so
	// the zeroed padding libav expects after the data goes in with it.
	if err := pkt.FromData(q.data[:len(q.data)+packetPadding]); err != nil {
		return fmt.Errorf("fill %s packet: %w", kind, err)
	}
	pkt.SetSize(len(q.data))
	ts := m.nextTS(q)
	pkt.SetPts(ts)
	pkt.SetDts(ts) // no B-frames: WebRTC video is decoded in arrival order
	pkt.SetDuration(millis(q.dur))
	pkt.SetStreamIndex(st.Index())
	flags := astiav.NewPacketFlags()
	if q.key || !q.video {
		flags = astiav.NewPacketFlags(astiav.PacketFlagKey)
	}
	pkt.SetFlags(flags)
	pkt.RescaleTs(msTimeBase, st.TimeBase())

	if err := m.fc.WriteInterleavedFrame(pkt); err != nil {
		pkt.Unref()
		return fmt.Errorf("mux %s frame at %v: %w", kind, q.pts, err)
	}
	m.end = max(m.end, end)
	if q.video && !m.videoSeen {
		m.videoSeen, m.videoStart, m.keyStart = true, q.pts, q.key
	}
	return nil
}

// nextTS is q's timestamp in milliseconds, moved to a millisecond after
// the previous one of its kind when it would not come after it: the muxer
// needs timestamps that increase, and two frames of one stream may lie
// within one millisecond (a publisher's clock mapping being corrected).
func (m *segmentMux) nextTS(q queuedFrame) int64 {
	i := 0
	if q.video {
		i = 1
	}
	ts := max(millis(q.pts), m.lastTS[i]+1)
	m.lastTS[i] = ts
	return ts
}

// close writes the trailer, frees the muxer and returns the file's bytes,
// which stay valid until the next open.
func (r *muxResources) close(m *segmentMux) ([]byte, error) {
	err := m.fc.WriteTrailer()
	m.fc.Free()
	if err != nil {
		// The IOContext may hold an error state; start the next one afresh.
		r.out.Free()
		return nil, errors.Join(fmt.Errorf("write trailer: %w", err), r.newOutput())
	}
	return r.buf.b, nil
}

// AVSEEK_SIZE and AVSEEK_FORCE from libavformat/avio.h.
const (
	avseekSize  = 0x10000
	avseekForce = 0x20000
)

// memFile is a growable, seekable byte buffer for libavformat to write into.
type memFile struct {
	b   []byte
	off int
}

func (f *memFile) reset() { f.b, f.off = f.b[:0], 0 }

func (f *memFile) write(p []byte) (int, error) {
	end := f.off + len(p)
	if end > len(f.b) {
		if end > cap(f.b) {
			f.b = append(f.b[:cap(f.b)], make([]byte, end-cap(f.b))...)
		}
		f.b = f.b[:end]
	}
	copy(f.b[f.off:], p)
	f.off = end
	return len(p), nil
}

func (f *memFile) seek(offset int64, whence int) (int64, error) {
	switch whence &^ avseekForce {
	case avseekSize:
		return int64(len(f.b)), nil
	case io.SeekStart:
	case io.SeekCurrent:
		offset += int64(f.off)
	case io.SeekEnd:
		offset += int64(len(f.b))
	default:
		return 0, fmt.Errorf("seek: whence %d not supported", whence)
	}
	if offset < 0 || offset > int64(len(f.b)) {
		return 0, fmt.Errorf("seek: offset %d outside 0..%d", offset, len(f.b))
	}
	f.off = int(offset)
	return offset, nil
}

// mkdirSpool creates the spool directory.
func mkdirSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create spool directory: %w", err)
	}
	return nil
}

// storeFile writes data durably to dir/name: into name.tmp first, hashing
// as it goes, then fsync, rename and fsync of the directory, so the name
// only ever shows a complete file. It never replaces an existing file.
func storeFile(dir, name string, data []byte) (path string, size int64, sum [32]byte,
	err error) {
	path = filepath.Join(dir, name)
	if _, err := os.Lstat(path); err == nil {
		return "", 0, sum, fmt.Errorf("%w: %s", ErrSegmentExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", 0, sum, fmt.Errorf("check segment file: %w", err)
	}

	tmp := path + ".tmp"
	size, sum, err = writeSynced(tmp, data)
	if err != nil {
		return "", 0, sum, errors.Join(err, removeIfExists(tmp))
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", 0, sum, fmt.Errorf("rename segment file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", 0, sum, err
	}
	return path, size, sum, nil
}

// writeSynced creates path with data, fsyncs it and returns size and SHA-256.
func writeSynced(path string, data []byte) (size int64, sum [32]byte, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return 0, sum, fmt.Errorf("create segment file: %w", err)
	}
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(f, h), bytes.NewReader(data))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, sum, fmt.Errorf("write segment file: %w", err)
	}
	h.Sum(sum[:0])
	return size, sum, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open spool directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync spool directory: %w", err)
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove partial segment file: %w", err)
	}
	return nil
}

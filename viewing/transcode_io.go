package viewing

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/asticode/go-astiav"
)

// This file holds the two ends of a transcode: the decoders of the master
// segments and the MP4 muxer.

// decoder decodes one kind of stream, possibly across several segments.
type decoder struct {
	kind      astiav.MediaType
	id        astiav.CodecID
	extradata []byte
	tb        astiav.Rational // of the packets it is given
	cc        *astiav.CodecContext
}

func openDecoder(st *astiav.Stream) (*decoder, error) {
	cp := st.CodecParameters()
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return nil, fmt.Errorf("%w: no decoder for %s", ErrBadSource, cp.CodecID())
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return nil, errors.New("allocate decoder: out of memory")
	}
	d := &decoder{kind: cp.MediaType(), id: cp.CodecID(),
		extradata: bytes.Clone(cp.ExtraData()), tb: st.TimeBase(), cc: cc}
	if err := cp.ToCodecContext(cc); err != nil {
		d.free()
		return nil, fmt.Errorf("%w: set up %s decoder: %w", ErrTranscode, cp.CodecID(), err)
	}
	cc.SetThreadCount(0) // as many as libavcodec likes
	if err := cc.Open(codec, nil); err != nil {
		d.free()
		return nil, fmt.Errorf("%w: open %s decoder: %w", ErrBadSource, cp.CodecID(), err)
	}
	return d, nil
}

// accepts reports whether the decoder can go on with a stream of another
// segment: same codec, same setup.
func (d *decoder) accepts(cp *astiav.CodecParameters) bool {
	return cp.CodecID() == d.id && bytes.Equal(cp.ExtraData(), d.extradata)
}

func (d *decoder) free() {
	if d.cc != nil {
		d.cc.Free()
		d.cc = nil
	}
}

// output is the MP4 being written.
type output struct {
	path string
	fc   *astiav.FormatContext
	io   *astiav.IOContext
}

func openOutput(path string) (*output, error) {
	fc, err := astiav.AllocOutputFormatContext(nil, "mp4", path)
	if err != nil {
		return nil, fmt.Errorf("%w: allocate MP4 muxer: %w", ErrTranscode, err)
	}
	return &output{path: path, fc: fc}, nil
}

// globalHeader reports whether encoders must put their setup in the
// stream header rather than in the bitstream (MP4 wants avcC and the AAC
// AudioSpecificConfig there).
func (o *output) globalHeader() bool {
	return o.fc.OutputFormat().Flags().Has(astiav.IOFormatFlagGlobalheader)
}

// addStream adds a stream described by an opened encoder.
func (o *output) addStream(enc *astiav.CodecContext) (*astiav.Stream, error) {
	st := o.fc.NewStream(nil)
	if st == nil {
		return nil, errors.New("add stream: out of memory")
	}
	if err := st.CodecParameters().FromCodecContext(enc); err != nil {
		return nil, fmt.Errorf("%w: describe stream: %w", ErrTranscode, err)
	}
	st.SetTimeBase(enc.TimeBase())
	return st, nil
}

// start opens the file and writes the header. movflags +faststart makes the
// muxer move the index (moov) in front of the media (mdat) when it
// finishes, which it does by reading the file back: so the output must be
// a real file, not a pipe.
func (o *output) start() error {
	ioc, err := astiav.OpenIOContext(o.path, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		return fmt.Errorf("%w: create %s: %w", ErrTranscode, o.path, err)
	}
	o.io = ioc
	o.fc.SetPb(ioc)
	opts := astiav.NewDictionary()
	defer opts.Free()
	if err := opts.Set("movflags", "+faststart", 0); err != nil {
		return fmt.Errorf("%w: set movflags: %w", ErrTranscode, err)
	}
	if err := o.fc.WriteHeader(opts); err != nil {
		return fmt.Errorf("%w: write MP4 header: %w", ErrTranscode, err)
	}
	return nil
}

// write muxes an encoded packet whose timestamps are in tb.
func (o *output) write(pkt *astiav.Packet, tb astiav.Rational, st *astiav.Stream) error {
	pkt.SetStreamIndex(st.Index())
	pkt.RescaleTs(tb, st.TimeBase())
	if err := o.fc.WriteInterleavedFrame(pkt); err != nil {
		return fmt.Errorf("%w: mux packet: %w", ErrTranscode, err)
	}
	return nil
}

// finish writes the index (moving it to the front) and closes the file.
func (o *output) finish() error {
	if err := o.fc.WriteTrailer(); err != nil {
		return fmt.Errorf("%w: write MP4 index: %w", ErrTranscode, err)
	}
	ioc := o.io
	o.io = nil
	if err := ioc.Close(); err != nil {
		return fmt.Errorf("%w: close %s: %w", ErrTranscode, o.path, err)
	}
	return nil
}

func (o *output) free() {
	if o.io != nil {
		_ = o.io.Close()
		o.io = nil
	}
	if o.fc != nil {
		o.fc.Free()
		o.fc = nil
	}
}

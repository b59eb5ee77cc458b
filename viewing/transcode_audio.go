package viewing

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asticode/go-astiav"
)

// audioPipe resamples decoded sound to 48 kHz stereo on the recording's
// timeline and encodes it with FFmpeg's native AAC encoder.
//
// The filters do what a hand-made resampler and FIFO would: aresample
// (libswresample) with async=1 and first_pts=0 inserts silence from time
// zero to the first sound and into every gap longer than 0.1 s, and trims
// overlaps, so the sound keeps the timestamps it was recorded with; apad
// pads silence up to the recording's end; asetnsamples cuts the stream into
// the 1024-sample frames AAC codes (ISO/IEC 14496-3 §4.5.1), which Opus's
// 20 ms frames (960 samples) do not match.
type audioPipe struct {
	out *output
	end time.Duration
	enc *astiav.CodecContext
	st  *astiav.Stream
	pkt *astiav.Packet

	graph     *filterGraph // made at the first frame, which tells its format
	srcFmt    astiav.SampleFormat
	srcRate   int
	srcLayout astiav.ChannelLayout
	filtered  *astiav.Frame
	frames    int
}

func newAudioPipe(out *output, end time.Duration) (_ *audioPipe, err error) {
	a := &audioPipe{out: out, end: end, pkt: astiav.AllocPacket(), filtered: astiav.AllocFrame()}
	defer func() {
		if err != nil {
			a.free()
		}
	}()
	if a.pkt == nil || a.filtered == nil {
		return nil, errors.New("allocate audio frames: out of memory")
	}
	if a.enc, err = openAudioEncoder(out.globalHeader()); err != nil {
		return nil, err
	}
	if a.st, err = out.addStream(a.enc); err != nil {
		return nil, err
	}
	return a, nil
}

func openAudioEncoder(globalHeader bool) (*astiav.CodecContext, error) {
	codec := astiav.FindEncoderByName(audioEncoder)
	if codec == nil {
		return nil, fmt.Errorf("%w: FFmpeg has no %s encoder", ErrTranscode, audioEncoder)
	}
	enc := astiav.AllocCodecContext(codec)
	if enc == nil {
		return nil, errors.New("allocate audio encoder: out of memory")
	}
	enc.SetSampleFormat(astiav.SampleFormatFltp)
	enc.SetSampleRate(audioRate)
	enc.SetChannelLayout(astiav.ChannelLayoutStereo)
	enc.SetChannels(astiav.ChannelLayoutStereo.NbChannels())
	enc.SetBitRate(audioBitRate)
	enc.SetTimeBase(astiav.NewRational(1, audioRate))
	if globalHeader {
		enc.SetFlags(enc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	if err := enc.Open(codec, nil); err != nil {
		enc.Free()
		return nil, fmt.Errorf("%w: open %s encoder: %w", ErrTranscode, audioEncoder, err)
	}
	return enc, nil
}

// push takes decoded sound whose PTS is in tb.
func (a *audioPipe) push(f *astiav.Frame, tb astiav.Rational) error {
	if f.Pts() == astiav.NoPtsValue {
		return nil
	}
	if a.graph == nil {
		if err := a.build(f.SampleFormat(), f.SampleRate(), f.ChannelLayout()); err != nil {
			return err
		}
	} else if f.SampleFormat() != a.srcFmt || f.SampleRate() != a.srcRate ||
		!f.ChannelLayout().Equal(a.srcLayout) {
		// TODO(audio-format): Liuhen records Opus at 48 kHz stereo only, so the
		// decoded format never changes; another source would need the graph
		// rebuilt with aresample's timeline carried over.
		return fmt.Errorf("%w: sound changes from %s %d Hz %s to %s %d Hz %s within the "+
			"recording", ErrBadSource, a.srcFmt, a.srcRate, a.srcLayout, f.SampleFormat(),
			f.SampleRate(), f.ChannelLayout())
	}
	f.SetPts(astiav.RescaleQ(f.Pts(), tb, astiav.NewRational(1, a.srcRate)))
	if err := a.graph.push(f); err != nil {
		return err
	}
	return a.graph.pull(a.filtered, a.encode)
}

func (a *audioPipe) build(format astiav.SampleFormat, rate int, layout astiav.ChannelLayout) error {
	args := astiav.FilterArgs{
		"sample_fmt":     format.Name(),
		"sample_rate":    strconv.Itoa(rate),
		"channel_layout": layout.String(),
		"time_base":      astiav.NewRational(1, rate).String(),
	}
	chain := fmt.Sprintf("aresample=%[1]d:async=1:first_pts=0,"+
		"aformat=sample_fmts=%[2]s:sample_rates=%[1]d:channel_layouts=stereo,"+
		"apad=whole_dur=%[3]dus,asetnsamples=n=%[4]d:p=0",
		audioRate, a.enc.SampleFormat().Name(), a.end.Microseconds(), a.enc.FrameSize())
	g, err := newFilterGraph(true, args, chain)
	if err != nil {
		return err
	}
	a.graph, a.srcFmt, a.srcRate, a.srcLayout = g, format, rate, layout
	return nil
}

// encode encodes one 1024-sample frame (the last may be shorter).
func (a *audioPipe) encode(f *astiav.Frame) error {
	f.SetPts(astiav.RescaleQ(f.Pts(), a.graph.sinkTimeBase(), a.enc.TimeBase()))
	a.frames++
	return sendFrame(a.enc, f, a.pkt, a.write)
}

func (a *audioPipe) write(pkt *astiav.Packet) error {
	return a.out.write(pkt, a.enc.TimeBase(), a.st)
}

// finish pads the sound to the end and drains the filters and the
// encoder. A recording whose audio stream never delivered a frame gets
// silence throughout.
func (a *audioPipe) finish() error {
	if a.graph == nil {
		if err := a.build(astiav.SampleFormatFltp, audioRate, astiav.ChannelLayoutStereo); err != nil {
			return err
		}
	}
	if err := a.graph.push(nil); err != nil {
		return err
	}
	if err := a.graph.pull(a.filtered, a.encode); err != nil {
		return err
	}
	return sendFrame(a.enc, nil, a.pkt, a.write)
}

func (a *audioPipe) free() {
	if a.graph != nil {
		a.graph.free()
	}
	if a.enc != nil {
		a.enc.Free()
	}
	if a.filtered != nil {
		a.filtered.Free()
	}
	if a.pkt != nil {
		a.pkt.Free()
	}
}

package viewing

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asticode/go-astiav"
)

// videoPipe scales decoded pictures to the copy's size and encodes them
// with libx264 at their own timestamps (variable frame rate). It holds one
// picture back: a picture lasts until the next one starts, which it learns
// only when the next one comes.
type videoPipe struct {
	out           *output
	width, height int
	enc           *astiav.CodecContext
	st            *astiav.Stream
	pkt           *astiav.Packet

	graph     *filterGraph // rebuilt when the decoded picture's format changes
	srcW      int
	srcH      int
	srcFmt    astiav.PixelFormat
	filtered  *astiav.Frame
	held      *astiav.Frame
	hasHeld   bool
	started   bool
	durations map[int64]int64 // of pictures given to the encoder, by PTS in ms

	frames, dropped int
	end             time.Duration // end of the last picture encoded
}

func newVideoPipe(out *output, plan inputPlan, threads int) (_ *videoPipe, err error) {
	v := &videoPipe{out: out, width: plan.width, height: plan.height,
		pkt: astiav.AllocPacket(), filtered: astiav.AllocFrame(), held: astiav.AllocFrame(),
		durations: map[int64]int64{}}
	defer func() {
		if err != nil {
			v.free()
		}
	}()
	if v.pkt == nil || v.filtered == nil || v.held == nil {
		return nil, errors.New("allocate video frames: out of memory")
	}
	v.enc, err = openVideoEncoder(plan.width, plan.height, threads, out.globalHeader())
	if err != nil {
		return nil, err
	}
	if v.st, err = out.addStream(v.enc); err != nil {
		return nil, err
	}
	return v, nil
}

func openVideoEncoder(width, height, threads int, globalHeader bool) (*astiav.CodecContext,
	error) {
	codec := astiav.FindEncoderByName(videoEncoder)
	if codec == nil {
		return nil, fmt.Errorf("%w: FFmpeg has no %s encoder: install Debian's libavcodec59 "+
			"(apt-get install libavcodec-dev)", ErrTranscode, videoEncoder)
	}
	enc := astiav.AllocCodecContext(codec)
	if enc == nil {
		return nil, errors.New("allocate video encoder: out of memory")
	}
	enc.SetWidth(width)
	enc.SetHeight(height)
	enc.SetPixelFormat(astiav.PixelFormatYuv420P)
	enc.SetSampleAspectRatio(astiav.NewRational(1, 1))
	enc.SetTimeBase(msTimeBase)
	enc.SetFramerate(astiav.NewRational(videoRateHint, 1))
	enc.SetGopSize(videoGOP)
	enc.SetThreadCount(threads)
	if globalHeader {
		enc.SetFlags(enc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	opts := astiav.NewDictionary()
	defer opts.Free()
	// log=1 keeps libx264's own messages to warnings and errors.
	for k, val := range map[string]string{"preset": videoPreset, "crf": videoCRF,
		"x264-params": "log=1"} {
		if err := opts.Set(k, val, 0); err != nil {
			enc.Free()
			return nil, fmt.Errorf("%w: set %s: %w", ErrTranscode, k, err)
		}
	}
	if err := enc.Open(codec, opts); err != nil {
		enc.Free()
		return nil, fmt.Errorf("%w: open %s: %w", ErrTranscode, videoEncoder, err)
	}
	return enc, nil
}

// push takes a decoded picture whose PTS is in tb.
func (v *videoPipe) push(f *astiav.Frame, tb astiav.Rational) error {
	if f.Pts() == astiav.NoPtsValue {
		v.dropped++
		return nil
	}
	f.SetPts(astiav.RescaleQ(f.Pts(), tb, msTimeBase))
	if v.graph == nil || f.Width() != v.srcW || f.Height() != v.srcH ||
		f.PixelFormat() != v.srcFmt {
		if err := v.rebuild(f); err != nil {
			return err
		}
	}
	if err := v.graph.push(f); err != nil {
		return err
	}
	return v.graph.pull(v.filtered, v.take)
}

// rebuild makes the scaling graph for pictures like f, draining the old
// one first.
func (v *videoPipe) rebuild(f *astiav.Frame) error {
	if v.graph != nil {
		if err := v.flushGraph(); err != nil {
			return err
		}
	}
	sar := f.SampleAspectRatio()
	if sar.Num() <= 0 || sar.Den() <= 0 {
		sar = astiav.NewRational(1, 1)
	}
	args := astiav.FilterArgs{
		"pix_fmt":      strconv.Itoa(int(f.PixelFormat())),
		"video_size":   fmt.Sprintf("%dx%d", f.Width(), f.Height()),
		"time_base":    msTimeBase.String(),
		"pixel_aspect": sar.String(),
	}
	g, err := newFilterGraph(false, args, v.chain(f.Width(), f.Height()))
	if err != nil {
		return err
	}
	v.graph, v.srcW, v.srcH, v.srcFmt = g, f.Width(), f.Height(), f.PixelFormat()
	return nil
}

// chain converts pictures of w×h to the copy's format. A picture of
// another size is fitted inside the copy's, keeping its shape, and padded
// with black; a picture of the copy's size skips scale and pad.
func (v *videoPipe) chain(w, h int) string {
	if w == v.width && h == v.height {
		return "setsar=1,format=pix_fmts=yuv420p"
	}
	return fmt.Sprintf("scale=w=%[1]d:h=%[2]d:force_original_aspect_ratio=decrease:"+
		"force_divisible_by=2,pad=w=%[1]d:h=%[2]d:x=(ow-iw)/2:y=(oh-ih)/2,setsar=1,"+
		"format=pix_fmts=yuv420p", v.width, v.height)
}

func (v *videoPipe) flushGraph() error {
	if err := v.graph.push(nil); err != nil {
		return err
	}
	err := v.graph.pull(v.filtered, v.take)
	v.graph.free()
	v.graph = nil
	return err
}

// take holds a scaled picture and encodes the one held before it, which
// lasts until this one starts.
func (v *videoPipe) take(f *astiav.Frame) error {
	if !v.started {
		v.started = true
		if f.Pts() > 0 {
			if err := v.holdBlack(); err != nil {
				return err
			}
		}
	}
	if v.hasHeld {
		if f.Pts() <= v.held.Pts() {
			v.dropped++
			return nil
		}
		if err := v.encode(f.Pts() - v.held.Pts()); err != nil {
			return err
		}
	}
	v.held.MoveRef(f)
	v.hasHeld = true
	return nil
}

// holdBlack holds a black picture at time zero, shown until the first
// picture of the recording.
func (v *videoPipe) holdBlack() error {
	v.held.SetWidth(v.width)
	v.held.SetHeight(v.height)
	v.held.SetPixelFormat(astiav.PixelFormatYuv420P)
	v.held.SetSampleAspectRatio(astiav.NewRational(1, 1))
	if err := v.held.AllocBuffer(0); err != nil {
		return fmt.Errorf("%w: allocate black picture: %w", ErrTranscode, err)
	}
	if err := v.held.ImageFillBlack(); err != nil {
		return fmt.Errorf("%w: paint black picture: %w", ErrTranscode, err)
	}
	v.held.SetPts(0)
	v.hasHeld = true
	return nil
}

// encode sends the held picture, lasting dur ms, to the encoder.
func (v *videoPipe) encode(dur int64) error {
	pts := v.held.Pts()
	v.durations[pts] = dur
	v.held.SetPictureType(astiav.PictureTypeNone)
	err := sendFrame(v.enc, v.held, v.pkt, v.write)
	v.held.Unref()
	v.hasHeld = false
	v.frames++
	v.end = max(v.end, time.Duration(pts+dur)*time.Millisecond)
	return err
}

// write muxes a packet with the duration its picture was given; libx264
// leaves packet durations unset.
func (v *videoPipe) write(pkt *astiav.Packet) error {
	if d, ok := v.durations[pkt.Pts()]; ok {
		pkt.SetDuration(d)
		delete(v.durations, pkt.Pts())
	}
	return v.out.write(pkt, v.enc.TimeBase(), v.st)
}

// finish drains the graph, lets the last picture last until end and drains
// the encoder. A recording without a single decodable picture gets black.
func (v *videoPipe) finish(end time.Duration) error {
	if v.graph != nil {
		if err := v.flushGraph(); err != nil {
			return err
		}
	}
	if !v.started {
		v.started = true
		if err := v.holdBlack(); err != nil {
			return err
		}
	}
	if v.hasHeld {
		if err := v.encode(max(end.Milliseconds()-v.held.Pts(), 1)); err != nil {
			return err
		}
	}
	return sendFrame(v.enc, nil, v.pkt, v.write)
}

func (v *videoPipe) free() {
	if v.graph != nil {
		v.graph.free()
	}
	if v.enc != nil {
		v.enc.Free()
	}
	for _, f := range []*astiav.Frame{v.filtered, v.held} {
		if f != nil {
			f.Free()
		}
	}
	if v.pkt != nil {
		v.pkt.Free()
	}
}

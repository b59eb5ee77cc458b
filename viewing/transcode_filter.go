package viewing

import (
	"errors"
	"fmt"

	"github.com/asticode/go-astiav"
)

// filterGraph is a libavfilter chain from a buffer source to a buffer sink.
//
// go-astiav v0.16.0 (the last release for FFmpeg 5.1) wraps neither
// libswresample's SwrContext nor AVAudioFifo, so resampling, gap filling
// and AAC framing go through libavfilter's aresample (which is
// libswresample) and asetnsamples, and scaling through its scale filter
// (libswscale).
type filterGraph struct {
	graph *astiav.FilterGraph
	src   *astiav.FilterContext
	sink  *astiav.FilterContext
}

// newFilterGraph builds source → chain → sink. audio selects abuffer and
// abuffersink over buffer and buffersink; srcArgs describe the frames the
// source will be given.
func newFilterGraph(audio bool, srcArgs astiav.FilterArgs, chain string) (_ *filterGraph,
	err error) {
	srcName, sinkName := "buffer", "buffersink"
	if audio {
		srcName, sinkName = "abuffer", "abuffersink"
	}
	g := &filterGraph{graph: astiav.AllocFilterGraph()}
	if g.graph == nil {
		return nil, errors.New("allocate filter graph: out of memory")
	}
	defer func() {
		if err != nil {
			g.free()
		}
	}()
	if g.src, err = g.graph.NewFilterContext(astiav.FindFilterByName(srcName), "in",
		srcArgs); err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", ErrTranscode, srcName, err)
	}
	if g.sink, err = g.graph.NewFilterContext(astiav.FindFilterByName(sinkName), "out",
		nil); err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", ErrTranscode, sinkName, err)
	}
	if err := g.link(chain); err != nil {
		return nil, err
	}
	return g, nil
}

// link parses chain between the source (named "in") and the sink ("out")
// and configures the graph.
func (g *filterGraph) link(chain string) error {
	outputs, inputs := astiav.AllocFilterInOut(), astiav.AllocFilterInOut()
	defer outputs.Free()
	defer inputs.Free()
	outputs.SetName("in")
	outputs.SetFilterContext(g.src)
	outputs.SetPadIdx(0)
	outputs.SetNext(nil)
	inputs.SetName("out")
	inputs.SetFilterContext(g.sink)
	inputs.SetPadIdx(0)
	inputs.SetNext(nil)
	if err := g.graph.Parse(chain, inputs, outputs); err != nil {
		return fmt.Errorf("%w: parse filters %q: %w", ErrTranscode, chain, err)
	}
	if err := g.graph.Configure(); err != nil {
		return fmt.Errorf("%w: configure filters %q: %w", ErrTranscode, chain, err)
	}
	return nil
}

// push gives the graph a frame, or nil at the end of the stream.
func (g *filterGraph) push(f *astiav.Frame) error {
	if err := g.src.BuffersrcAddFrame(f, astiav.NewBuffersrcFlags(
		astiav.BuffersrcFlagKeepRef)); err != nil {
		return fmt.Errorf("%w: filter frame: %w", ErrTranscode, err)
	}
	return nil
}

// pull takes every frame the graph has ready and hands each to take, which
// owns it until it returns.
func (g *filterGraph) pull(f *astiav.Frame, take func(*astiav.Frame) error) error {
	for {
		err := g.sink.BuffersinkGetFrame(f, astiav.NewBuffersinkFlags())
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: take filtered frame: %w", ErrTranscode, err)
		}
		err = take(f)
		f.Unref()
		if err != nil {
			return err
		}
	}
}

// sinkTimeBase is the time base of the frames pull returns.
func (g *filterGraph) sinkTimeBase() astiav.Rational {
	return g.sink.Inputs()[0].TimeBase()
}

func (g *filterGraph) free() {
	if g.graph != nil {
		g.graph.Free()
		g.graph = nil
	}
}

// sendFrame encodes f (nil drains the encoder) and hands every packet to
// write.
func sendFrame(enc *astiav.CodecContext, f *astiav.Frame, pkt *astiav.Packet,
	write func(*astiav.Packet) error) error {
	if err := enc.SendFrame(f); err != nil {
		return fmt.Errorf("%w: encode with %s: %w", ErrTranscode, enc.CodecID(), err)
	}
	for {
		err := enc.ReceivePacket(pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: encode with %s: %w", ErrTranscode, enc.CodecID(), err)
		}
		err = write(pkt)
		pkt.Unref()
		if err != nil {
			return err
		}
	}
}

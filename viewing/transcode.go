package viewing

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/asticode/go-astiav"
)

// Settings of every viewing copy (README.md, "Viewing copies").
const (
	videoEncoder = "libx264"
	videoPreset  = "veryfast"
	videoCRF     = "23"
	// videoGOP puts a keyframe at least every 5 s at 30 fps, so that a
	// browser seeks quickly.
	videoGOP = 150
	// videoRateHint is the frame rate libx264 assumes for its defaults;
	// every frame keeps its own timestamp and duration (variable rate).
	videoRateHint = 30
	audioEncoder  = "aac"
	audioRate     = 48000
	audioBitRate  = 128_000
	// checkEvery is how many packets go by between checks of the context.
	checkEvery = 64
)

var msTimeBase = astiav.NewRational(1, 1000)

// TranscodeOptions adjusts Transcode.
type TranscodeOptions struct {
	// End is where the recording ends on its timeline; the copy runs until
	// then, the last picture held and the sound padded with silence. Zero
	// takes the latest end the inputs declare.
	End time.Duration
	// Threads caps libx264's threads; 0 lets it choose.
	Threads int
}

// TranscodeResult describes a finished copy.
type TranscodeResult struct {
	Duration      time.Duration // of the copy, from the recording's time zero
	HasVideo      bool
	HasAudio      bool
	Width, Height int // of the video
	VideoFrames   int // pictures encoded, the held first one included
	AudioFrames   int // AAC frames encoded
	Dropped       int // pictures dropped for a timestamp not after the previous one
	BadPackets    int // packets the decoders refused; their stretch is held or silent
}

// Transcode decodes the master segments at inputs, in order, and writes one
// MP4 to output: H.264 (libx264, preset veryfast, CRF 23, yuv420p) and AAC
// (48 kHz stereo), with the index in front (faststart) so that a browser
// plays it while it downloads.
//
// The copy keeps the recording's timeline: it starts at the recording's
// time zero, so a position in the copy is the same position in the
// recording and in the agenda's index points. Segments join where their
// timestamps say. A stretch with no sound (before the first audio, in a gap
// between segments, after the last) is filled with silence, so that sound
// and picture stay in step in every player; a stretch with no picture shows
// black before the first picture and the last picture after it.
//
// TODO(ffmpeg-logs): libx264, the MP4 muxer and the AAC encoder each print
// a line at FFmpeg's info level to stderr per copy; astiav's log callback is
// process-wide, so routing FFmpeg's log into slog belongs in cmd/liuhen.
//
// Every input must hold the same kinds of streams Liuhen's segments hold
// (Opus; VP8 or H.264); the first picture's size, rounded down to even,
// is the copy's, and pictures of another size are scaled to fit inside it.
func Transcode(ctx context.Context, inputs []string, output string,
	opts TranscodeOptions) (TranscodeResult, error) {
	if len(inputs) == 0 {
		return TranscodeResult{}, fmt.Errorf("transcode: %w", ErrNoSource)
	}
	plan, err := probeInputs(inputs)
	if err != nil {
		return TranscodeResult{}, fmt.Errorf("transcode: %w", err)
	}
	plan.end = max(plan.end, opts.End)

	t, err := newTranscoder(plan, output, opts)
	if err != nil {
		return TranscodeResult{}, fmt.Errorf("transcode: %w", err)
	}
	defer t.free()
	for _, in := range inputs {
		if err := t.input(ctx, in); err != nil {
			return TranscodeResult{}, fmt.Errorf("transcode %s: %w", filepath.Base(in), err)
		}
	}
	if err := t.finish(); err != nil {
		return TranscodeResult{}, fmt.Errorf("transcode: %w", err)
	}
	return t.result(), nil
}

// inputPlan is what the inputs' headers say.
type inputPlan struct {
	audio, video  bool
	width, height int           // of the first video stream, rounded down to even
	end           time.Duration // latest end an input declares
}

func probeInputs(paths []string) (inputPlan, error) {
	var p inputPlan
	for _, path := range paths {
		if err := p.add(path); err != nil {
			return p, err
		}
	}
	if !p.audio && !p.video {
		return p, fmt.Errorf("%w: no input has an audio or video stream", ErrBadSource)
	}
	return p, nil
}

func (p *inputPlan) add(path string) error {
	fc, err := openInput(path)
	if err != nil {
		return err
	}
	defer closeInput(fc)
	for _, st := range fc.Streams() {
		cp := st.CodecParameters()
		switch cp.MediaType() {
		case astiav.MediaTypeAudio:
			p.audio = true
		case astiav.MediaTypeVideo:
			if !p.video && (cp.Width() < 2 || cp.Height() < 2) {
				return fmt.Errorf("%w: %s: video stream has no picture size",
					ErrBadSource, filepath.Base(path))
			}
			if !p.video {
				p.width, p.height = cp.Width()&^1, cp.Height()&^1
			}
			p.video = true
		}
	}
	// Liuhen's segments carry timestamps on the recording's timeline, so the
	// duration libavformat reads (the last end, counted from zero) is where
	// the segment ends on that timeline.
	if d := fc.Duration(); d > 0 {
		p.end = max(p.end, time.Duration(d)*time.Microsecond)
	}
	return nil
}

func openInput(path string) (*astiav.FormatContext, error) {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, errors.New("allocate demuxer: out of memory")
	}
	if err := fc.OpenInput(path, nil, nil); err != nil {
		fc.Free()
		return nil, fmt.Errorf("%w: open %s: %w", ErrBadSource, filepath.Base(path), err)
	}
	return fc, nil
}

func closeInput(fc *astiav.FormatContext) {
	fc.CloseInput()
	fc.Free()
}

// transcoder carries the decoders, the two pipelines and the muxer through
// all inputs.
type transcoder struct {
	plan    inputPlan
	out     *output
	video   *videoPipe // nil without video
	audio   *audioPipe // nil without audio
	dec     map[astiav.MediaType]*decoder
	pkt     *astiav.Packet
	frame   *astiav.Frame
	bad     int // packets the decoders refused
	decoded int // frames the decoders gave
}

func newTranscoder(plan inputPlan, path string, opts TranscodeOptions) (_ *transcoder,
	err error) {
	t := &transcoder{plan: plan, dec: map[astiav.MediaType]*decoder{},
		pkt: astiav.AllocPacket(), frame: astiav.AllocFrame()}
	defer func() {
		if err != nil {
			t.free()
		}
	}()
	if t.pkt == nil || t.frame == nil {
		return nil, errors.New("allocate packet: out of memory")
	}
	if t.out, err = openOutput(path); err != nil {
		return nil, err
	}
	if plan.video {
		if t.video, err = newVideoPipe(t.out, plan, opts.Threads); err != nil {
			return nil, err
		}
	}
	if plan.audio {
		if t.audio, err = newAudioPipe(t.out, plan.end); err != nil {
			return nil, err
		}
	}
	if err := t.out.start(); err != nil {
		return nil, err
	}
	return t, nil
}

// input decodes one segment file into the pipelines.
func (t *transcoder) input(ctx context.Context, path string) error {
	fc, err := openInput(path)
	if err != nil {
		return err
	}
	defer closeInput(fc)
	byIndex := map[int]*decoder{}
	for _, st := range fc.Streams() {
		d, err := t.decoderFor(st)
		if err != nil {
			return err
		}
		if d != nil {
			byIndex[st.Index()] = d
		}
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		err := fc.ReadFrame(t.pkt)
		if errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: read packet: %w", ErrBadSource, err)
		}
		err = nil
		if d := byIndex[t.pkt.StreamIndex()]; d != nil {
			t.pkt.RescaleTs(fc.Streams()[t.pkt.StreamIndex()].TimeBase(), d.tb)
			err = t.decode(d, t.pkt)
		}
		t.pkt.Unref()
		if err != nil {
			return err
		}
	}
}

// decoderFor returns the decoder for a stream: the one of the previous
// segment when it decodes the same codec with the same setup, so that
// frames that refer across a cut still decode, else a new one (after
// draining the old).
func (t *transcoder) decoderFor(st *astiav.Stream) (*decoder, error) {
	cp := st.CodecParameters()
	kind := cp.MediaType()
	if (kind == astiav.MediaTypeVideo && t.video == nil) ||
		(kind == astiav.MediaTypeAudio && t.audio == nil) {
		return nil, nil
	}
	if old := t.dec[kind]; old != nil {
		if old.accepts(cp) {
			return old, nil
		}
		if err := t.drain(old); err != nil {
			return nil, err
		}
	}
	d, err := openDecoder(st)
	if err != nil {
		return nil, err
	}
	t.dec[kind] = d
	return d, nil
}

// decode sends one packet and passes every frame it yields on. A packet the
// decoder refuses is counted and skipped: one damaged frame does not cost
// the copy.
func (t *transcoder) decode(d *decoder, pkt *astiav.Packet) error {
	if err := d.cc.SendPacket(pkt); err != nil {
		if errors.Is(err, astiav.ErrEagain) {
			return fmt.Errorf("%w: decoder refused input while it had output", ErrTranscode)
		}
		t.bad++
		return nil
	}
	return t.receive(d)
}

func (t *transcoder) receive(d *decoder) error {
	for {
		err := d.cc.ReceiveFrame(t.frame)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			t.bad++
			return nil
		}
		t.decoded++
		if d.kind == astiav.MediaTypeVideo {
			err = t.video.push(t.frame, d.tb)
		} else {
			err = t.audio.push(t.frame, d.tb)
		}
		t.frame.Unref()
		if err != nil {
			return err
		}
	}
}

// drain takes the last frames out of a decoder and frees it. A decoder
// that still reports an earlier bad packet is counted like one.
func (t *transcoder) drain(d *decoder) error {
	defer d.free()
	if err := d.cc.SendPacket(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
		t.bad++
	}
	return t.receive(d)
}

// finish drains decoders, filters and encoders and writes the index. A
// recording of which not one frame decodes gets no copy: black silence
// would pass for one.
func (t *transcoder) finish() error {
	for kind, d := range t.dec {
		delete(t.dec, kind)
		if err := t.drain(d); err != nil {
			return err
		}
	}
	if t.decoded == 0 {
		return fmt.Errorf("%w: no frame of the inputs decodes", ErrBadSource)
	}
	if t.video != nil {
		if err := t.video.finish(t.plan.end); err != nil {
			return err
		}
	}
	if t.audio != nil {
		if err := t.audio.finish(); err != nil {
			return err
		}
	}
	return t.out.finish()
}

func (t *transcoder) result() TranscodeResult {
	r := TranscodeResult{Duration: t.plan.end, BadPackets: t.bad}
	if v := t.video; v != nil {
		r.HasVideo, r.Width, r.Height = true, v.width, v.height
		r.VideoFrames, r.Dropped = v.frames, v.dropped
		r.Duration = max(r.Duration, v.end)
	}
	if a := t.audio; a != nil {
		r.HasAudio, r.AudioFrames = true, a.frames
	}
	return r
}

func (t *transcoder) free() {
	for _, d := range t.dec {
		d.free()
	}
	if t.video != nil {
		t.video.free()
	}
	if t.audio != nil {
		t.audio.free()
	}
	if t.out != nil {
		t.out.free()
	}
	if t.pkt != nil {
		t.pkt.Free()
	}
	if t.frame != nil {
		t.frame.Free()
	}
}

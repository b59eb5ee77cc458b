package capture

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/asticode/go-astiav"
)

// Segmenter errors. Every frame error also matches ErrBadFrame: it rejects
// only the frame at hand, leaves the segment being written intact, and the
// next good frame is accepted. Write after Close returns ErrClosed.
//
// TODO(errors): these belong in errors.go beside ErrClosed; they sit here
// while that file has another owner.
var (
	// ErrSegmenterConfig: a SegmenterConfig field is missing or wrong; the
	// message names it.
	ErrSegmenterConfig = errors.New("bad segmenter configuration")
	// ErrBadFrame: the frame was refused; log it and go on writing.
	ErrBadFrame = errors.New("frame refused")
	// ErrFrameKind: an audio frame for a track without AudioCodec, or a video
	// frame for a track without VideoCodec.
	ErrFrameKind = errors.New("frame kind is not configured for this track")
	// ErrEmptyFrame: a frame without data; pass only complete encoded frames.
	ErrEmptyFrame = errors.New("frame has no data")
	// ErrFrameOrder: a negative PTS, or a PTS lower than the previous frame
	// of the same kind; stamp each kind's frames in non-decreasing order.
	ErrFrameOrder = errors.New("frame PTS out of order")
	// ErrVP8Header: a VP8 keyframe whose uncompressed header is malformed.
	ErrVP8Header = errors.New("malformed VP8 keyframe header")
	// ErrOpusPacket: an Opus packet whose TOC byte cannot be read.
	ErrOpusPacket = errors.New("malformed Opus packet")
	// ErrH264Stream: an H.264 access unit that is not Annex-B, or a first IDR
	// that comes without its SPS and PPS.
	ErrH264Stream = errors.New("malformed H.264 access unit")
	// ErrSegmentExists: the spool already holds a segment file with the same
	// name; evidence is never overwritten, so give each track its own Name.
	ErrSegmentExists = errors.New("segment file already exists")

	errSPSTruncated = errors.New("field runs past the end of the SPS")
)

// Segmenting policy.
const (
	defaultSegmentDuration = 10 * time.Second

	// keyframeWaitFactor bounds how long a video segment goes without a
	// keyframe: this many Durations after its first video frame it is cut at
	// the next frame even if that is no keyframe, so a publisher that stops
	// sending keyframes cannot make a crash lose more. The next segment then
	// starts with frames that need the previous one, and ends at the first
	// keyframe; nothing is dropped.
	keyframeWaitFactor = 3

	// maxHeldAudio bounds the audio held while a video track waits for its
	// first keyframe. Beyond it the audio goes out in an audio-only segment,
	// so a camera that never sends a keyframe does not cost the sound.
	maxHeldAudio = 30 * time.Second

	// keyframeRequestEvery spaces repeated keyframe requests, in media time.
	keyframeRequestEvery = time.Second

	// interleaveWindow is how long one kind waits for the other to catch up
	// before it is muxed anyway (see interleaver).
	interleaveWindow = time.Second

	// packetPadding is FFmpeg 5.1's AV_INPUT_BUFFER_PADDING_SIZE: zeroed bytes
	// that must follow packet data handed to libavformat.
	packetPadding = 64
)

// Log keys.
const (
	logKeyTrack   = "track"
	logKeySeq     = "seq"
	logKeyPTS     = "pts"
	logKeyDropped = "dropped"
	logKeyPath    = "path"
	logKeyBytes   = "bytes"
)

// SegmenterConfig describes one track to segment. See NewSegmenter.
type SegmenterConfig struct {
	Dir        string        // spool directory for segment files (created if missing)
	Name       string        // file name stem, e.g. "track-12"; files are Name-000000.webm
	Duration   time.Duration // target segment length; 0 means 10 s
	AudioCodec string        // "" (no audio) or "opus"
	VideoCodec string        // "" (no video), "vp8" or "h264"
	Zero       time.Time     // wall-clock instant of media time zero

	// RequestKeyframe is called, maybe repeatedly, when a keyframe is wanted:
	// a cut is due, or video waits for its first keyframe. May be nil.
	RequestKeyframe func()
	// OnSegment is called synchronously with every finished segment file.
	OnSegment func(Segment)
	Logger    *slog.Logger
}

// validate fills defaults and names the first bad field.
func (c *SegmenterConfig) validate() error {
	switch {
	case c.Dir == "":
		return fmt.Errorf("%w: Dir is empty; set the spool directory", ErrSegmenterConfig)
	case c.Name == "" || c.Name != filepath.Base(c.Name) || c.Name == "..":
		return fmt.Errorf("%w: Name %q must be a plain file name stem", ErrSegmenterConfig, c.Name)
	case c.Duration < 0:
		return fmt.Errorf("%w: Duration %v is negative", ErrSegmenterConfig, c.Duration)
	case c.AudioCodec != "" && c.AudioCodec != "opus":
		return fmt.Errorf("%w: AudioCodec %q, want \"opus\" or \"\"", ErrSegmenterConfig,
			c.AudioCodec)
	case c.VideoCodec != "" && c.VideoCodec != "vp8" && c.VideoCodec != "h264":
		return fmt.Errorf("%w: VideoCodec %q, want \"vp8\", \"h264\" or \"\"",
			ErrSegmenterConfig, c.VideoCodec)
	case c.AudioCodec == "" && c.VideoCodec == "":
		return fmt.Errorf("%w: neither AudioCodec nor VideoCodec is set", ErrSegmenterConfig)
	}
	if c.Duration == 0 {
		c.Duration = defaultSegmentDuration
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// A Segmenter remuxes one track's encoded frames, without re-encoding, into
// a sequence of self-contained WebM (Opus, VP8) or Matroska (H.264) files.
//
// A video segment starts on a keyframe and is cut at the first keyframe once
// Duration has passed (RequestKeyframe asks for one); audio-only tracks are
// cut on time. Video before the first keyframe is dropped, while audio is
// held for the first segment. Two exceptions keep data rather than the rule:
// audio held for maxHeldAudio without a keyframe goes out alone, and video
// that goes keyframeWaitFactor Durations without a keyframe is cut anyway.
// A new picture size or new H.264 parameter sets start a new segment.
//
// Timestamps stay on the recording's timeline in every file (time base 1 ms),
// so consecutive segments join: a segment's MediaEnd is the next one's
// MediaStart. A Segmenter is not safe for concurrent use; the caller
// serializes Write and Close. RequestKeyframe and OnSegment run inside Write
// and Close and must not call back into the Segmenter.
type Segmenter struct {
	cfg    SegmenterConfig
	log    *slog.Logger
	format string // FFmpeg muxer name
	ext    string

	order  interleaver
	held   []queuedFrame // audio waiting for the first keyframe
	params *videoParams  // of the latest keyframe seen by Write
	placed *videoParams  // of the latest keyframe muxed
	cur    *segmentMux   // nil between segments
	seq    int
	mux    muxResources

	started     bool          // a segment has been opened
	lastVideo   time.Duration // PTS of the previous video frame muxed
	videoStep   time.Duration // latest gap between video frames, to estimate an end
	requested   bool
	lastRequest time.Duration
	dropped     int
	flagsWarned bool
	closed      bool
}

// queuedFrame is a checked frame with its own copy of the data.
type queuedFrame struct {
	video  bool
	key    bool
	pts    time.Duration
	dur    time.Duration // 0 when unknown
	data   []byte        // the frame; packetPadding zero bytes follow within cap
	params *videoParams  // keyframes only
}

// NewSegmenter checks cfg and creates the spool directory. No file is written
// until the first segment is finished.
func NewSegmenter(cfg SegmenterConfig) (*Segmenter, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := mkdirSpool(cfg.Dir); err != nil {
		return nil, err
	}

	s := &Segmenter{
		cfg:    cfg,
		log:    cfg.Logger.With(logKeyTrack, cfg.Name),
		format: "webm",
		ext:    "webm",
		order:  interleaver{both: cfg.AudioCodec != "" && cfg.VideoCodec != ""},
	}
	if cfg.VideoCodec == "h264" {
		s.format, s.ext = "matroska", "mkv" // WebM admits only VP8, VP9 and AV1 video
	}
	if err := s.mux.init(); err != nil {
		return nil, err
	}
	return s, nil
}

// Write adds one frame. Frames come in arrival order; each kind's PTS must
// not decrease. A frame with an error is not written and leaves the segment
// intact. Write may finish a segment, and then calls OnSegment before it
// returns.
func (s *Segmenter) Write(f Frame) error {
	if s.closed {
		return fmt.Errorf("write frame: %w", ErrClosed)
	}
	q, err := s.check(f)
	if err != nil {
		return fmt.Errorf("write frame at %v: %w: %w", f.PTS, ErrBadFrame, err)
	}
	s.order.push(q)
	return s.drain(false)
}

// Close muxes what is queued, finishes the segment being written and frees
// the muxer. Calling Close again does nothing.
func (s *Segmenter) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.mux.free()

	err := s.drain(true)
	if s.cur == nil && len(s.held) > 0 {
		s.log.Warn("track ended before its first video keyframe; keeping the audio alone",
			logKeyDropped, s.dropped)
		err = errors.Join(err, s.openWithHeld(false))
	}
	if s.cur != nil {
		err = errors.Join(err, s.finish(s.cur.end))
	}
	return err
}

// check validates a frame and copies it for the queue.
func (s *Segmenter) check(f Frame) (queuedFrame, error) {
	kind, codec := "audio", s.cfg.AudioCodec
	if f.Video {
		kind, codec = "video", s.cfg.VideoCodec
	}
	if codec == "" {
		return queuedFrame{}, fmt.Errorf("%w: got %s, but the track has no %s codec",
			ErrFrameKind, kind, kind)
	}
	if len(f.Data) == 0 {
		return queuedFrame{}, fmt.Errorf("%w: %s frame is empty", ErrEmptyFrame, kind)
	}
	if last, ok := s.order.lastPTS(f.Video); f.PTS < 0 || ok && f.PTS < last {
		return queuedFrame{}, fmt.Errorf("%w: %s PTS %v after %v", ErrFrameOrder, kind, f.PTS,
			last)
	}

	q := queuedFrame{video: f.Video, pts: f.PTS, dur: f.Duration}
	var err error
	if f.Video {
		err = s.inspectVideo(f, &q)
	} else {
		q.dur, err = opusPacketDuration(f.Data)
	}
	if err != nil {
		return queuedFrame{}, err
	}

	q.data = make([]byte, len(f.Data), len(f.Data)+packetPadding)
	copy(q.data, f.Data)
	return q, nil
}

// inspectVideo finds out from the payload whether a frame is a keyframe and,
// for keyframes, the stream parameters. The payload wins over Frame.Keyframe.
func (s *Segmenter) inspectVideo(f Frame, q *queuedFrame) error {
	switch s.cfg.VideoCodec {
	case "vp8":
		if q.key = vp8IsKeyframe(f.Data); q.key {
			w, h, err := vp8KeyframeSize(f.Data)
			if err != nil {
				return err
			}
			q.params = &videoParams{width: w, height: h}
		}
	case "h264":
		idr, params, err := h264Keyframe(f.Data)
		if err != nil {
			return err
		}
		if q.key = idr; idr && params == nil && s.params == nil {
			return fmt.Errorf("%w: first IDR access unit has no SPS and PPS; "+
				"send the parameter sets in band with the IDR", ErrH264Stream)
		}
		if q.key && params == nil {
			params = s.params
		}
		q.params = params
	}

	if q.key {
		s.params = q.params
	}
	if q.key != f.Keyframe && !s.flagsWarned {
		s.flagsWarned = true
		s.log.Warn("Frame.Keyframe disagrees with the payload; trusting the payload",
			logKeyPTS, f.PTS)
	}
	return nil
}

// drain muxes the frames the interleaver releases.
func (s *Segmenter) drain(flush bool) error {
	for {
		q, ok := s.order.pop(flush)
		if !ok {
			return nil
		}
		if err := s.place(q); err != nil {
			return err
		}
	}
}

// place routes one frame, in PTS order, to the segment it belongs in.
func (s *Segmenter) place(q queuedFrame) error {
	if q.video {
		s.noteVideo(q)
	}
	if s.cur == nil {
		return s.start(q)
	}
	if s.cutDue(q) {
		// The recording goes on even when the finished segment could not be
		// stored; the gap in Seq shows the loss.
		return errors.Join(s.finish(q.pts), s.start(q))
	}

	if q.video && s.cur.video == nil {
		s.drop(q) // an audio-only segment waiting for the first keyframe
		return nil
	}
	if s.cur.video != nil && (!s.cur.keyStart || q.pts-s.cur.start >= s.cfg.Duration) {
		s.requestKeyframe(q.pts)
	}
	return s.cur.write(s.mux.pkt, q, s.endOf(q))
}

// start handles a frame that arrives between segments.
func (s *Segmenter) start(q queuedFrame) error {
	switch {
	case q.video && s.placed == nil && !q.key:
		s.drop(q)
		return nil
	case q.video:
		return s.openWith(q)
	case s.cfg.VideoCodec != "" && !s.started:
		return s.hold(q)
	default:
		return s.openWith(q)
	}
}

// openWith opens a segment whose first frame is q; a video track's first
// segment takes the held audio too.
func (s *Segmenter) openWith(q queuedFrame) error {
	if q.video && q.key {
		if s.placed == nil && s.dropped > 0 {
			s.log.Info("first video keyframe", logKeyPTS, q.pts, logKeyDropped, s.dropped)
		}
		s.placed = q.params
	}
	if !q.video || q.key {
		s.requested = false
	}
	s.held = append(s.held, q)
	return s.openWithHeld(s.placed != nil)
}

// hold keeps audio that came before the first keyframe; past maxHeldAudio
// it goes out in an audio-only segment.
func (s *Segmenter) hold(q queuedFrame) error {
	s.held = append(s.held, q)
	if q.pts-s.held[0].pts < maxHeldAudio {
		return nil
	}
	s.log.Warn("no video keyframe yet; writing the held audio without video",
		logKeyPTS, q.pts, logKeyDropped, s.dropped)
	return s.openWithHeld(false)
}

// openWithHeld opens a segment and writes the held frames, in order, into it.
func (s *Segmenter) openWithHeld(withVideo bool) error {
	var params *videoParams
	if withVideo {
		params = s.placed
	}
	m, err := s.mux.open(s.format, s.cfg.AudioCodec != "", s.cfg.VideoCodec, params)
	if err != nil {
		return err
	}
	s.cur, s.started = m, true
	m.start = s.held[0].pts

	held := s.held
	s.held = nil
	for _, h := range held {
		if h.video && !h.key {
			s.requestKeyframe(h.pts) // a forced cut: the segment starts mid-GOP
		}
		if err := m.write(s.mux.pkt, h, s.endOf(h)); err != nil {
			return err
		}
	}
	return nil
}

// cutDue reports whether q must start a new segment.
func (s *Segmenter) cutDue(q queuedFrame) bool {
	age := q.pts - s.cur.start
	if s.cur.video == nil {
		if q.video {
			return q.key // the first keyframe of a video track
		}
		return age >= s.cfg.Duration
	}
	if !q.video {
		return false
	}
	if q.key { // a segment begun without a keyframe ends at the first one
		return age >= s.cfg.Duration || !s.cur.keyStart || !q.params.equal(s.cur.params)
	}
	if q.pts-s.cur.videoStart >= keyframeWaitFactor*s.cfg.Duration {
		s.log.Warn("no keyframe arrived; cutting without one", logKeyPTS, q.pts,
			logKeySeq, s.seq)
		return true
	}
	return false
}

// finish closes the current segment at media time end, stores it in the
// spool and hands it to OnSegment.
//
// TODO(spool): a segment that cannot be written to the spool (disk full) is
// lost and its Seq skipped; keeping the bytes for a retry at the next cut
// would save it.
func (s *Segmenter) finish(end time.Duration) error {
	m := s.cur
	s.cur = nil
	data, err := s.mux.close(m)
	if err != nil {
		return fmt.Errorf("finish segment %d: %w", s.seq, err)
	}

	seg := Segment{
		Seq:        s.seq,
		Ext:        s.ext,
		MediaStart: m.start,
		MediaEnd:   max(end, m.start),
	}
	seg.WallStart = s.cfg.Zero.Add(seg.MediaStart)
	seg.WallEnd = s.cfg.Zero.Add(seg.MediaEnd)
	s.seq++

	name := fmt.Sprintf("%s-%06d.%s", s.cfg.Name, seg.Seq, seg.Ext)
	if seg.Path, seg.Size, seg.SHA256, err = storeFile(s.cfg.Dir, name, data); err != nil {
		return fmt.Errorf("store segment %d: %w", seg.Seq, err)
	}
	s.log.Debug("segment finished", logKeySeq, seg.Seq, logKeyPath, seg.Path,
		logKeyBytes, seg.Size)
	if s.cfg.OnSegment != nil {
		s.cfg.OnSegment(seg)
	}
	return nil
}

// drop discards a video frame that no keyframe precedes.
func (s *Segmenter) drop(q queuedFrame) {
	if s.dropped == 0 {
		s.log.Info("dropping video until the first keyframe", logKeyPTS, q.pts)
	}
	s.dropped++
	s.requestKeyframe(q.pts)
}

// requestKeyframe calls RequestKeyframe, at most once per
// keyframeRequestEvery of media time.
func (s *Segmenter) requestKeyframe(pts time.Duration) {
	if s.cfg.RequestKeyframe == nil || s.requested && pts-s.lastRequest < keyframeRequestEvery {
		return
	}
	s.requested, s.lastRequest = true, pts
	s.cfg.RequestKeyframe()
}

// noteVideo tracks the gap between video frames.
func (s *Segmenter) noteVideo(q queuedFrame) {
	if step := q.pts - s.lastVideo; s.lastVideo > 0 && step > 0 {
		s.videoStep = step
	}
	s.lastVideo = q.pts
}

// endOf is when a frame stops playing: PTS plus its duration, estimated for
// video from the previous gap between frames when the caller gave none.
func (s *Segmenter) endOf(q queuedFrame) time.Duration {
	if q.video && q.dur == 0 {
		return q.pts + s.videoStep
	}
	return q.pts + q.dur
}

// msTimeBase is the time base of every stream: the recording's timeline in
// milliseconds, which is also Matroska's default TimestampScale.
var msTimeBase = astiav.NewRational(1, 1000)

// millis converts a media time to the nearest millisecond.
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond/2) / time.Millisecond)
}

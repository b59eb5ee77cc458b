package capture

import "time"

// A Frame is one encoded audio or video frame of a publisher, as the codec
// produced it, stamped on the recording's timeline.
type Frame struct {
	Video    bool
	Data     []byte
	PTS      time.Duration // media time since the recording's time zero
	Duration time.Duration // 0 when unknown
	Keyframe bool          // video only
}

// A Segment is one finished media file of a track. It holds a stretch of
// the publisher's audio and video, starts on a video keyframe, and plays on
// its own.
type Segment struct {
	Seq        int
	Path       string // local file holding the bytes, in the spool
	Ext        string // "webm", or "mkv" for codecs WebM does not allow
	Size       int64
	SHA256     [32]byte
	MediaStart time.Duration // on the recording's timeline
	MediaEnd   time.Duration
	WallStart  time.Time
	WallEnd    time.Time
	// Gaps are the stretches of the segment where media the publisher sent
	// was lost on the way, clipped to the segment.
	Gaps []Gap
}

// A Gap is a stretch of one kind of a track's media that was lost: packets
// that never arrived, and for video the frames dropped after them until the
// next keyframe. A silence the publisher chose not to send (Opus DTX) is no
// gap.
type Gap struct {
	Video bool
	Start time.Duration // on the recording's timeline
	End   time.Duration
	Lost  int // RTP packets missing before End; 0 when unknown
}

package capture

import "errors"

var (
	// ErrUnsupportedCodec means an offer has a media section with no codec
	// that Liuhen records.
	ErrUnsupportedCodec = errors.New("no codec that Liuhen records")
	// ErrExtraTrack means an offer sends two sections of one kind; Liuhen
	// records one audio and one video track per publisher.
	ErrExtraTrack = errors.New("send one audio and one video section")
	// ErrBadOffer means an SDP offer could not be used.
	ErrBadOffer = errors.New("bad SDP offer")
	// ErrClosed is returned by a server or segmenter that has been closed.
	ErrClosed = errors.New("closed")
	// ErrSpoolFull means the spool holds LIUHEN_SPOOL_MAX_BYTES of segments
	// not yet stored; no new session starts until uploads make room.
	ErrSpoolFull = errors.New("the recorder's spool is full")
	// ErrTooManySessions means a publisher would pass a session limit.
	ErrTooManySessions = errors.New("too many sessions")
	// errUnstorable means a segment can never be stored as it is (its
	// file changed, its key or seq holds other content, its track is
	// gone); retrying does not help, so it is set aside in the spool.
	errUnstorable = errors.New("segment cannot be stored")
)

package capture

import "errors"

var (
	// ErrUnsupportedCodec means an offer has a media section with no codec
	// that Liuhen records.
	ErrUnsupportedCodec = errors.New("no codec that Liuhen records")
	// ErrBadOffer means an SDP offer could not be used.
	ErrBadOffer = errors.New("bad SDP offer")
	// ErrClosed is returned by a server or segmenter that has been closed.
	ErrClosed = errors.New("closed")
)

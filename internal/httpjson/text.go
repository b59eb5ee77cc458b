package httpjson

import (
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ReasonBadText is the answer to a field whose text is not Unicode.
const ReasonBadText = "must be valid UTF-8 text: it holds invalid bytes or a lone " +
	`surrogate escape such as "\ud800"`

// BadText reports whether a JSON value holds bytes that are not UTF-8, or
// a \u escape of a UTF-16 surrogate that is not half of a pair. encoding/json
// quietly turns both into U+FFFD, so they are caught before it decodes.
// RFC 8259 §8.2 leaves such strings' meaning open; Liuhen refuses them.
func BadText(raw json.RawMessage) bool {
	if !utf8.Valid(raw) {
		return true
	}
	inString := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			i++
			if i < len(raw) && raw[i] == 'u' {
				next, ok := surrogateOK(raw, i-1)
				if !ok {
					return true
				}
				i = next - 1
			}
		}
	}
	return false
}

// surrogateOK reads the \uXXXX escape at raw[at:] and, when it is a high
// surrogate, the low one that must follow. It returns the index after what
// it read and false for a lone surrogate.
func surrogateOK(raw []byte, at int) (int, bool) {
	r, ok := escapeAt(raw, at)
	switch {
	case !ok:
		return at + 2, true // malformed: encoding/json refuses it itself
	case r >= 0xDC00 && r <= 0xDFFF:
		return at + 6, false
	case r < 0xD800 || r > 0xDBFF:
		return at + 6, true
	}
	low, ok := escapeAt(raw, at+6)
	if !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
		return at + 6, false
	}
	return at + 12, true
}

// escapeAt decodes the \uXXXX escape at raw[at:].
func escapeAt(raw []byte, at int) (rune, bool) {
	if at+6 > len(raw) || raw[at] != '\\' || raw[at+1] != 'u' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(raw[at+2:at+6]), 16, 16)
	return rune(v), err == nil
}

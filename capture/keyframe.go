package capture

// isKeyframe reports whether an encoded frame can be decoded on its own.
func isKeyframe(codec string, frame []byte) bool {
	switch codec {
	case "vp8":
		// RFC 6386 §9.1: bit 0 of the frame tag is 0 for a key frame.
		return len(frame) > 0 && frame[0]&0x01 == 0
	case "h264":
		return hasIDR(frame)
	}
	return false
}

// hasIDR reports whether an Annex B access unit holds an IDR slice (NAL unit
// type 5, ITU-T H.264 §7.4.1).
func hasIDR(au []byte) bool {
	for i := 0; i+3 < len(au); i++ {
		if au[i] != 0 || au[i+1] != 0 {
			continue
		}
		if au[i+2] == 1 && au[i+3]&0x1f == 5 {
			return true
		}
		if au[i+2] == 0 && i+4 < len(au) && au[i+3] == 1 && au[i+4]&0x1f == 5 {
			return true
		}
	}
	return false
}

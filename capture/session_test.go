package capture

import (
	"testing"

	"github.com/pion/rtp"
)

func headers(seqs ...uint16) []*rtp.Header {
	hs := make([]*rtp.Header, len(seqs))
	for i, s := range seqs {
		hs[i] = &rtp.Header{SequenceNumber: s}
	}
	return hs
}

func TestSeqWindow(t *testing.T) {
	var w seqWindow
	steps := []struct {
		name  string
		frame []uint16
		want  bool
	}{
		{"first frame", []uint16{100, 101}, true},
		{"next frame", []uint16{102}, true},
		{"the last packet built again", []uint16{102}, false},
		{"an older frame built again", []uint16{100, 101}, false},
		{"after a gap", []uint16{110, 111}, true},
		{"across the wrap", []uint16{65535, 0, 1}, true},
		{"after the wrap", []uint16{2}, true},
		{"from before the wrap", []uint16{65534}, false},
	}
	for _, s := range steps {
		if s.name == "across the wrap" {
			w.last = 65534 // as if every packet up to here had been built
		}
		if got := w.consumed(headers(s.frame...)); got != s.want {
			t.Errorf("%s: consumed(%v) = %v, want %v", s.name, s.frame, got, s.want)
		}
	}
	if w.fresh(2) || !w.fresh(3) {
		t.Errorf("after seq 2: got fresh(2)=%v fresh(3)=%v, want false and true", w.fresh(2), w.fresh(3))
	}
}

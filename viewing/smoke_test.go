package viewing

import (
	"context"
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	dir := t.TempDir()
	v := readIVF(t, encodeVP8(t, dir, "640x360", 12))
	a := readOgg(t, encodeOpus(t, dir, 12))
	segs := segment(t, "opus", "vp8", 4*time.Second, merge(shift(v, 300*time.Millisecond), shift(a, 250*time.Millisecond)))
	for _, s := range segs {
		t.Logf("seg %d %v-%v %s", s.Seq, s.MediaStart, s.MediaEnd, s.Path)
	}
	start := time.Now()
	res, err := Transcode(context.Background(), paths(segs), "/tmp/vc/out.mp4", TranscodeOptions{})
	t.Logf("res %+v err %v in %v", res, err, time.Since(start))
	t.Logf("%+v", probe(t, "/tmp/vc/out.mp4"))
	t.Logf("%v", topBoxes(t, "/tmp/vc/out.mp4"))
	requireDecodes(t, "/tmp/vc/out.mp4")
}

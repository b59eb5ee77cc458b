package capture

import (
	"slices"
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestGapLog(t *testing.T) {
	var g gapLog
	type frame struct {
		name      string
		k         int
		pts, dur  time.Duration
		lost      int
		wantGap   bool
		wantStart time.Duration
	}
	frames := []frame{
		{"first audio", kindAudio, ms(0), ms(20), 0, false, 0},
		{"next audio", kindAudio, ms(20), ms(20), 0, false, 0},
		{"audio after two lost", kindAudio, ms(80), ms(20), 2, true, ms(40)},
		{"audio after a DTX silence", kindAudio, ms(5000), ms(20), 0, false, 0},
		{"first video", kindVideo, ms(0), ms(33), 0, false, 0},
		{"keyframe after dropped frames", kindVideo, ms(3000), ms(33), 40, true, ms(33)},
		{"video lost but no time missing", kindVideo, ms(3033), ms(33), 1, false, 0},
		{"audio lost but no time missing", kindAudio, ms(5020), ms(20), 1, false, 0},
	}
	for _, f := range frames {
		t.Run(f.name, func(t *testing.T) {
			gap, ok := g.note(f.k, f.pts, f.dur, f.lost)
			if ok != f.wantGap || ok && (gap.Start != f.wantStart || gap.End != f.pts ||
				gap.Lost != f.lost || gap.Video != (f.k == kindVideo)) {
				t.Errorf("got gap %+v (%v), want %v from %v to %v", gap, ok, f.wantGap,
					f.wantStart, f.pts)
			}
		})
	}

	t.Run("a segment gets the gaps inside it, clipped", func(t *testing.T) {
		got := g.within(ms(50), ms(2000))
		want := []Gap{{Start: ms(50), End: ms(80), Lost: 2}, {Video: true, Start: ms(50),
			End: ms(2000), Lost: 40}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("the next segment gets the rest", func(t *testing.T) {
		got := g.within(ms(2000), ms(6000))
		want := []Gap{{Video: true, Start: ms(2000), End: ms(3000), Lost: 40}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
		if len(g.open) != 0 {
			t.Errorf("got %d gaps still open, want none", len(g.open))
		}
	})
	t.Run("loss at the end lasts until the other kind ends", func(t *testing.T) {
		g.pending[kindVideo] = 3
		got := g.trailing()
		want := []Gap{{Video: true, Start: ms(3066), End: ms(5040), Lost: 3}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	if len(g.history) != 3 {
		t.Errorf("got %d gaps in the history, want 3", len(g.history))
	}
}

package capture

import (
	"testing"
	"time"
)

func TestInterleaver(t *testing.T) {
	ms := time.Millisecond
	frame := func(video bool, pts time.Duration) queuedFrame {
		return queuedFrame{video: video, pts: pts}
	}
	t.Run("skewed arrival comes out in PTS order", func(t *testing.T) {
		il := interleaver{both: true}
		arrivals := []queuedFrame{frame(true, 0), frame(true, 33*ms), frame(false, 0),
			frame(true, 66*ms), frame(false, 20*ms), frame(false, 40*ms), frame(false, 60*ms),
			frame(true, 100*ms), frame(false, 80*ms), frame(false, 100*ms)}
		var got []queuedFrame
		for _, f := range arrivals {
			il.push(f)
			for q, ok := il.pop(false); ok; q, ok = il.pop(false) {
				got = append(got, q)
			}
		}
		// Each frame waits only until the other kind passes it.
		if len(got) != len(arrivals) {
			t.Errorf("got %d frames before the flush, want %d", len(got), len(arrivals))
		}
		for q, ok := il.pop(true); ok; q, ok = il.pop(true) {
			got = append(got, q)
		}
		want := []queuedFrame{frame(true, 0), frame(false, 0), frame(false, 20*ms),
			frame(true, 33*ms), frame(false, 40*ms), frame(false, 60*ms), frame(true, 66*ms),
			frame(false, 80*ms), frame(true, 100*ms), frame(false, 100*ms)}
		if len(got) != len(want) {
			t.Fatalf("got %d frames, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].video != want[i].video || got[i].pts != want[i].pts {
				t.Errorf("frame %d: got video=%v %v, want video=%v %v", i, got[i].video,
					got[i].pts, want[i].video, want[i].pts)
			}
		}
	})
	t.Run("a stalled kind holds the other for the window only", func(t *testing.T) {
		il := interleaver{both: true}
		il.push(frame(true, 0))
		il.push(frame(true, interleaveWindow-ms))
		if q, ok := il.pop(false); ok {
			t.Fatalf("got %v released inside the window, want it held", q.pts)
		}
		il.push(frame(true, interleaveWindow))
		if q, ok := il.pop(false); !ok || q.pts != 0 {
			t.Fatalf("got %v, %v; want the first frame released", q.pts, ok)
		}
	})
	t.Run("single-kind track releases at once", func(t *testing.T) {
		il := interleaver{}
		il.push(frame(false, 0))
		if _, ok := il.pop(false); !ok {
			t.Fatal("got the frame held, want it released")
		}
	})
}

package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pion/webrtc/v4/pkg/media/h264reader"
)

// streamH264 sends an Annex B file one access unit at a time, fps a second.
func streamH264(ctx context.Context, s *rtpSender, opts Options, start time.Time) (int, error) {
	path, fps := opts.VideoH264, opts.VideoFPS
	if fps <= 0 {
		fps = 30
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := h264reader.NewReader(f)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	tick := time.Second / time.Duration(fps)
	var au accessUnit
	n := 0
	send := func(frame []byte) error {
		pts := time.Duration(n) * tick
		if !sleepUntil(ctx, start.Add(pts)) {
			return context.Canceled
		}
		n++
		return s.sendAt(frame, pts)
	}
	for {
		nal, err := r.NextNAL()
		if errors.Is(err, io.EOF) {
			if frame := au.flush(); frame != nil {
				err = send(frame)
			} else {
				err = nil
			}
			return n, ignoreCanceled(err)
		} else if err != nil {
			return n, fmt.Errorf("read %s: %w", path, err)
		}
		if frame := au.add(nal); frame != nil {
			if err := send(frame); err != nil {
				return n, ignoreCanceled(err)
			}
		}
	}
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// accessUnit groups NAL units into access units (ITU-T H.264 §7.4.1.2.3):
// a new one begins with a parameter set, delimiter or SEI after a slice,
// or with a slice whose first_mb_in_slice is 0 after a slice.
type accessUnit struct {
	buf      []byte
	hasSlice bool
}

// add appends nal and returns the previous access unit when nal begins a
// new one.
func (a *accessUnit) add(nal *h264reader.NAL) []byte {
	var done []byte
	if a.hasSlice && (!isSlice(nal) || firstSliceOfPicture(nal)) {
		done = a.flush()
	}
	a.buf = append(a.buf, 0, 0, 0, 1)
	a.buf = append(a.buf, nal.Data...)
	if isSlice(nal) {
		a.hasSlice = true
	}
	return done
}

func (a *accessUnit) flush() []byte {
	if !a.hasSlice {
		return nil
	}
	out := a.buf
	a.buf, a.hasSlice = nil, false
	return out
}

func isSlice(nal *h264reader.NAL) bool {
	return nal.UnitType == h264reader.NalUnitTypeCodedSliceNonIdr ||
		nal.UnitType == h264reader.NalUnitTypeCodedSliceIdr
}

// firstSliceOfPicture reads first_mb_in_slice, the first ue(v) of the
// slice header: it is 0 exactly when the first bit is 1.
func firstSliceOfPicture(nal *h264reader.NAL) bool {
	return len(nal.Data) > 1 && nal.Data[1]&0x80 != 0
}

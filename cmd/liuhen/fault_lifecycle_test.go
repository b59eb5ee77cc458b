package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/verify"
)

// TestFaultSlowLastUpload: an agenda item is marked start and never end,
// and MinIO hangs (SIGSTOP) when the publisher ends, for 15 s. Once the
// last segment is stored the recording is finished, it ended when the
// publisher did, not when MinIO came back, and its open index point ends
// where the media does: the verifier finds the item covered.
func TestFaultSlowLastUpload(t *testing.T) {
	f := newFaultStack(t, faultOptions{segment: 3 * time.Second})
	ivf, ogg := faultMedia(t, 10*time.Second)
	f.startServer()
	pub := f.publish(ivf, ogg, 8*time.Second)
	zero := f.recording(15 * time.Second).StartedAt
	item := f.sample.AgendaItemIDs[0]
	waitUntil(zero.Add(2 * time.Second))
	s := &stack{url: f.url}
	if status, body := s.call(t, "POST", fmt.Sprintf("/api/v1/agenda-items/%d/marks", item),
		f.admin, `{"action":"start"}`); status != 201 && status != 200 {
		t.Fatalf("mark start: got status %d, want 201; body %s", status, body)
	}
	waitUntil(zero.Add(6 * time.Second))
	f.minio.pause(t)
	if err := pub.wait(t, 30*time.Second); err != nil {
		t.Fatalf("publish: %v", err)
	}
	ended := time.Now()
	time.Sleep(15 * time.Second)
	f.minio.resume(t)
	resumed := time.Now()

	rec := f.waitEnded(90 * time.Second)
	if rec.State != agenda.StateFinished {
		t.Errorf("got recording %s, want finished: nothing was lost", rec.State)
	}
	if rec.EndedAt == nil || rec.EndedAt.After(ended) || rec.EndedAt.Before(zero) {
		t.Errorf("got recording ended %v, want by %v when the publisher ended, not near %v "+
			"when MinIO came back", rec.EndedAt, ended, resumed)
	}
	segs := f.checkEvidence()
	mediaEnd := checkContiguous(t, segs)
	d, err := f.store.GetMeetingDetail(context.Background(), f.sample.MeetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range d.AgendaItems {
		for _, p := range it.IndexPoints {
			if it.ID != item {
				continue
			}
			if p.EndMs == nil {
				t.Errorf("got index point %d still open, want it closed", p.ID)
			} else if *p.EndMs > mediaEnd.Milliseconds() {
				t.Errorf("got index point ending at %d ms, want by the media's end %d ms",
					*p.EndMs, mediaEnd.Milliseconds())
			}
		}
	}
	for _, fd := range f.verify().Findings {
		if fd.AgendaItemID != nil && *fd.AgendaItemID == item &&
			(fd.Code == verify.CodeItemNotCovered || fd.Code == verify.CodeRecordingInterrupted ||
				fd.Code == verify.CodeNoRecording) {
			t.Errorf("item %d: got %s: %s", item, fd.Code, fd.Message)
		}
	}
}

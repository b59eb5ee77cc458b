package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/publish"
)

// waitUntil sleeps until at.
func waitUntil(at time.Time) { time.Sleep(time.Until(at)) }

// waitSegments waits until at least n segments are catalogued.
func (f *faultStack) waitSegments(n int, limit time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for len(f.segments()) < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("got %d segments stored after %v, want %d", len(f.segments()), limit, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitSpooled waits until at least n segments wait in the spool.
func (f *faultStack) waitSpooled(n int, limit time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for len(f.spoolRecords()) < n {
		if time.Now().After(deadline) {
			f.t.Fatalf("got %d segments in the spool after %v, want %d",
				len(f.spoolRecords()), limit, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitStored waits until none of the spooled segments is left in the
// spool.
func (f *faultStack) waitStored(spooled map[string]string, limit time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		left := 0
		for key := range f.spoolRecords() {
			if _, ok := spooled[key]; ok {
				left++
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%d of %d spooled segments still in the spool after %v", left,
				len(spooled), limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkStoredAsSpooled checks that every segment that waited in the spool
// is catalogued under its key with the SHA-256 of its spool record.
func checkStoredAsSpooled(t *testing.T, spooled map[string]string, segs []agenda.StoredSegment) {
	t.Helper()
	stored := map[string]string{}
	for _, g := range segs {
		stored[g.ObjectKey] = g.SHA256
	}
	for key, sum := range spooled {
		if got, ok := stored[key]; !ok {
			t.Errorf("segment %s waited in the spool but was never stored", key)
		} else if got != sum {
			t.Errorf("segment %s: got SHA-256 %s stored, want %s as spooled", key, got, sum)
		}
	}
}

// TestFaultServerKilledMidRecording kills `liuhen serve` with SIGKILL in
// the middle of a recording of 3 s segments, while MinIO is stopped so that
// a finished segment is still waiting in the spool, and starts it again.
// The restarted server stores the spooled segment, the recording is marked
// interrupted, at most the segment being written is lost, and every stored
// segment is intact.
func TestFaultServerKilledMidRecording(t *testing.T) {
	const segment = 3 * time.Second
	f := newFaultStack(t, faultOptions{segment: segment})
	ivf, ogg := faultMedia(t, 17*time.Second)
	f.startServer()
	pub := f.publish(ivf, ogg, 15*time.Second)
	zero := f.recording(15 * time.Second).StartedAt

	f.waitSegments(1, 15*time.Second)
	f.minio.pause(t) // the next segment cannot be uploaded
	f.waitSpooled(1, 15*time.Second)
	time.Sleep(time.Second) // into the segment after it
	stored := len(f.segments())
	killedAt := time.Since(zero)
	f.server.signal(t, syscall.SIGKILL)
	f.server.wait(t, 10*time.Second)
	spooled := f.spoolRecords()
	f.minio.resume(t)

	f.startServer()
	f.waitSpoolEmpty(60 * time.Second)
	if rec := f.recording(time.Second); rec.State != agenda.StateInterrupted {
		t.Errorf("got recording state %q after the crash, want %q", rec.State,
			agenda.StateInterrupted)
	}
	segs := f.checkEvidence()
	end := checkContiguous(t, segs)
	if len(segs) < stored+len(spooled) {
		t.Errorf("got %d segments stored, want the %d stored before the kill and the %d "+
			"spooled", len(segs), stored, len(spooled))
	}
	// The segment being written was a second old; the media pipeline holds
	// about a second more. Anything beyond a segment of loss means a
	// finished segment was lost.
	if lost := killedAt - end; lost > segment+time.Second {
		t.Errorf("the stored recording ends at %v, killed at %v: lost %v, want at most "+
			"the segment being written", end, killedAt, lost)
	}
	checkStoredAsSpooled(t, spooled, segs)
	t.Logf("killed at %v with %d segment(s) stored and %d in the spool; %d stored after "+
		"the restart, ending at %v", killedAt.Round(10*time.Millisecond), stored, len(spooled),
		len(segs), end)
	f.checkVerdicts()
	_ = pub.wait(t, 30*time.Second) // the publisher lost its server; its error is expected
}

// TestFaultMinIOUnavailableFor60s kills MinIO for 60 seconds in the middle
// of an 80 s recording. The segments wait in the spool on disk, the
// metrics show it, and once MinIO is back they are stored with the hashes
// they were spooled with: the recording finishes with nothing lost.
func TestFaultMinIOUnavailableFor60s(t *testing.T) {
	f := newFaultStack(t, faultOptions{segment: 5 * time.Second})
	ivf, ogg := faultMedia(t, 82*time.Second)
	f.startServer()
	pub := f.publish(ivf, ogg, 80*time.Second)
	f.recording(15 * time.Second)

	f.waitSegments(1, 15*time.Second)
	f.minio.kill()
	downAt := time.Now()
	before := len(f.segments())

	waitUntil(downAt.Add(55 * time.Second))
	spooled := f.spoolRecords()
	// Segments end at the first keyframe (one a second) 5 s after they
	// start: 55 s hold at least 8 whole ones.
	if len(spooled) < 8 {
		t.Errorf("got %d segments waiting in the spool after 55 s without MinIO, want at "+
			"least 8 of 5 to 6 s", len(spooled))
	}
	for _, m := range []string{"liuhen_pending_uploads", "liuhen_spool_bytes",
		"liuhen_upload_failures_total"} {
		if v := f.metric(m); v <= 0 {
			t.Errorf("got %s %v while MinIO is down, want more than 0", m, v)
		}
	}
	if n := len(f.segments()); n > before+1 {
		t.Errorf("got %d segments catalogued while MinIO was down, want at most %d", n, before+1)
	}

	waitUntil(downAt.Add(60 * time.Second))
	f.minio.start(t)
	upAt := time.Now()
	f.waitStored(spooled, 60*time.Second)
	t.Logf("the %d segments spooled during the outage were stored %v after MinIO was back",
		len(spooled), time.Since(upAt).Round(100*time.Millisecond))
	if err := pub.wait(t, 60*time.Second); err != nil {
		t.Errorf("publish: %v; want the publisher unaware of the outage", err)
	}
	rec := f.waitEnded(90 * time.Second)
	if rec.State != agenda.StateFinished {
		t.Errorf("got recording state %q, want %q: nothing should be lost", rec.State,
			agenda.StateFinished)
	}
	if left := f.spoolRecords(); len(left) > 0 {
		t.Errorf("segments still in the spool: %v", left)
	}
	segs := f.checkEvidence()
	if end := checkContiguous(t, segs); end < 75*time.Second {
		t.Errorf("the recording ends at %v, want about 80 s", end)
	}
	checkStoredAsSpooled(t, spooled, segs)
	for _, m := range []string{"liuhen_pending_uploads", "liuhen_spool_bytes"} {
		if v := f.metric(m); v != 0 {
			t.Errorf("got %s %v once everything is stored, want 0", m, v)
		}
	}
}

// TestFaultRestartWhileMinIODown: MinIO hangs (SIGSTOP) during a
// recording, the server is stopped with SIGTERM and started again while
// MinIO still hangs. The stop takes less than 30 s and leaves the segments
// in the spool; the restarted server keeps retrying them and stores them
// once MinIO answers again.
func TestFaultRestartWhileMinIODown(t *testing.T) {
	f := newFaultStack(t, faultOptions{segment: 3 * time.Second})
	ivf, ogg := faultMedia(t, 10*time.Second)
	f.startServer()
	pub := f.publish(ivf, ogg, 8*time.Second)
	zero := f.recording(15 * time.Second).StartedAt
	waitUntil(zero.Add(1500 * time.Millisecond))
	f.minio.pause(t)
	if err := pub.wait(t, 30*time.Second); err != nil {
		t.Errorf("publish: %v", err)
	}

	stopping := time.Now()
	f.server.signal(t, syscall.SIGTERM)
	code := f.server.wait(t, 30*time.Second)
	t.Logf("stopped with SIGTERM in %v, exit status %d", time.Since(stopping).Round(
		100*time.Millisecond), code)
	if code != exitFailure {
		t.Errorf("got exit status %d, want %d: segments were left unstored", code, exitFailure)
	}
	spooled := f.spoolRecords()
	if len(spooled) < 2 {
		t.Fatalf("got %d segments in the spool after the stop, want at least 2", len(spooled))
	}
	if rec := f.recording(time.Second); rec.State != agenda.StateInterrupted {
		t.Errorf("got recording state %q, want %q", rec.State, agenda.StateInterrupted)
	}

	f.startServer() // MinIO still hangs
	failures := f.metric("liuhen_upload_failures_total")
	time.Sleep(12 * time.Second)
	if again := f.metric("liuhen_upload_failures_total"); again <= failures {
		t.Errorf("upload failures stayed at %v for 12 s: the restarted server gave up", again)
	}
	if n := len(f.spoolRecords()); n != len(spooled) {
		t.Errorf("got %d segments in the spool while MinIO hangs, want %d", n, len(spooled))
	}
	f.minio.resume(t)
	resumed := time.Now()
	f.waitSpoolEmpty(90 * time.Second)
	t.Logf("spool emptied %v after MinIO resumed", time.Since(resumed).Round(time.Second))

	segs := f.checkEvidence()
	checkContiguous(t, segs)
	if len(segs) != len(spooled) {
		t.Errorf("got %d segments stored, want the %d that were spooled", len(segs), len(spooled))
	}
	checkStoredAsSpooled(t, spooled, segs)
	f.checkVerdicts()
}

// TestFaultSpoolFull bounds the spool at 300 KiB and starts the server and
// a recording with MinIO gone. The segment that fills the spool ends the recording as
// interrupted, loudly (error log, liuhen_spool_full_total), a new
// publisher is refused with 503, and once MinIO is back every spooled
// segment is stored: nothing is dropped.
func TestFaultSpoolFull(t *testing.T) {
	f := newFaultStack(t, faultOptions{segment: 3 * time.Second, spoolMax: "300KiB"})
	ivf, ogg := faultMedia(t, 20*time.Second)
	f.minio.kill()
	f.startServer() // starts without MinIO, recording into the spool
	pub := f.publish(ivf, ogg, 20*time.Second)
	f.recording(15 * time.Second)

	deadline := time.Now().Add(20 * time.Second)
	for f.metric("liuhen_spool_full_total") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("spool not full after 20 s; spool bytes %v", f.metric("liuhen_spool_bytes"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if log := f.serverLog(); !strings.Contains(log, "level=ERROR msg=\"spool full") {
		t.Error("the server log has no error saying the spool is full")
	}
	if used := f.metric("liuhen_spool_bytes"); used < 300<<10 {
		t.Errorf("got liuhen_spool_bytes %v, want at least the bound %d", used, 300<<10)
	}

	_, err := publish.Run(context.Background(), publish.Options{
		Endpoint: fmt.Sprintf("%s/whip/%d", f.url, f.sample.MeetingID), Token: f.admin,
		VideoIVF: ivf, AudioOgg: ogg, Duration: 2 * time.Second})
	var he *publish.HTTPError
	if !errors.As(err, &he) || he.Status != 503 || !strings.Contains(he.Body, "spool is full") {
		t.Errorf("second publisher: got %v, want 503 saying the spool is full", err)
	}

	spooled := f.spoolRecords()
	f.minio.start(t)
	rec := f.waitEnded(60 * time.Second)
	if rec.State != agenda.StateInterrupted {
		t.Errorf("got recording state %q, want %q", rec.State, agenda.StateInterrupted)
	}
	f.waitSpoolEmpty(60 * time.Second)
	segs := f.checkEvidence()
	checkContiguous(t, segs)
	checkStoredAsSpooled(t, spooled, segs)
	f.checkVerdicts()
	_ = pub.wait(t, 30*time.Second) // its session was ended by the server
}

// TestFaultSIGTERMMidRecording stops the server with SIGTERM a second
// into its third segment: it exits cleanly within 30 s, having stored the
// segment it was writing, and the recording is marked interrupted.
func TestFaultSIGTERMMidRecording(t *testing.T) {
	f := newFaultStack(t, faultOptions{segment: 3 * time.Second})
	ivf, ogg := faultMedia(t, 17*time.Second)
	f.startServer()
	pub := f.publish(ivf, ogg, 15*time.Second)
	zero := f.recording(15 * time.Second).StartedAt

	f.waitSegments(2, 20*time.Second)
	time.Sleep(time.Second)
	before := f.segments()
	stoppedAt := time.Since(zero)
	stopping := time.Now()
	f.server.signal(t, syscall.SIGTERM)
	if code := f.server.wait(t, 30*time.Second); code != exitOK {
		t.Errorf("got exit status %d, want %d", code, exitOK)
	}
	took := time.Since(stopping)
	if left := f.spoolRecords(); len(left) > 0 {
		t.Errorf("segments left in the spool by a clean stop: %v", left)
	}
	if rec := f.recording(time.Second); rec.State != agenda.StateInterrupted {
		t.Errorf("got recording state %q, want %q", rec.State, agenda.StateInterrupted)
	}
	segs := f.checkEvidence()
	end := checkContiguous(t, segs)
	last := time.Duration(before[len(before)-1].MediaEndMs) * time.Millisecond
	if len(segs) <= len(before) || end-last < 500*time.Millisecond {
		t.Errorf("got %d segments ending at %v, had %d ending at %v before the stop: the "+
			"segment being written was not stored", len(segs), end, len(before), last)
	}
	t.Logf("stopped with SIGTERM at %v in %v; %d segments stored, ending at %v",
		stoppedAt.Round(10*time.Millisecond), took.Round(10*time.Millisecond), len(segs), end)
	if lag := stoppedAt - end; lag > 2500*time.Millisecond {
		t.Errorf("the recording ends at %v, stopped at %v: %v lost, want only what the "+
			"media pipeline held", end, stoppedAt, lag)
	}
	f.checkVerdicts()
	_ = pub.wait(t, 30*time.Second)
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/publish"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestRecordServersShareDatabase: while a server records a meeting, a
// second server that fails to bind its port and a third that starts on
// the same database leave the live recording alone: it stays recording,
// its agenda item is marked start and end, and it ends finished. A
// recording whose server is gone is interrupted when the next one starts.
func TestRecordServersShareDatabase(t *testing.T) {
	first := startStack(t, 3*time.Second)
	ctx := context.Background()
	store := first.app.svc.store
	sample, err := agenda.LoadSample(ctx, store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	ivf, ogg := ffmpegMedia(t, 10*time.Second)
	done := make(chan error, 1)
	go func() {
		_, err := publish.Run(ctx, publish.Options{
			Endpoint: fmt.Sprintf("%s/whip/%d", first.url, sample.MeetingID), Token: first.admin,
			VideoIVF: ivf, AudioOgg: ogg, Duration: 8 * time.Second,
		})
		done <- err
	}()
	item := fmt.Sprintf("/api/v1/agenda-items/%d/marks", sample.AgendaItemIDs[0])
	waitRecording(t, first, sample.MeetingID)
	if status, body := first.call(t, "POST", item, first.admin,
		`{"action":"start"}`); status != 201 && status != 200 {
		t.Fatalf("mark start: got status %d, want 201; body %s", status, body)
	}

	t.Run("a server on a taken port", func(t *testing.T) {
		c := first.cfg
		u, _ := url.Parse(first.url)
		c.Listen, c.SpoolDir = u.Host, t.TempDir()
		err := serve(ctx, c)
		if err == nil || !strings.Contains(err.Error(), "address already in use") {
			t.Errorf("got %v, want address already in use", err)
		}
		checkLive(t, first, sample.MeetingID)
	})
	t.Run("a server that starts", func(t *testing.T) {
		second := startApp(t, first.cfg)
		defer second.close()
		checkLive(t, first, sample.MeetingID)
	})

	if status, body := first.call(t, "POST", item, first.admin,
		`{"action":"end"}`); status != 200 {
		t.Fatalf("mark end: got status %d, want 200: the recording goes on; body %s", status,
			body)
	}
	if err := <-done; err != nil {
		t.Fatalf("publish: %v", err)
	}
	if rec := first.waitRecordingEnded(t, sample.MeetingID); rec.State != agenda.StateFinished {
		t.Errorf("got recording %s, want finished", rec.State)
	}

	t.Run("a recording of a server that is gone", func(t *testing.T) {
		gone, err := agenda.ClaimRecorder(ctx, first.app.svc.pool, slog.Default())
		if err != nil {
			t.Fatal(err)
		}
		meeting := sample.EarlierMeetingID
		_, err = store.As(gone).OpenTrack(ctx, meeting, "gone", "opus", "vp8", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := gone.Close(ctx); err != nil { // as when its process ends
			t.Fatal(err)
		}
		next := startApp(t, first.cfg)
		defer next.close()
		recs, err := store.RecordingSummary(ctx, meeting)
		if err != nil {
			t.Fatal(err)
		}
		if r := recs[len(recs)-1]; r.State != agenda.StateInterrupted {
			t.Errorf("got the gone server's recording %s, want interrupted", r.State)
		}
		checkLive(t, first, sample.MeetingID) // ended finished, and stays so
	})
}

// startApp assembles another server on c's database with a spool of its
// own, without serving it.
func startApp(t *testing.T, c config) *app {
	t.Helper()
	c.SpoolDir = t.TempDir()
	a, err := newApp(context.Background(), c, slog.New(slog.NewTextHandler(testWriter{t}, nil)))
	if err != nil {
		t.Fatalf("start another server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.recorder.Close(ctx)
	})
	return a
}

// waitRecording waits until the meeting's recording is open.
func waitRecording(t *testing.T, s *stack, meeting int64) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		recs, err := s.app.svc.store.RecordingSummary(context.Background(), meeting)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 && recs[len(recs)-1].State == agenda.StateRecording {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("meeting %d is not being recorded 20 s after publishing began", meeting)
}

// checkLive fails when the meeting's last recording was interrupted.
func checkLive(t *testing.T, s *stack, meeting int64) {
	t.Helper()
	recs, err := s.app.svc.store.RecordingSummary(context.Background(), meeting)
	if err != nil {
		t.Fatal(err)
	}
	if r := recs[len(recs)-1]; r.State == agenda.StateInterrupted {
		t.Errorf("got the first server's recording %s, want it left alone", r.State)
	}
}

// TestRecordPublishTokenExpiresMidMeeting: the publish token that opened a
// session expires while it records; the room still marks agenda items
// with it while the session lasts, the publisher's DELETE with it ends the
// session, and the recording is finished, not interrupted.
func TestRecordPublishTokenExpiresMidMeeting(t *testing.T) {
	s := startStack(t, 3*time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ivf, ogg := ffmpegMedia(t, 6*time.Second)
	done := make(chan error, 1)
	go func() {
		_, err := publish.Run(ctx, publish.Options{
			Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: token,
			VideoIVF: ivf, AudioOgg: ogg, Duration: 4 * time.Second,
		})
		done <- err
	}()
	waitRecording(t, s, sample.MeetingID)
	if _, err := s.app.svc.pool.Exec(ctx, `UPDATE publish_tokens SET expires_at = now()
		WHERE meeting_id = $1`, sample.MeetingID); err != nil {
		t.Fatal(err)
	}
	mark := fmt.Sprintf("/api/v1/agenda-items/%d/marks", sample.AgendaItemIDs[0])
	status, body := s.call(t, "POST", mark, token, `{"action":"start"}`)
	if status != 201 && status != 200 {
		t.Errorf("mark with the expired token of the live session: got status %d, want 201; "+
			"body %s", status, body)
	}
	if status, _ := s.call(t, "POST", mark, "not-a-token", `{"action":"end"}`); status != 401 {
		t.Errorf("mark with an unknown token: got status %d, want 401", status)
	}
	if err := <-done; err != nil {
		t.Errorf("publish: %v; want its DELETE accepted with the token that opened it", err)
	}
	if status, _ := s.call(t, "POST", mark, token, `{"action":"end"}`); status != 401 {
		t.Errorf("mark with the expired token once its session ended: got status %d, want 401",
			status)
	}
	if rec := s.waitRecordingEnded(t, sample.MeetingID); rec.State != agenda.StateFinished {
		t.Errorf("got recording %s, want finished", rec.State)
	}
}

// TestRecordDeleteWhileDatabaseDown: PostgreSQL becomes unreachable while
// a meeting is recorded. The publisher's DELETE with its meeting's publish
// token, which the database would check, is answered 200 all the same (the
// live session knows its token), and once the database is back the last
// segments are catalogued and the recording is finished.
func TestRecordDeleteWhileDatabaseDown(t *testing.T) {
	proxy, dbURL := newDBProxy(t, testenv.DatabaseURL(t))
	s := startStackWith(t, 2*time.Second, func(c *config) { c.DatabaseURL = dbURL })
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	ivf, ogg := ffmpegMedia(t, 7*time.Second)
	done := make(chan error, 1)
	go func() {
		_, err := publish.Run(ctx, publish.Options{
			Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: token,
			VideoIVF: ivf, AudioOgg: ogg, Duration: 5 * time.Second,
		})
		done <- err
	}()
	waitRecording(t, s, sample.MeetingID)
	time.Sleep(2 * time.Second)
	proxy.cut()
	err = <-done
	time.Sleep(3 * time.Second) // the last segments wait for the database
	proxy.restore()
	if err != nil {
		t.Errorf("publish: %v; want its DELETE answered with the database down", err)
	}
	if rec := s.waitRecordingEnded(t, sample.MeetingID); rec.State != agenda.StateFinished {
		t.Errorf("got recording %s, want finished", rec.State)
	}
	segs := s.checkSegments(t, sample.MeetingID, true)
	if end := checkContiguous(t, segs); end < 4*time.Second {
		t.Errorf("the recording ends at %v, want about 5 s", end)
	}
}

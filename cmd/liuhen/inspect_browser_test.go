package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/publish"
)

// TestInspectorSearchesAndWatchesInBrowser records 8 s of the sample
// meeting, marks its first item from 4.2 s to 7 s, waits for the viewing
// copy, and then, as an inspector in headless Chromium, searches for 敬老院
// on the search page, opens the result and checks that the player stands
// at the item's index point, with the meeting's items as chapters, the
// recording's segments, and the visit in the audit log.
func TestInspectorSearchesAndWatchesInBrowser(t *testing.T) {
	t.Setenv("LIUHEN_TRANSCODE_SWEEP", "1s")
	s := startStack(t, 3*time.Second)
	s.startCopies(t)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	token, err := s.app.svc.store.CreatePublishToken(ctx, sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ivf, ogg := ffmpegMedia(t, 8*time.Second)
	if _, err := publish.Run(ctx, publish.Options{
		Endpoint: fmt.Sprintf("%s/whip/%d", s.url, sample.MeetingID), Token: token,
		VideoIVF: ivf, AudioOgg: ogg,
	}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	rec := s.waitRecordingEnded(t, sample.MeetingID)
	const startMs = 4200
	if _, err := s.app.svc.pool.Exec(ctx, `INSERT INTO index_points (agenda_item_id,
		recording_id, start_ms, end_ms) VALUES ($1, $2, $3, 7000)`,
		sample.AgendaItemIDs[0], rec.ID, startMs); err != nil {
		t.Fatal(err)
	}
	s.waitViewingCopy(t, rec.ID, token)
	_, inspector, err := inspect.NewTokens(s.app.svc.pool).Create(ctx, "王明", time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	b, err := browser.Start(ctx, browser.Options{Log: t.Logf})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	defer b.Close()
	links, err := b.Search(s.url, inspector, "敬老院")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("/watch/%d", sample.AgendaItemIDs[0]); len(links) != 1 ||
		links[0] != want {
		t.Fatalf("got results %v, want [%s]", links, want)
	}
	w, err := b.OpenFirstResult()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("watch page: player at %.3f s, chapters %q, verdict %s, %d segments",
		w.CurrentTime, w.Chapters, w.Verdict, w.Segments)
	if math.Abs(w.CurrentTime-startMs/1000.0) > 0.05 {
		t.Errorf("got the player at %.3f s, want the index point %.3f s", w.CurrentTime,
			startMs/1000.0)
	}
	if len(w.Chapters) != len(sample.AgendaItemIDs) || !strings.Contains(w.Chapters[0], "0:04") {
		t.Errorf("got chapters %q, want the meeting's %d items, the first at 0:04",
			w.Chapters, len(sample.AgendaItemIDs))
	}
	segs, err := s.app.svc.store.MeetingSegments(ctx, sample.MeetingID)
	if err != nil || w.Segments != len(segs) {
		t.Errorf("got %d segment rows, want the %d segments (%v)", w.Segments, len(segs), err)
	}
	checkAudited(t, s, "王明", []string{inspect.ActionWatch, inspect.ActionSearch})
}

// checkAudited checks the newest audit entries of actor, newest first:
// their actions, each answered 200.
func checkAudited(t *testing.T, s *stack, actor string, actions []string) {
	t.Helper()
	status, body := s.call(t, http.MethodGet, "/api/v1/audit?actor="+url.QueryEscape(actor),
		s.admin, "")
	if status != http.StatusOK {
		t.Fatalf("read the audit log: got %d %s", status, body)
	}
	var log struct{ Entries []inspect.Entry }
	if err := json.Unmarshal([]byte(body), &log); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log.Entries {
		if e.Status == nil || *e.Status != http.StatusOK {
			t.Errorf("audit entry %+v: want status 200", e)
		}
		got = append(got, e.Action)
	}
	if !slices.Equal(got, actions) {
		t.Errorf("audit log of %s: got actions %v, want %v", actor, got, actions)
	}
}

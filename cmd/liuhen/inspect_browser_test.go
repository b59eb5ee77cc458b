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
	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/publish"
)

// TestInspectorSearchesAndWatchesInBrowser records 8 s of the sample
// meeting, marks its first item from 4.2 s to 7 s, waits for the viewing
// copy, and then, as an inspector in headless Chromium, searches for 敬老院
// on the search page, opens the result and checks that the player stands
// at the item's index point, with the meeting's items as chapters and the
// recording's segments. It exports the item's evidence bundle with the
// page's button, checks the saved file with liuhen verify-bundle and the
// key the page shows, and finds the visit and the export in the audit log.
// Last, the export of an item without index points shows the 409's reason
// on the page, and that refusal is in the audit log too.
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
	checkBrowserExport(t, s, b, sample.AgendaItemIDs[0])
	checkAudited(t, s, "王明", []string{inspect.ActionExport, inspect.ActionWatch,
		inspect.ActionSearch})
	checkRefusedExport(t, s, b, sample.AgendaItemIDs[1])
}

// checkBrowserExport clicks the export button of the open watch page and
// checks the saved bundle offline, with the key and command the page shows.
func checkBrowserExport(t *testing.T, s *stack, b *browser.Browser, itemID int64) {
	t.Helper()
	x, err := b.ExportEvidence(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("evidence-item-%d.zip", itemID); x.Name != want {
		t.Errorf("got download name %q, want %q", x.Name, want)
	}
	status, body := s.call(t, http.MethodGet, "/api/v1/signing-key", s.admin, "")
	var key bundle.PublicKeyInfo
	if err := json.Unmarshal([]byte(body), &key); status != http.StatusOK || err != nil {
		t.Fatalf("read the signing key: got %d %s (%v)", status, body, err)
	}
	if x.PublicKey != key.PublicKey {
		t.Errorf("page shows key %q, want the server's %q", x.PublicKey, key.PublicKey)
	}
	want := fmt.Sprintf("liuhen verify-bundle %s --public-key %s", x.Name, key.PublicKey)
	if x.Command != want {
		t.Errorf("page shows command %q, want %q", x.Command, want)
	}
	code, out, errOut := runCaptured(t, "verify-bundle", x.Path, "--public-key", x.PublicKey)
	if code != exitOK {
		t.Fatalf("verify-bundle on the download: exit %d, want %d\n%s%s", code, exitOK, out,
			errOut)
	}
	checkBundleSubject(t, x.Path, key.PublicKey, itemID)
}

// checkBundleSubject checks that the valid bundle at path is the item's.
func checkBundleSubject(t *testing.T, path, publicKey string, itemID int64) {
	t.Helper()
	pub, err := bundle.ParsePublicKey(publicKey)
	if err != nil {
		t.Fatal(err)
	}
	report, err := bundle.VerifyFile(path, pub)
	if err != nil || !report.Valid() {
		t.Fatalf("verify %s: %v, problems %v", path, err, report)
	}
	if got := report.Manifest.Subject.AgendaItemID; got != itemID {
		t.Errorf("got a bundle of agenda item %d, want %d", got, itemID)
	}
	if len(report.Manifest.Segments) == 0 {
		t.Errorf("got a bundle of no segments, want those of the index point")
	}
}

// checkRefusedExport opens the watch page of an item without index points,
// clicks export and checks the page's error and the audited refusal.
func checkRefusedExport(t *testing.T, s *stack, b *browser.Browser, itemID int64) {
	t.Helper()
	if err := b.OpenWatch(s.url, itemID); err != nil {
		t.Fatal(err)
	}
	_, err := b.ExportEvidence(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "Conflict") ||
		!strings.Contains(err.Error(), "cannot be exported") {
		t.Fatalf("export of item %d without index points: got %v, want the page to show "+
			"the 409 and its reason", itemID, err)
	}
	t.Logf("refused export: %v", err)
	newest := auditEntries(t, s, "王明")[0]
	target := fmt.Sprintf("/api/v1/agenda-items/%d/evidence", itemID)
	if newest.Action != inspect.ActionExport || newest.Target != target ||
		newest.Status == nil || *newest.Status != http.StatusConflict {
		t.Errorf("got newest audit entry %+v, want export of %s answered 409", newest, target)
	}
}

// checkAudited checks the newest audit entries of actor, newest first:
// their actions, each answered 200.
func checkAudited(t *testing.T, s *stack, actor string, actions []string) {
	t.Helper()
	var got []string
	for _, e := range auditEntries(t, s, actor) {
		if e.Status == nil || *e.Status != http.StatusOK {
			t.Errorf("audit entry %+v: want status 200", e)
		}
		got = append(got, e.Action)
	}
	if !slices.Equal(got, actions) {
		t.Errorf("audit log of %s: got actions %v, want %v", actor, got, actions)
	}
}

// auditEntries reads the audit entries of actor, newest first.
func auditEntries(t *testing.T, s *stack, actor string) []inspect.Entry {
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
	if len(log.Entries) == 0 {
		t.Fatalf("audit log of %s: got no entries", actor)
	}
	return log.Entries
}

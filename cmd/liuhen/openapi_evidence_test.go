package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	bundle "github.com/liuhen/liuhen/evidence"
)

// checkEvidence stores one segment for the first agenda item of the
// sample's earlier meeting, marks it, and checks the evidence routes: a
// bundle that verifies under the served key, and each refusal.
func checkEvidence(t *testing.T, c *contract, s *stack, sample agenda.Sample) {
	ctx := context.Background()
	store := s.app.svc.store
	item := sample.EarlierAgendaItemIDs[0]
	ref, err := store.OpenTrack(ctx, sample.EarlierMeetingID, "openapi-evidence", "opus", "",
		time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatalf("open track: %v", err)
	}
	data := []byte("the bytes of one segment, for the contract test")
	sum := sha256.Sum256(data)
	key := fmt.Sprintf("meetings/%d/recordings/%d/tracks/%d/000000.webm", ref.MeetingID,
		ref.RecordingID, ref.TrackID)
	if err := s.app.svc.objects.Put(ctx, key, bytes.NewReader(data), int64(len(data)), sum,
		"video/webm"); err != nil {
		t.Fatalf("store segment: %v", err)
	}
	if err := store.AddSegment(ctx, ref.TrackID, agenda.SegmentRow{ObjectKey: key, SHA256: sum,
		Size: int64(len(data)), MediaEnd: 10 * time.Second, WallStart: ref.Zero,
		WallEnd: ref.Zero.Add(10 * time.Second)}); err != nil {
		t.Fatalf("catalogue segment: %v", err)
	}
	if err := store.CloseTrack(ctx, ref.TrackID, agenda.TrackEnd{State: agenda.StateFinished,
		Reason: "contract test", Segments: 1, At: time.Now()}); err != nil {
		t.Fatalf("close track: %v", err)
	}
	end := int64(2000)
	if _, err := store.AddIndexPoint(ctx, item, ref.RecordingID, 1000, &end); err != nil {
		t.Fatalf("add index point: %v", err)
	}

	_, body := c.check(t, exchange{name: "signing key", method: "GET",
		path: "/api/v1/signing-key", token: s.admin, want: 200})
	pub, err := bundle.ParsePublicKey(string(jsonField(t, body, "public_key")))
	if err != nil {
		t.Fatalf("signing key %s: %v", body, err)
	}
	_, body = c.check(t, exchange{name: "agenda item bundle", method: "GET", token: s.admin,
		want: 200, path: fmt.Sprintf("/api/v1/agenda-items/%d/evidence", item)})
	if r := bundle.Verify(bytes.NewReader(body), int64(len(body)), pub); !r.Valid() {
		t.Errorf("the bundle does not verify under the served key: %v", r.Problems)
	}
	token, err := store.CreatePublishToken(ctx, sample.EarlierMeetingID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c.checkAll(t, []exchange{
		{name: "unknown decision", method: "GET", path: "/api/v1/decisions/999999999/evidence",
			token: s.admin, want: 404},
		{name: "decision linked to no agenda item", method: "GET", token: s.admin, want: 409,
			path: fmt.Sprintf("/api/v1/decisions/%d/evidence", unlinkedDecision(t, s, sample))},
		{name: "item without index points", method: "GET", token: s.admin, want: 409,
			path: fmt.Sprintf("/api/v1/agenda-items/%d/evidence", sample.AgendaItemIDs[2])},
		{name: "bundle with a publish token", method: "GET", token: token, want: 403,
			path: fmt.Sprintf("/api/v1/agenda-items/%d/evidence", item)},
		{name: "signing key with a publish token", method: "GET", path: "/api/v1/signing-key",
			token: token, want: 200},
		{name: "signing key without a token", method: "GET", path: "/api/v1/signing-key",
			want: 401},
	})
}

func unlinkedDecision(t testing.TB, s *stack, sample agenda.Sample) int64 {
	t.Helper()
	for _, sd := range sample.Decisions {
		d, err := s.app.svc.store.GetDecision(context.Background(), sd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.AgendaItemID == nil {
			return d.ID
		}
	}
	t.Fatal("the sample has no decision linked to no agenda item")
	return 0
}

// jsonField reads the string member name of a JSON object.
func jsonField(t testing.TB, body []byte, name string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("read %s of %s: %v", name, body, err)
	}
	v, _ := m[name].(string)
	return []byte(v)
}

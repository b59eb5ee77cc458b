package inspect_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/verify"
)

// storeEvidence puts the fixture's segments and a viewing copy of its
// recording into the evidence store, and returns the copy's bytes.
func (s *server) storeEvidence(t testing.TB) []byte {
	t.Helper()
	ctx := context.Background()
	for _, key := range s.segments {
		b := segmentBytes(key)
		if err := s.objects.s.Put(ctx, key, bytes.NewReader(b), int64(len(b)),
			sha256.Sum256(b), "video/webm"); err != nil {
			t.Fatalf("store segment %s: %v", key, err)
		}
	}
	copyBytes := bytes.Repeat([]byte("0123456789"), 3000)
	sum := sha256.Sum256(copyBytes)
	key := fmt.Sprintf("viewing/meetings/%d/recordings/%d/recording-j1-a1.mp4",
		s.meetings["QS1"], s.recording)
	if err := s.objects.s.Put(ctx, key, bytes.NewReader(copyBytes), int64(len(copyBytes)),
		sum, "video/mp4"); err != nil {
		t.Fatalf("store viewing copy: %v", err)
	}
	s.exec(t, `INSERT INTO viewing_copies (recording_id, state, object_key, sha256, size_bytes,
			duration_ms, finished_at)
		VALUES ($1, 'done', $2, $3, $4, 1200000, now())`, s.recording, key, sum[:],
		len(copyBytes))
	return copyBytes
}

func (s *server) watch(t testing.TB, item string) inspect.Watch {
	t.Helper()
	var v inspect.Watch
	s.get(t, fmt.Sprintf("/api/v1/agenda-items/%d/watch", s.items[item]), adminToken, &v)
	return v
}

func TestWatch(t *testing.T) {
	s := newServer(t)
	copyBytes := s.storeEvidence(t)
	v := s.watch(t, "QS1.2")
	if v.AgendaItem.ID != s.items["QS1.2"] || v.Meeting.ID != s.meetings["QS1"] ||
		v.Unit.Code != "QY-QS" || v.Matter == nil || v.Matter.Name != "干部任免" {
		t.Errorf("got item %+v of meeting %+v, unit %+v, matter %+v; want QS1.2 of QS1",
			v.AgendaItem, v.Meeting, v.Unit, v.Matter)
	}
	var chapters []string
	for _, c := range v.Chapters {
		start := "none"
		if c.StartMs != nil {
			start = fmt.Sprint(*c.StartMs)
		}
		chapters = append(chapters, fmt.Sprintf("%d %s", c.AgendaItem.Seq, start))
	}
	if want := []string{"1 30000", "2 600000"}; !slices.Equal(chapters, want) {
		t.Errorf("got chapters %v, want %v", chapters, want)
	}
	p := v.Playback
	if p == nil || p.ID != s.recording || p.StartMs != 600000 || p.EndMs == nil ||
		*p.EndMs != 1150000 {
		t.Fatalf("got playback %+v, want the recording from 600000 to 1150000 ms", p)
	}
	if len(p.Tracks) != 1 || len(p.Tracks[0].Segments) != 2 {
		t.Fatalf("got tracks %+v, want one with two segments", p.Tracks)
	}
	for i, g := range p.Tracks[0].Segments {
		sum := sha256.Sum256(segmentBytes(s.segments[i]))
		if g.ObjectKey != s.segments[i] || g.SHA256 != hex.EncodeToString(sum[:]) ||
			g.Size != 1000 || g.Seq != i || g.Gaps == nil {
			t.Errorf("segment %d: got %+v, want key %s, SHA-256 %x", i, g, s.segments[i], sum)
		}
	}
	checkRangeRead(t, p.ViewingCopy, copyBytes)
	if v.Verification.Status != inspect.VerifyPass || len(v.Verification.Decisions) != 1 ||
		v.Verification.Decisions[0].ID != s.decision["D1"] {
		t.Errorf("got verification %+v, want D1 passing", v.Verification)
	}
}

// checkRangeRead reads the middle of the viewing copy through its link
// with a Range header, as a video element seeking does, and expects 206
// with those bytes only.
func checkRangeRead(t testing.TB, c *inspect.ViewingCopy, want []byte) {
	t.Helper()
	if c == nil || c.State != "done" || c.URL == "" || c.Size != int64(len(want)) {
		t.Fatalf("got viewing copy %+v, want a link to the done copy", c)
	}
	req, err := http.NewRequest(http.MethodGet, c.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Range", "bytes=12345-12444")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, want[12345:12445]) ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 12345-12444/%d", len(want)) {
		t.Errorf("range read: got %d, %d bytes, Content-Range %q; want 206 with bytes "+
			"12345-12444", resp.StatusCode, len(got), resp.Header.Get("Content-Range"))
	}
}

func TestWatchVerdicts(t *testing.T) {
	s := newServer(t)
	s.storeEvidence(t)
	tests := []struct {
		item, wantStatus string
		wantCodes        []string
		wantPlayback     bool
	}{
		{"QS1.1", inspect.VerifyPass, nil, true},
		{"QSG.1", inspect.VerifyFail, []string{verify.CodeWrongBody, verify.CodeNoRecording},
			false},
		{"YJ.1", inspect.VerifyFail, []string{verify.CodeNoRecording}, false},
		{"SM1.1", inspect.VerifyNoDecisions, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.item, func(t *testing.T) {
			v := s.watch(t, tt.item)
			var codes []string
			for _, f := range v.Verification.Findings {
				codes = append(codes, f.Code)
			}
			if v.Verification.Status != tt.wantStatus || !slices.Equal(codes, tt.wantCodes) {
				t.Errorf("got %s %v, want %s %v", v.Verification.Status, codes, tt.wantStatus,
					tt.wantCodes)
			}
			if (v.Playback != nil) != tt.wantPlayback {
				t.Errorf("got playback %+v, want one: %v", v.Playback, tt.wantPlayback)
			}
		})
	}
	t.Run("a segment of another size is tampering", func(t *testing.T) {
		s.exec(t, `UPDATE segments SET size_bytes = 999 WHERE object_key = $1`, s.segments[1])
		v := s.watch(t, "QS1.1")
		if v.Verification.Status != inspect.VerifyFail || len(v.Verification.Findings) != 1 ||
			v.Verification.Findings[0].Code != verify.CodeRecordingTampered ||
			v.Verification.Findings[0].ObjectKey != s.segments[1] {
			t.Errorf("got %+v, want RECORDING_TAMPERED naming %s", v.Verification, s.segments[1])
		}
	})
}

func TestWatchBadInput(t *testing.T) {
	s := newServer(t)
	status, body := s.call(t, http.MethodGet, "/api/v1/agenda-items/999999/watch", adminToken,
		"", "")
	checkProblem(t, status, body, http.StatusNotFound, "")
	status, body = s.call(t, http.MethodGet, "/api/v1/agenda-items/x/watch", adminToken, "", "")
	checkProblem(t, status, body, http.StatusBadRequest, "id")
}

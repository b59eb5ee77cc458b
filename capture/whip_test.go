package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pion/webrtc/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
)

// fakeCatalog keeps the catalogue in memory: these tests are about the
// WHIP protocol, not the database.
type fakeCatalog struct {
	mu       sync.Mutex
	segments []agenda.SegmentRow
	closed   map[int64]string
	ends     map[int64]agenda.TrackEnd
	down     atomic.Bool // MeetingExists fails, as with PostgreSQL down
	openDown atomic.Bool // OpenTrack fails as pgx does when PostgreSQL went away
}

func (c *fakeCatalog) MeetingExists(_ context.Context, id int64) (bool, error) {
	if c.down.Load() {
		return false, errors.New("look up meeting: connection refused")
	}
	return id == 1 || id == 2, nil
}

func (c *fakeCatalog) OpenTrack(_ context.Context, meetingID int64, _, _, _ string,
	now time.Time) (agenda.TrackRef, error) {
	if c.openDown.Load() {
		return agenda.TrackRef{}, fmt.Errorf("insert recording: %w", pgconn.ErrConnClosed)
	}
	return agenda.TrackRef{RecordingID: 7, TrackID: 9, MeetingID: meetingID, Zero: now}, nil
}

func (c *fakeCatalog) AddSegment(_ context.Context, _ int64, seg agenda.SegmentRow) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.segments = append(c.segments, seg)
	return nil
}

func (c *fakeCatalog) CloseTrack(_ context.Context, trackID int64, end agenda.TrackEnd) error {
	state := end.State
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == nil {
		c.closed, c.ends = map[int64]string{}, map[int64]agenda.TrackEnd{}
	}
	c.closed[trackID], c.ends[trackID] = state, end
	return nil
}

// trackEnd returns how the track was closed, if it was.
func (c *fakeCatalog) trackEnd(trackID int64) (agenda.TrackEnd, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	end, ok := c.ends[trackID]
	return end, ok
}

func (c *fakeCatalog) closedState(trackID int64) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed[trackID]
}

type fakeObjects struct {
	mu   sync.Mutex
	keys []string
}

func (o *fakeObjects) PutFile(_ context.Context, key, path string, _ [32]byte, _ string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.keys = append(o.keys, key)
	return nil
}

// fakeAuth knows an admin token and a publish token for meeting 2.
type fakeAuth struct{}

func (fakeAuth) Authenticate(r *http.Request) (access.Principal, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer admin":
		return access.Principal{Admin: true}, nil
	case "Bearer room2":
		return access.Principal{MeetingID: 2}, nil
	case "Bearer database-down":
		return access.Principal{}, errors.New("look up publish token: connection refused")
	case "":
		return access.Principal{}, access.ErrNoToken
	}
	return access.Principal{}, access.ErrUnknownToken
}

func newTestServer(t *testing.T) (*Server, *fakeCatalog, *httptest.Server) {
	t.Helper()
	return newTestServerWith(t, Config{SpoolDir: t.TempDir(), SegmentDuration: 2 * time.Second,
		ICELoopback: true})
}

func newTestServerWith(t *testing.T, cfg Config) (*Server, *fakeCatalog, *httptest.Server) {
	t.Helper()
	return newTestServerAuth(t, cfg, fakeAuth{})
}

func newTestServerAuth(t *testing.T, cfg Config, auth Authenticator) (*Server, *fakeCatalog,
	*httptest.Server) {
	t.Helper()
	cat := &fakeCatalog{}
	srv, err := NewServer(cfg, Deps{
		Catalog: cat, Objects: &fakeObjects{}, Auth: auth,
		Metrics: NewMetrics(prometheus.NewRegistry()),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	hs := httptest.NewServer(srv.Routes())
	t.Cleanup(func() {
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return srv, cat, hs
}

// offerFrom makes a real SDP offer from a pion peer that sends the given
// codecs.
func offerFrom(t *testing.T, codecs ...webrtc.RTPCodecCapability) string {
	t.Helper()
	m := &webrtc.MediaEngine{}
	for i, c := range codecs {
		kind := webrtc.RTPCodecTypeAudio
		if strings.HasPrefix(c.MimeType, "video/") {
			kind = webrtc.RTPCodecTypeVideo
		}
		err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: c,
			PayloadType: webrtc.PayloadType(96 + i)}, kind)
		if err != nil {
			t.Fatalf("register codec: %v", err)
		}
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("new peer connection: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	for _, c := range codecs {
		track, err := webrtc.NewTrackLocalStaticSample(c, c.MimeType, "test")
		if err != nil {
			t.Fatalf("new track: %v", err)
		}
		if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{
			Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatalf("add track: %v", err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("create offer: %v", err)
	}
	return offer.SDP
}

var (
	opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}
	vp8  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	pcmu = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}
	vp9  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000}
)

func do(t *testing.T, method, url, token, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestWHIPRefusesBadRequests(t *testing.T) {
	_, _, hs := newTestServer(t)
	good := offerFrom(t, opus, vp8)
	tests := []struct {
		name, method, path, token, ctype, body string
		want                                   int
		wantBody                               string
	}{
		{"no token", "POST", "/1", "", sdpType, good, 401, "Bearer"},
		{"wrong token", "POST", "/1", "guess", sdpType, good, 401, "Bearer"},
		{"token of another meeting", "POST", "/1", "room2", sdpType, good, 403, "own meeting"},
		{"token cannot be checked", "POST", "/1", "database-down", sdpType, good, 503, "try again"},
		{"unknown meeting", "POST", "/99", "admin", sdpType, good, 404, "meeting 99"},
		{"meeting id not a number", "POST", "/abc", "admin", sdpType, good, 404, "no such meeting"},
		{"wrong content type", "POST", "/1", "admin", "application/json", good, 415, "application/sdp"},
		{"malformed SDP", "POST", "/1", "admin", sdpType, "hello, this is no SDP", 400, "bad SDP offer"},
		{"no media", "POST", "/1", "admin", sdpType,
			"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", 400, "no audio or video"},
		{"audio codec not recorded", "POST", "/1", "admin", sdpType, offerFrom(t, pcmu, vp8), 406, "opus"},
		{"video codec not recorded", "POST", "/1", "admin", sdpType, offerFrom(t, opus, vp9), 406, "VP8"},
		{"two audio sections", "POST", "/1", "admin", sdpType, offerFrom(t, opus, opus, vp8),
			406, "two audio sections: Liuhen records one audio and one video track per publisher"},
		{"GET on the endpoint", "GET", "/1", "admin", "", "", 405, "OPTIONS, POST"},
		{"PUT on a session", "PUT", "/1/abc", "admin", "", "", 405, "PATCH, DELETE"},
		{"DELETE of an unknown session", "DELETE", "/1/nosuch", "admin", "", "", 404, "no such WHIP session"},
		{"PATCH of an unknown session", "PATCH", "/1/nosuch", "admin",
			"application/trickle-ice-sdpfrag", "a=end-of-candidates", 404, "no such WHIP session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, hs.URL+tt.path, tt.token, tt.ctype, tt.body)
			if resp.StatusCode != tt.want {
				t.Fatalf("got status %d, want %d; body %s", resp.StatusCode, tt.want, body)
			}
			if !strings.Contains(body, tt.wantBody) {
				t.Errorf("got body %q, want it to mention %q", body, tt.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("got Content-Type %q, want application/problem+json", ct)
			}
		})
	}
}

func TestWHIPOptionsAdvertisesSDP(t *testing.T) {
	_, _, hs := newTestServer(t)
	resp, _ := do(t, "OPTIONS", hs.URL+"/1", "", "", "")
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("got status %d, want 204", resp.StatusCode)
	}
	if got := resp.Header.Get("Accept-Post"); got != sdpType {
		t.Errorf("got Accept-Post %q, want %q", got, sdpType)
	}
}

func TestWHIPSessionLifecycle(t *testing.T) {
	srv, cat, hs := newTestServer(t)
	resp, answer := do(t, "POST", hs.URL+"/2", "room2", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("got status %d, want 201; body %s", resp.StatusCode, answer)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/whip/2/") {
		t.Fatalf("got Location %q, want /whip/2/<session>", loc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != sdpType {
		t.Errorf("got Content-Type %q, want %s", ct, sdpType)
	}
	if !strings.Contains(answer, "a=candidate:") || !strings.Contains(answer, "VP8/90000") {
		t.Errorf("answer lacks candidates or VP8:\n%s", answer)
	}
	if strings.Contains(answer, "H264") {
		t.Errorf("answer offers H264, which the publisher did not offer:\n%s", answer)
	}
	session := hs.URL + strings.TrimPrefix(loc, "/whip")

	if resp, body := do(t, "PATCH", session, "room2", "application/trickle-ice-sdpfrag",
		"a=end-of-candidates"); resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("PATCH: got status %d, want 501; body %s", resp.StatusCode, body)
	}
	if resp, body := do(t, "DELETE", session, "admin", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: got status %d, want 200; body %s", resp.StatusCode, body)
	}

	deadline := time.Now().Add(10 * time.Second)
	for cat.closedState(9) == "" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// The publisher never connected its media, so nothing was recorded,
	// but the track is closed as the publisher asked.
	if got := cat.closedState(9); got != stateFinished {
		t.Errorf("got track state %q, want %q", got, stateFinished)
	}
	if srv.lookup(strings.TrimPrefix(loc, "/whip/2/")) != nil {
		t.Errorf("session still registered after DELETE")
	}
}

// TestWHIPWhenPostgreSQLGoesAway: a session that cannot be catalogued is
// refused 503 with Retry-After, for the publisher to try again, not 500.
func TestWHIPWhenPostgreSQLGoesAway(t *testing.T) {
	_, cat, hs := newTestServerWith(t, Config{SpoolDir: t.TempDir(), ICELoopback: true})
	cat.openDown.Store(true)
	resp, body := do(t, "POST", hs.URL+"/1", "admin", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusServiceUnavailable ||
		resp.Header.Get("Retry-After") != httpjson.RetryAfterDatabase ||
		!strings.Contains(body, "PostgreSQL cannot be reached") {
		t.Errorf("got status %d (Retry-After %q) %s, want 503 naming PostgreSQL",
			resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestWHIPLimitsSessionsPerMeeting(t *testing.T) {
	_, _, hs := newTestServerWith(t, Config{SpoolDir: t.TempDir(), ICELoopback: true,
		MaxMeetingSessions: 1})
	resp, body := do(t, "POST", hs.URL+"/2", "room2", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("first publisher: got status %d, want 201; body %s", resp.StatusCode, body)
	}
	resp, body = do(t, "POST", hs.URL+"/2", "room2", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("second publisher: got status %d (Retry-After %q), want 503 with Retry-After",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if !strings.Contains(body, "already has 1 publishers") {
		t.Errorf("got body %s, want it to say the meeting has its publishers", body)
	}
	resp, body = do(t, "POST", hs.URL+"/1", "admin", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("publisher of another meeting: got status %d, want 201; body %s",
			resp.StatusCode, body)
	}
}

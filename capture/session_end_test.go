package capture

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/publish"
)

// publishTokens is what the guard asks the database: room1 and room2 are
// publish tokens of meetings 1 and 2. room2 can expire, and every lookup
// can fail as with PostgreSQL down.
type publishTokens struct {
	expired atomic.Bool
	down    atomic.Bool
}

func (p *publishTokens) PublishTokenMeeting(_ context.Context, token string) (int64, error) {
	switch {
	case p.down.Load():
		return 0, errors.New("look up publish token: connection refused")
	case token == "room1":
		return 1, nil
	case token == "room2" && !p.expired.Load():
		return 2, nil
	}
	return 0, access.ErrUnknownToken
}

// newGuardedServer starts a server behind the guard serve uses: the admin
// token "admin", the publish tokens of tokens, and the server's own live
// sessions.
func newGuardedServer(t *testing.T, cfg Config, tokens *publishTokens) (*Server, *fakeCatalog,
	*httptest.Server) {
	t.Helper()
	guard := access.NewGuard("admin", tokens)
	srv, cat, hs := newTestServerAuth(t, cfg, guard)
	guard.WithLiveSessions(srv)
	return srv, cat, hs
}

// openSession starts a session of meeting 2 with the token room2 and
// returns its URL.
func openSession(t *testing.T, url string) string {
	t.Helper()
	resp, body := do(t, "POST", url+"/2", "room2", sdpType, offerFrom(t, opus, vp8))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: got status %d, want 201; body %s", resp.StatusCode, body)
	}
	return url + strings.TrimPrefix(resp.Header.Get("Location"), "/whip")
}

// TestWHIPDeleteOutlivesTokenAndDatabase: a session ends with DELETE by
// the token that opened it after that token expired, and by it or the
// admin token while PostgreSQL is down; other tokens still may not.
func TestWHIPDeleteOutlivesTokenAndDatabase(t *testing.T) {
	cfg := Config{SpoolDir: t.TempDir(), ICELoopback: true}
	tests := []struct {
		name         string
		expire, down bool
		token        string
		want         int
		wantFinished bool
		otherPath    bool
	}{
		{"opening token after it expired", true, false, "room2", http.StatusOK, true, false},
		{"opening token with the database down", false, true, "room2", http.StatusOK, true,
			false},
		{"admin token with the database down", false, true, "admin", http.StatusOK, true, false},
		{"another meeting's token", true, false, "room1", http.StatusForbidden, false, false},
		{"unknown token", true, false, "room3", http.StatusUnauthorized, false, false},
		{"unknown token with the database down", false, true, "room3",
			http.StatusServiceUnavailable, false, false},
		{"no token", false, true, "", http.StatusUnauthorized, false, false},
		{"opening token on another meeting's path", true, false, "room2",
			http.StatusForbidden, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens := &publishTokens{}
			srv, cat, hs := newGuardedServer(t, cfg, tokens)
			session := openSession(t, hs.URL)
			tokens.expired.Store(tt.expire)
			tokens.down.Store(tt.down)
			cat.down.Store(tt.down)
			if tt.otherPath {
				session = strings.Replace(session, "/2/", "/1/", 1)
			}
			resp, body := do(t, "DELETE", session, tt.token, "", "")
			if resp.StatusCode != tt.want {
				t.Fatalf("DELETE: got status %d, want %d; body %s", resp.StatusCode, tt.want,
					body)
			}
			id := session[strings.LastIndex(session, "/")+1:]
			if !tt.wantFinished {
				if srv.lookup(id) == nil {
					t.Errorf("the session ended on a refused DELETE")
				}
				return
			}
			deadline := time.Now().Add(10 * time.Second)
			for cat.closedState(9) == "" && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if got := cat.closedState(9); got != stateFinished {
				t.Errorf("got track state %q, want %q", got, stateFinished)
			}
		})
	}
}

// TestSessionEndsWhenPublisherLeaves: with uploads held (MinIO paused), a
// session ended by DELETE closes its track with the time of the DELETE
// and the end of its media, not the time the uploads finished.
func TestSessionEndsWhenPublisherLeaves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ivf, ogg := encodeVP8Size(t, dir, "320x180", 4, 30), encodeOpus(t, dir, 4)
	m := newMediaServer(t, time.Second)
	m.objects.gate.Lock()
	held := true
	defer func() {
		if held {
			m.objects.gate.Unlock()
		}
	}()
	p := m.publish(t, publish.Options{VideoIVF: ivf, AudioOgg: ogg, Duration: 3 * time.Second})
	p.wait(t)
	deleted := time.Now()
	zero := p.session.ref.Zero

	time.Sleep(2 * time.Second) // the uploads are held meanwhile
	if _, ok := m.cat.trackEnd(9); ok {
		t.Fatalf("the track closed while its segments were not stored")
	}
	released := time.Now()
	m.objects.gate.Unlock()
	held = false
	m.waitEnded(t, 20*time.Second)
	end, _ := m.cat.trackEnd(9)
	if end.At.After(deleted) || end.At.Before(zero) {
		t.Errorf("got the track ended at %v, want by the DELETE at %v, not when the uploads "+
			"went on at %v", end.At.Format(time.StampMilli), deleted.Format(time.StampMilli),
			released.Format(time.StampMilli))
	}
	// The last frame's duration may reach a little past the DELETE.
	if onTimeline := end.At.Sub(zero); end.MediaEnd < 2500*time.Millisecond ||
		end.MediaEnd > onTimeline+100*time.Millisecond {
		t.Errorf("got media ending at %v, want about 3 s and not after the session's end %v",
			end.MediaEnd, onTimeline)
	}
	if end.State != stateFinished || end.Segments < 2 {
		t.Errorf("got %+v, want finished with the segments of 3 s in 1 s segments", end)
	}
}

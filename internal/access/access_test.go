package access_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
)

// fakeLookup knows a fixed set of publish tokens; "broken" makes it fail.
type fakeLookup map[string]int64

var _ access.TokenLookup = fakeLookup(nil)

func (f fakeLookup) PublishTokenMeeting(_ context.Context, token string) (int64, error) {
	if token == "broken" {
		return 0, errors.New("database unreachable")
	}
	id, ok := f[token]
	if !ok {
		return 0, access.ErrUnknownToken
	}
	return id, nil
}

func newGuard() *access.Guard {
	return access.NewGuard("admin-secret", fakeLookup{"room-7": 7}).
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func request(header string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/meetings", nil)
	if header != "" {
		r.Header.Set("Authorization", header)
	}
	return r
}

func TestAuthenticate(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		want    access.Principal
		wantErr error
	}{
		{"admin", "Bearer admin-secret", access.Principal{Admin: true}, nil},
		{"scheme is case-insensitive", "bearer admin-secret", access.Principal{Admin: true}, nil},
		{"publish token", "Bearer room-7", access.Principal{MeetingID: 7}, nil},
		{"no header", "", access.Principal{}, access.ErrNoToken},
		{"basic scheme", "Basic YWRtaW46eA==", access.Principal{}, access.ErrNoToken},
		{"empty token", "Bearer ", access.Principal{}, access.ErrNoToken},
		{"admin prefix", "Bearer admin-secre", access.Principal{}, access.ErrUnknownToken},
		{"admin longer", "Bearer admin-secret2", access.Principal{}, access.ErrUnknownToken},
		{"unknown", "Bearer nope", access.Principal{}, access.ErrUnknownToken},
	}
	g := newGuard()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Authenticate(request(tt.header))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAuthenticateEmptyAdminTokenAcceptsNoAdmin(t *testing.T) {
	g := access.NewGuard("", fakeLookup{})
	r := request("Bearer ")
	r.Header.Set("Authorization", "Bearer  ")
	if _, err := g.Authenticate(r); !errors.Is(err, access.ErrNoToken) {
		t.Errorf("got %v, want ErrNoToken", err)
	}
	if _, err := g.Authenticate(request("Bearer x")); !errors.Is(err, access.ErrUnknownToken) {
		t.Errorf("got %v, want ErrUnknownToken", err)
	}
}

func TestAuthenticateLookupFailure(t *testing.T) {
	_, err := newGuard().Authenticate(request("Bearer broken"))
	if err == nil || errors.Is(err, access.ErrUnknownToken) || errors.Is(err, access.ErrNoToken) {
		t.Fatalf("got %v, want a lookup failure", err)
	}
}

func TestRequire(t *testing.T) {
	tests := []struct {
		name          string
		header        string
		wantStatus    int
		wantChallenge string
	}{
		{"admin passes", "Bearer admin-secret", http.StatusOK, ""},
		{"publish token passes", "Bearer room-7", http.StatusOK, ""},
		{"missing", "", http.StatusUnauthorized, `Bearer realm="liuhen"`},
		{"wrong", "Bearer wrong", http.StatusUnauthorized,
			`Bearer realm="liuhen", error="invalid_token"`},
		{"lookup fails", "Bearer broken", http.StatusServiceUnavailable, ""},
	}
	var seen access.Principal
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := access.FromContext(r.Context())
		if !ok {
			t.Error("got no principal in the context, want one")
		}
		seen = p
	})
	h := newGuard().Require(next)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, request(tt.header))
			if w.Code != tt.wantStatus {
				t.Fatalf("got status %d, want %d", w.Code, tt.wantStatus)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("got WWW-Authenticate %q, want %q", got, tt.wantChallenge)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			checkProblem(t, w, tt.wantStatus)
		})
	}
	if seen != (access.Principal{MeetingID: 7}) {
		t.Errorf("got principal %+v last, want the publish token's", seen)
	}
}

func checkProblem(t testing.TB, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != problem.ContentType {
		t.Errorf("got Content-Type %q, want %q", ct, problem.ContentType)
	}
	var d problem.Details
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatalf("decode problem: %v", err)
	}
	if d.Status != status || d.Detail == "" {
		t.Errorf("got problem %+v, want status %d with a detail", d, status)
	}
	if strings.Contains(d.Detail, "database") {
		t.Errorf("got detail %q, want no internal details", d.Detail)
	}
}

func TestPrincipal(t *testing.T) {
	tests := []struct {
		name      string
		p         access.Principal
		meeting   int64
		wantWrite bool
		wantAdmin bool
	}{
		{"admin any meeting", access.Principal{Admin: true}, 3, true, true},
		{"own meeting", access.Principal{MeetingID: 3}, 3, true, false},
		{"other meeting", access.Principal{MeetingID: 3}, 4, false, false},
		{"zero principal", access.Principal{}, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.CanWriteMeeting(tt.meeting); got != tt.wantWrite {
				t.Errorf("got CanWriteMeeting %v, want %v", got, tt.wantWrite)
			}
			if got := tt.p.CanReadMeeting(tt.meeting); got != tt.wantWrite {
				t.Errorf("got CanReadMeeting %v, want %v", got, tt.wantWrite)
			}
			if got := tt.p.IsAdmin(); got != tt.wantAdmin {
				t.Errorf("got IsAdmin %v, want %v", got, tt.wantAdmin)
			}
		})
	}
}

func TestFromContextEmpty(t *testing.T) {
	if p, ok := access.FromContext(context.Background()); ok {
		t.Errorf("got %+v, true; want no principal", p)
	}
}

// fakeLive holds the SHA-256 of the token of one live session of meeting 7.
type fakeLive [sha256.Size]byte

func (f fakeLive) LiveMeeting(sum [sha256.Size]byte) (int64, bool) {
	return 7, sum == f
}

func TestGuardAcceptsTokenOfLiveSession(t *testing.T) {
	g := newGuard().WithLiveSessions(fakeLive(sha256.Sum256([]byte("expired-room-7"))))
	tests := []struct {
		name, header string
		want         access.Principal
		wantErr      error
	}{
		{"the expired token of a live session", "Bearer expired-room-7",
			access.Principal{MeetingID: 7}, nil},
		{"an expired token without a session", "Bearer expired-room-8", access.Principal{},
			access.ErrUnknownToken},
		{"the admin token", "Bearer admin-secret", access.Principal{Admin: true}, nil},
		{"a valid publish token", "Bearer room-7", access.Principal{MeetingID: 7}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := g.Authenticate(request(tt.header))
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

package access_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/liuhen/liuhen/internal/access"
)

// fakeInspectors knows inspector tokens by value; "lhi_broken" makes it
// fail.
type fakeInspectors map[string]access.Principal

var _ access.InspectorLookup = fakeInspectors(nil)

func (f fakeInspectors) InspectorToken(_ context.Context, token string) (int64, string,
	error) {
	if token == "lhi_broken" {
		return 0, "", errors.New("database unreachable")
	}
	p, ok := f[token]
	if !ok {
		return 0, "", access.ErrUnknownToken
	}
	return p.InspectorID, p.Inspector, nil
}

var wang = access.Principal{InspectorID: 4, Inspector: "王监察"}

func newInspectorGuard() *access.Guard {
	return access.NewGuard("admin-secret", fakeLookup{"room-7": 7, "lhi_room-8": 8}).
		WithInspectors(fakeInspectors{"lhi_wang": wang}).
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestAuthenticateInspector(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		want    access.Principal
		wantErr error
	}{
		{"inspector", "Bearer lhi_wang", wang, nil},
		{"admin still", "Bearer admin-secret", access.Principal{Admin: true}, nil},
		{"publish token still", "Bearer room-7", access.Principal{MeetingID: 7}, nil},
		{"publish token with the prefix by chance", "Bearer lhi_room-8",
			access.Principal{MeetingID: 8}, nil},
		{"unknown inspector token", "Bearer lhi_nobody", access.Principal{},
			access.ErrUnknownToken},
	}
	g := newInspectorGuard()
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

func TestAuthenticateInspectorLookupFailure(t *testing.T) {
	_, err := newInspectorGuard().Authenticate(request("Bearer lhi_broken"))
	if err == nil || errors.Is(err, access.ErrUnknownToken) {
		t.Fatalf("got %v, want a lookup failure", err)
	}
}

func TestRequireLetsInspectorsReadOnly(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	h := newInspectorGuard().Require(next)
	tests := []struct {
		method, token string
		want          int
	}{
		{http.MethodGet, "lhi_wang", http.StatusNoContent},
		{http.MethodHead, "lhi_wang", http.StatusNoContent},
		{http.MethodOptions, "lhi_wang", http.StatusNoContent},
		{http.MethodPost, "lhi_wang", http.StatusForbidden},
		{http.MethodPatch, "lhi_wang", http.StatusForbidden},
		{http.MethodPut, "lhi_wang", http.StatusForbidden},
		{http.MethodDelete, "lhi_wang", http.StatusForbidden},
		{http.MethodPost, "admin-secret", http.StatusNoContent},
		{http.MethodGet, "lhi_broken", http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.token, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/api/v1/org-units", nil)
			r.Header.Set("Authorization", "Bearer "+tt.token)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("got status %d, want %d", w.Code, tt.want)
			}
			if tt.want != http.StatusNoContent {
				checkProblem(t, w, tt.want)
			}
		})
	}
}

func TestInspectorPrincipal(t *testing.T) {
	if !wang.IsInspector() || wang.IsAdmin() || !wang.ReadsEverything() {
		t.Errorf("got inspector %v, admin %v, reads everything %v; want true, false, true",
			wang.IsInspector(), wang.IsAdmin(), wang.ReadsEverything())
	}
	if !wang.CanReadMeeting(3) || wang.CanWriteMeeting(3) {
		t.Errorf("got read %v, write %v of a meeting; want true, false",
			wang.CanReadMeeting(3), wang.CanWriteMeeting(3))
	}
	room := access.Principal{MeetingID: 3}
	if room.ReadsEverything() || room.IsInspector() {
		t.Errorf("a publish token: got reads everything %v, inspector %v; want false",
			room.ReadsEverything(), room.IsInspector())
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
)

// TestInspectorTokenChangesNothing sends every method that could change
// something, to every route of the server that takes it, with an
// inspector token: each is answered 403, WHIP included.
func TestInspectorTokenChangesNothing(t *testing.T) {
	s := startStack(t, time.Second)
	_, token, err := inspect.NewTokens(s.app.svc.pool).Create(context.Background(), "王明",
		time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	router, ok := s.app.handler.(chi.Routes)
	if !ok {
		t.Fatalf("the server's handler is a %T, not a chi router", s.app.handler)
	}
	routes := map[string]map[string]bool{}
	err = chi.Walk(router, func(method, route string, _ http.Handler,
		_ ...func(http.Handler) http.Handler) error {
		if routes[route] == nil {
			routes[route] = map[string]bool{}
		}
		routes[route][method] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for route, methods := range routes {
		if !guarded(route) {
			continue
		}
		for _, method := range servedMethods(t, s, route, methods) {
			if method == http.MethodGet || method == http.MethodHead ||
				method == http.MethodOptions {
				continue
			}
			checkRefused(t, s, method, chiParam.ReplaceAllString(route, "1"), token)
			checked++
		}
	}
	t.Logf("%d writes refused", checked)
	if checked < 10 {
		t.Errorf("checked %d writes, want every one the server mounts (at least 10)", checked)
	}
}

// servedMethods are the methods a route answers: those it was registered
// for, or, for a route that takes any method and sorts them out itself
// (WHIP), those it does not answer 405.
func servedMethods(t *testing.T, s *stack, route string, methods map[string]bool) []string {
	if allMethods(methods) {
		return probeMethods(t, s.app.handler, route, s.admin)
	}
	var out []string
	for m := range methods {
		out = append(out, m)
	}
	return out
}

func checkRefused(t *testing.T, s *stack, method, path, token string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.app.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("%s %s with an inspector token: got %d %s, want 403", method, path,
			rec.Code, rec.Body)
	}
}

// guarded reports whether route is one that checks a token: the API and
// WHIP.
func guarded(route string) bool {
	return strings.HasPrefix(route, "/api/v1/") || strings.HasPrefix(route, "/whip/")
}

func TestInspectorReadsEveryMeetingsItems(t *testing.T) {
	s := startStack(t, time.Second)
	ctx := context.Background()
	sample, err := agenda.LoadSample(ctx, s.app.svc.store)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := inspect.NewTokens(s.app.svc.pool).Create(ctx, "王明", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	status, body := s.call(t, "GET", "/api/v1/agenda-items?limit=500", token, "")
	var l agenda.List[agenda.AgendaItem]
	if err := json.Unmarshal([]byte(body), &l); err != nil || status != http.StatusOK {
		t.Fatalf("got %d %s, want 200 with a list", status, body)
	}
	want := len(sample.AgendaItemIDs) + len(sample.EarlierAgendaItemIDs)
	if len(l.Items) != want {
		t.Errorf("got %d agenda items, want all %d of both meetings", len(l.Items), want)
	}
	path := fmt.Sprintf("/api/v1/agenda-items?meeting_id=%d", sample.EarlierMeetingID)
	if status, body := s.call(t, "GET", path, token, ""); status != http.StatusOK ||
		!strings.Contains(body, fmt.Sprint(sample.EarlierAgendaItemIDs[0])) {
		t.Errorf("GET %s: got %d %s, want 200 with the meeting's items", path, status, body)
	}
}

package inspect_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/problem"
)

func TestSearchAPI(t *testing.T) {
	s := newServer(t)
	token, _ := s.inspector(t, "王明")
	for _, who := range []struct{ name, token string }{{"admin", adminToken},
		{"inspector", token}} {
		t.Run(who.name, func(t *testing.T) {
			var res inspect.Result
			s.get(t, "/api/v1/search?q="+url.QueryEscape("道路"), who.token, &res)
			if got := s.keys(t, res.Items); len(got) != 1 || got[0] != "QS1.1" {
				t.Errorf("got %v, want [QS1.1]", got)
			}
		})
	}
	publish, err := agenda.NewStore(s.pool).CreatePublishToken(context.Background(),
		s.meetings["QS1"], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	status, body := s.call(t, http.MethodGet, "/api/v1/search?q=abc", publish, "", "")
	checkProblem(t, status, body, http.StatusForbidden, "")
	status, body = s.call(t, http.MethodGet, "/api/v1/search?q=abc", "", "", "")
	checkProblem(t, status, body, http.StatusUnauthorized, "")
}

func TestSearchAPIBadInput(t *testing.T) {
	s := newServer(t)
	tests := []struct{ name, query, field string }{
		{"unknown body kind", "body_kind=nope", "body_kind"},
		{"unknown category", "category=nope", "category"},
		{"unknown major class", "major_class=nope", "major_class"},
		{"unknown unit", "unit=NOWHERE", "unit"},
		{"from after to", "from=2026-02-01&to=2026-01-01", "to"},
		{"limit out of range", "limit=1000", "limit"},
		{"offset out of range", "offset=-5", "offset"},
		{"has_findings not a boolean", "has_findings=maybe", "has_findings"},
		{"has_findings given empty", "has_findings=", "has_findings"},
		{"unknown parameter", "sort=date", "sort"},
		{"one character", "q=" + url.QueryEscape("路"), "q"},
		{"text with a NUL byte", "q=%E9%81%93%00%E8%B7%AF", "q"},
		{"text not UTF-8", "q=%ff%fe%fd", "q"},
		{"unit not UTF-8", "unit=%ff", "unit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, s.url+"/api/v1/search?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+adminToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
				t.Errorf("got Content-Type %q, want %q", ct, problem.ContentType)
			}
			status, body := s.call(t, http.MethodGet, "/api/v1/search?"+tt.query, adminToken,
				"", "")
			checkProblem(t, status, body, http.StatusBadRequest, tt.field)
		})
	}
}

// TestInspectorReadsAndChangesNothing: an inspector token searches and
// watches; every administrative route and every write answers 403.
func TestInspectorReadsAndChangesNothing(t *testing.T) {
	s := newServer(t)
	token, rec := s.inspector(t, "李审计")
	item := s.items["QS1.1"]
	for _, path := range []string{"/api/v1/search?q=" + url.QueryEscape("党委会"),
		fmt.Sprintf("/api/v1/agenda-items/%d/watch", item)} {
		if status, body := s.call(t, http.MethodGet, path, token, "", ""); status != 200 {
			t.Errorf("GET %s: got %d %s, want 200", path, status, body)
		}
	}
	refused := []struct{ method, path, body string }{
		{http.MethodGet, "/api/v1/inspector-tokens", ""},
		{http.MethodGet, fmt.Sprintf("/api/v1/inspector-tokens/%d", rec.ID), ""},
		{http.MethodPost, "/api/v1/inspector-tokens", `{"name":"自己"}`},
		{http.MethodDelete, fmt.Sprintf("/api/v1/inspector-tokens/%d", rec.ID), ""},
		{http.MethodGet, "/api/v1/audit", ""},
		{http.MethodPost, "/api/v1/probe", ""},
		{http.MethodPut, "/api/v1/search", ""},
		{http.MethodPatch, fmt.Sprintf("/api/v1/agenda-items/%d/watch", item), "{}"},
	}
	for _, r := range refused {
		status, body := s.call(t, r.method, r.path, token, "application/json", r.body)
		if status != http.StatusForbidden {
			t.Errorf("%s %s: got %d %s, want 403", r.method, r.path, status, body)
		}
	}
	if status, _ := s.call(t, http.MethodPost, "/api/v1/probe", adminToken, "", ""); status !=
		http.StatusNoContent {
		t.Errorf("the admin's POST /probe: got %d, want 204", status)
	}
}

func TestInspectorTokensAPI(t *testing.T) {
	s := newServer(t)
	token, rec := s.inspector(t, "王明（县纪委监委第二监督检查室）")
	if !strings.HasPrefix(token, "lhi_") || len(token) < 40 || rec.ID == 0 ||
		rec.RevokedAt != nil || rec.ExpiresAt.Sub(rec.CreatedAt) != 24*time.Hour {
		t.Errorf("got token %q, record %+v; want lhi_…, valid 24 h", token, rec)
	}
	var list struct{ Inspectors []inspect.Inspector }
	s.get(t, "/api/v1/inspector-tokens", adminToken, &list)
	if len(list.Inspectors) != 1 || list.Inspectors[0].Name != rec.Name {
		t.Errorf("got %+v, want the one token", list.Inspectors)
	}
	var one inspect.Inspector
	s.get(t, fmt.Sprintf("/api/v1/inspector-tokens/%d", rec.ID), adminToken, &one)
	if one.ID != rec.ID {
		t.Errorf("got %+v, want %+v", one, rec)
	}

	status, body := s.call(t, http.MethodDelete, fmt.Sprintf("/api/v1/inspector-tokens/%d",
		rec.ID), adminToken, "", "")
	if status != http.StatusOK || !strings.Contains(string(body), `"revoked_at":"`) {
		t.Errorf("revoke: got %d %s, want 200 with revoked_at", status, body)
	}
	status, body = s.call(t, http.MethodGet, "/api/v1/search", token, "", "")
	checkProblem(t, status, body, http.StatusUnauthorized, "")
}

func TestInspectorTokensAPIBadInput(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, contentType, body string
		wantStatus              int
		field                   string
	}{
		{"no name", "application/json", `{"ttl_hours":24}`, 400, "name"},
		{"a name with a lone surrogate", "application/json", `{"name":"王\ud800明"}`, 400,
			"name"},
		{"blank name", "application/json", `{"name":"  "}`, 400, "name"},
		{"name with a line break", "application/json", `{"name":"王\n明"}`, 400, "name"},
		{"lifetime too short", "application/json", `{"name":"王明","ttl_hours":0}`, 400,
			"ttl_hours"},
		{"lifetime too long", "application/json", `{"name":"王明","ttl_hours":9000}`, 400,
			"ttl_hours"},
		{"lifetime past int64 hours", "application/json",
			`{"name":"王明","ttl_hours":9223372036854775807}`, 400, "ttl_hours"},
		{"lifetime not a number", "application/json", `{"name":"王明","ttl_hours":"24"}`, 400,
			"ttl_hours"},
		{"unknown field", "application/json", `{"name":"王明","role":"admin"}`, 400, "role"},
		{"not JSON", "text/plain", `{"name":"王明"}`, 415, ""},
		{"broken JSON", "application/json", `{"name":`, 400, ""},
		{"too large", "application/json", `{"name":"` + strings.Repeat("x", 70000) + `"}`,
			413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.call(t, http.MethodPost, "/api/v1/inspector-tokens", adminToken,
				tt.contentType, tt.body)
			checkProblem(t, status, body, tt.wantStatus, tt.field)
		})
	}
	for _, path := range []string{"/api/v1/inspector-tokens/abc",
		"/api/v1/inspector-tokens/0"} {
		status, body := s.call(t, http.MethodGet, path, adminToken, "", "")
		checkProblem(t, status, body, http.StatusBadRequest, "id")
	}
	status, body := s.call(t, http.MethodDelete, "/api/v1/inspector-tokens/999999", adminToken,
		"", "")
	checkProblem(t, status, body, http.StatusNotFound, "")
	status, body = s.call(t, http.MethodGet, "/api/v1/inspector-tokens?all=1", adminToken,
		"", "")
	checkProblem(t, status, body, http.StatusBadRequest, "all")
}

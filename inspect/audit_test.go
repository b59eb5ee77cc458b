package inspect_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/inspect"
)

type auditList struct {
	Entries []inspect.Entry
	Limit   int
	Offset  int
}

func TestAuditRecordsSearchAndWatch(t *testing.T) {
	s := newServer(t)
	token, rec := s.inspector(t, "王明")
	before := time.Now().Add(-time.Second)
	watch := fmt.Sprintf("/api/v1/agenda-items/%d/watch", s.items["QS1.1"])
	s.call(t, http.MethodGet, "/api/v1/search?q="+url.QueryEscape("道路")+"&unit=QY-QS", token,
		"", "")
	s.call(t, http.MethodGet, watch, token, "", "")
	s.call(t, http.MethodGet, "/api/v1/search?limit=0", token, "", "")
	s.call(t, http.MethodGet, "/api/v1/search?q=ppp", adminToken, "", "")

	var got auditList
	s.get(t, "/api/v1/audit?actor="+url.QueryEscape("王明"), adminToken, &got)
	if len(got.Entries) != 3 {
		t.Fatalf("got %d entries for 王明, want 3: %+v", len(got.Entries), got.Entries)
	}
	want := []struct {
		action, target, query string
		status                int
	}{
		{"search", "/api/v1/search", "limit=0", 400},
		{"watch", watch, "", 200},
		{"search", "/api/v1/search", "q=道路&unit=QY-QS", 200},
	}
	for i, w := range want {
		e := got.Entries[i]
		if e.Action != w.action || e.Target != w.target || e.Query != w.query ||
			e.Status == nil || *e.Status != w.status {
			t.Errorf("entry %d: got %s %s ?%s → %v, want %s %s ?%s → %d", i, e.Action,
				e.Target, e.Query, e.Status, w.action, w.target, w.query, w.status)
		}
		if e.ActorKind != "inspector" || e.ActorID == nil || *e.ActorID != rec.ID ||
			!strings.HasPrefix(e.RemoteAddr, "127.0.0.1:") || e.UserAgent != "inspect-test" ||
			e.At.Before(before) || e.At.After(time.Now()) {
			t.Errorf("entry %d: got %+v, want inspector %d from 127.0.0.1 now", i, e, rec.ID)
		}
	}

	s.get(t, "/api/v1/audit?actor=admin&action=search", adminToken, &got)
	if len(got.Entries) != 1 || got.Entries[0].Query != "q=ppp" ||
		got.Entries[0].ActorKind != "admin" {
		t.Errorf("got %+v, want the admin's one search", got.Entries)
	}
	hourAgo := url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339))
	s.get(t, "/api/v1/audit?from="+hourAgo, adminToken, &got)
	if len(got.Entries) != 4 {
		t.Errorf("from an hour ago: got %d entries, want 4", len(got.Entries))
	}
	s.get(t, "/api/v1/audit?to="+hourAgo, adminToken, &got)
	if len(got.Entries) != 0 {
		t.Errorf("up to an hour ago: got %d entries, want none", len(got.Entries))
	}
	s.get(t, "/api/v1/audit?limit=2&offset=1", adminToken, &got)
	if len(got.Entries) != 2 || got.Entries[0].Query != "limit=0" || got.Limit != 2 {
		t.Errorf("second page of two: got %+v, want the 2nd and 3rd newest", got)
	}
}

func TestAuditAPIBadInput(t *testing.T) {
	s := newServer(t)
	tests := []struct{ name, query, field string }{
		{"unknown action", "action=delete", "action"},
		{"from after to", "from=2026-02-01&to=2026-01-01", "to"},
		{"from not a date", "from=soon", "from"},
		{"limit out of range", "limit=501", "limit"},
		{"unknown parameter", "who=admin", "who"},
		{"a parameter twice", "actor=a&actor=b", "actor"},
		{"actor not UTF-8", "actor=%ff", "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := s.call(t, http.MethodGet, "/api/v1/audit?"+tt.query, adminToken,
				"", "")
			checkProblem(t, status, body, http.StatusBadRequest, tt.field)
		})
	}
}

// TestAuditRefusesWhatItCannotRecord: when the audit log cannot be
// written, nothing is searched or shown.
func TestAuditRefusesWhatItCannotRecord(t *testing.T) {
	s := newServer(t)
	token, _ := s.inspector(t, "王明")
	s.exec(t, `ALTER TABLE audit_log RENAME TO audit_log_away`)
	status, body := s.call(t, http.MethodGet, "/api/v1/search?q=abc", token, "", "")
	checkProblem(t, status, body, http.StatusServiceUnavailable, "")
	if strings.Contains(string(body), "items") {
		t.Errorf("got %s, want no results", body)
	}
	s.exec(t, `ALTER TABLE audit_log_away RENAME TO audit_log`)
	if status, _ := s.call(t, http.MethodGet, "/api/v1/search?q=abc", token, "", ""); status !=
		http.StatusOK {
		t.Errorf("with the log back: got %d, want 200", status)
	}
}

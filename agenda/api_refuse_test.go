package agenda_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestAPIRefuses sends every kind of bad request and checks the problem
// answer: its status and the fields it names.
func TestAPIRefuses(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	token, err := e.store.CreatePublishToken(ctx, e.meeting.ID, time.Hour)
	must(t, err)
	other := e.newMeeting(t, "第2次")
	otherItem, err := e.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
		MeetingID: other.ID, Title: "x"})
	must(t, err)
	d, err := e.store.CreateDecision(ctx, agenda.DecisionInput{OrgUnitID: e.unit.ID,
		MatterID: e.matter.ID, Title: "x", DecidedAt: at(0)})
	must(t, err)
	item := fmt.Sprintf("/api/v1/agenda-items/%d", e.item.ID)
	decision := fmt.Sprintf("/api/v1/decisions/%d", d.ID)

	tests := []struct {
		name         string
		method, path string
		token, body  string
		status       int
		fields       []string
	}{
		{"malformed JSON", "POST", "/api/v1/org-units", adminToken, `{"code":`,
			http.StatusBadRequest, nil},
		{"not an object", "POST", "/api/v1/org-units", adminToken, `["a"]`,
			http.StatusBadRequest, nil},
		{"trailing data", "POST", "/api/v1/org-units", adminToken, `{} x`,
			http.StatusBadRequest, nil},
		{"unknown and mistyped fields with the missing ones", "POST", "/api/v1/org-units",
			adminToken, `{"code":5,"nam":"x"}`, http.StatusBadRequest,
			[]string{"code", "nam", "name", "level"}},
		{"every invalid field", "POST", "/api/v1/org-units", adminToken,
			`{"code":"a b","name":"","level":"city","parent_id":0}`,
			http.StatusUnprocessableEntity, []string{"code", "name", "level", "parent_id"}},
		{"duplicate code", "POST", "/api/v1/org-units", adminToken,
			`{"code":"t1","name":"x","level":"township"}`, http.StatusConflict,
			[]string{"code"}},
		{"unknown reference", "POST", "/api/v1/bodies", adminToken,
			`{"org_unit_id":999999,"code":"b","name":"b","kind":"party_group"}`,
			http.StatusUnprocessableEntity, []string{"org_unit_id"}},
		{"every unknown reference", "POST", "/api/v1/decisions", adminToken,
			`{"org_unit_id":999999,"matter_id":999998,"title":"x",
			"decided_at":"2026-03-02T10:00:00Z","agenda_item_id":999997}`,
			http.StatusUnprocessableEntity, []string{"org_unit_id", "matter_id", "agenda_item_id"}},
		{"bad amount and date", "POST", "/api/v1/decisions", adminToken, fmt.Sprintf(
			`{"org_unit_id":%d,"matter_id":%d,"title":"x","amount":1.234,"decided_at":"today"}`,
			e.unit.ID, e.matter.ID), http.StatusBadRequest, []string{"amount", "decided_at"}},
		{"year before the bounds", "POST", "/api/v1/decisions", adminToken, fmt.Sprintf(
			`{"org_unit_id":%d,"matter_id":%d,"title":"x","decided_at":"1948-12-31T10:00:00Z"}`,
			e.unit.ID, e.matter.ID), http.StatusUnprocessableEntity, []string{"decided_at"}},
		{"year after the bounds", "POST", "/api/v1/meetings", adminToken, fmt.Sprintf(
			`{"body_id":%d,"title":"x","planned_start":"2101-01-01T09:00:00+08:00"}`,
			e.meeting.BodyID), http.StatusUnprocessableEntity, []string{"planned_start"}},
		{"bad meeting", "POST", "/api/v1/meetings", adminToken, `{"title":"  "}`,
			http.StatusUnprocessableEntity, []string{"body_id", "title", "planned_start"}},
		{"agenda item of unknown meeting", "POST", "/api/v1/meetings/999999/agenda-items",
			adminToken, `{"title":"x"}`, http.StatusNotFound, nil},
		{"agenda item with taken seq", "POST",
			fmt.Sprintf("/api/v1/meetings/%d/agenda-items", e.meeting.ID), adminToken,
			`{"seq":1,"title":"x"}`, http.StatusConflict, []string{"seq"}},
		{"unknown meeting", "GET", "/api/v1/meetings/999999", adminToken, "",
			http.StatusNotFound, nil},
		{"unknown org unit", "GET", "/api/v1/org-units/999999", adminToken, "",
			http.StatusNotFound, nil},
		{"path id not a number", "GET", "/api/v1/meetings/abc", adminToken, "",
			http.StatusBadRequest, []string{"id"}},
		{"path id zero", "GET", "/api/v1/decisions/0", adminToken, "",
			http.StatusBadRequest, []string{"id"}},
		{"bad query", "GET",
			"/api/v1/decisions?decided_from=yesterday&limit=0&matter_id=x&sort=id",
			adminToken, "", http.StatusBadRequest,
			[]string{"matter_id", "decided_from", "limit", "sort"}},
		{"repeated query parameter", "GET", "/api/v1/bodies?kind=party_group&kind=party_congress",
			adminToken, "", http.StatusBadRequest, []string{"kind"}},
		{"bad enum", "GET", "/api/v1/matters?category=big", adminToken, "",
			http.StatusBadRequest, []string{"category"}},
		{"no token", "GET", "/api/v1/org-units", "", "", http.StatusUnauthorized, nil},
		{"wrong token", "GET", "/api/v1/org-units", "guess", "", http.StatusUnauthorized, nil},
		{"publish token writes the catalogue", "POST", "/api/v1/org-units", token,
			`{"code":"x","name":"x","level":"county"}`, http.StatusForbidden, nil},
		{"publish token reads another meeting", "GET",
			fmt.Sprintf("/api/v1/meetings/%d", other.ID), token, "", http.StatusForbidden, nil},
		{"publish token marks another meeting", "POST",
			fmt.Sprintf("/api/v1/agenda-items/%d/marks", otherItem.ID), token,
			`{"action":"start"}`, http.StatusForbidden, nil},
		{"publish token issues tokens", "POST",
			fmt.Sprintf("/api/v1/meetings/%d/publish-tokens", e.meeting.ID), token, "",
			http.StatusForbidden, nil},
		{"bad mark action", "POST", item + "/marks", token, `{"action":"pause"}`,
			http.StatusUnprocessableEntity, []string{"action"}},
		{"mark without recording", "POST", item + "/marks", token, `{"action":"start"}`,
			http.StatusConflict, nil},
		{"mark of unknown item", "POST", "/api/v1/agenda-items/999999/marks", adminToken,
			`{"action":"start"}`, http.StatusNotFound, nil},
		{"index point without fields", "POST", item + "/index-points", adminToken, `{}`,
			http.StatusUnprocessableEntity, []string{"recording_id", "start_ms"}},
		{"index point beyond 48 hours", "POST", item + "/index-points", adminToken,
			`{"recording_id":1,"start_ms":0,"end_ms":9223372036854775807}`,
			http.StatusUnprocessableEntity, []string{"end_ms"}},
		{"index point of unknown recording", "POST", item + "/index-points", adminToken,
			`{"recording_id":999999,"start_ms":0}`, http.StatusUnprocessableEntity,
			[]string{"recording_id"}},
		{"token ttl out of range", "POST",
			fmt.Sprintf("/api/v1/meetings/%d/publish-tokens", e.meeting.ID), adminToken,
			`{"ttl_hours":0}`, http.StatusUnprocessableEntity, []string{"ttl_hours"}},
		{"token for unknown meeting", "POST", "/api/v1/meetings/999999/publish-tokens",
			adminToken, "", http.StatusNotFound, nil},
		{"link to unknown item", "PATCH", decision, adminToken, `{"agenda_item_id":999999}`,
			http.StatusUnprocessableEntity, []string{"agenda_item_id"}},
		{"link unknown decision", "PATCH", "/api/v1/decisions/999999", adminToken,
			`{"agenda_item_id":null}`, http.StatusNotFound, nil},
		{"publish token links", "PATCH", decision, token, `{"agenda_item_id":null}`,
			http.StatusForbidden, nil},
		{"unknown endpoint", "GET", "/api/v1/nothing", adminToken, "",
			http.StatusNotFound, nil},
		{"wrong method", "DELETE", "/api/v1/org-units", adminToken, "",
			http.StatusMethodNotAllowed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.call(t, tt.method, tt.path, tt.token, tt.body).problem(t, tt.status, tt.fields...)
		})
	}
	if logs := e.logs.String(); logs != "" {
		t.Errorf("got logs %q for bad input, want none", logs)
	}
}

func TestAPIRefusesBodies(t *testing.T) {
	e := newAPIEnv(t)
	send := func(t *testing.T, contentType, body string) response {
		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/org-units",
			strings.NewReader(body))
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		must(t, err)
		return response{status: res.StatusCode, header: res.Header, body: b}
	}
	t.Run("form content type", func(t *testing.T) {
		send(t, "application/x-www-form-urlencoded", "code=x").
			problem(t, http.StatusUnsupportedMediaType)
	})
	t.Run("no content type", func(t *testing.T) {
		send(t, "", `{}`).problem(t, http.StatusUnsupportedMediaType)
	})
	t.Run("too large", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
		send(t, "application/json", big).problem(t, http.StatusRequestEntityTooLarge)
	})
}

func TestAPIWrongMethodAllows(t *testing.T) {
	e := newAPIEnv(t)
	res := e.call(t, "PUT", "/api/v1/decisions/1", adminToken, "")
	res.problem(t, http.StatusMethodNotAllowed)
	if got, want := res.header.Get("Allow"), "GET, PATCH"; got != want {
		t.Errorf("got Allow %q, want %q", got, want)
	}
}

func TestAPIChallenge(t *testing.T) {
	e := newAPIEnv(t)
	res := e.call(t, "GET", "/api/v1/meetings", "", "")
	if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
		t.Errorf("got WWW-Authenticate %q, want a Bearer challenge", got)
	}
}

// TestAPIInternalError checks that a failing database is answered 500
// without details and logged once.
func TestAPIInternalError(t *testing.T) {
	w := newWorld(t)
	pool, err := pgxpool.New(context.Background(), testenv.DatabaseURL(t))
	must(t, err)
	pool.Close()
	e := mountAPI(t, w, agenda.NewStore(pool))
	e.store = w.store

	res := e.call(t, "GET", "/api/v1/org-units", adminToken, "")
	d := res.problem(t, http.StatusInternalServerError)
	if strings.Contains(d.Detail, "closed") || strings.Contains(d.Detail, "pool") {
		t.Errorf("got detail %q, want no internal details", d.Detail)
	}
	if n := strings.Count(e.logs.String(), "level=ERROR"); n != 1 {
		t.Errorf("got %d error log lines, want 1: %s", n, e.logs.String())
	}
}

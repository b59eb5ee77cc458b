package agenda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
)

const adminToken = "test-admin-token"

// apiEnv is the API mounted at /api/v1 on a test server over a world.
type apiEnv struct {
	*world
	srv  *httptest.Server
	logs *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newAPIEnv(t testing.TB) *apiEnv {
	t.Helper()
	w := newWorld(t)
	return mountAPI(t, w, w.store)
}

func mountAPI(t testing.TB, w *world, store *agenda.Store) *apiEnv {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	guard := access.NewGuard(adminToken, store).WithLogger(logger)
	r := chi.NewRouter()
	r.Mount("/api/v1", agenda.NewAPI(store, guard, logger).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return &apiEnv{world: w, srv: srv, logs: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request; a non-empty body is sent as JSON.
func (e *apiEnv) call(t testing.TB, method, path, token, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	must(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	must(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(t, err)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// want checks the status and decodes a JSON body into v (when not nil).
func (r response) want(t testing.TB, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d (%s), want %d", r.status, r.body, status)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// problem checks a problem+json answer of the status naming exactly fields.
func (r response) problem(t testing.TB, status int, fields ...string) problem.Details {
	t.Helper()
	var d problem.Details
	r.want(t, status, &d)
	if ct := r.header.Get("Content-Type"); ct != problem.ContentType {
		t.Errorf("got Content-Type %q, want %q", ct, problem.ContentType)
	}
	if d.Status != status || d.Detail == "" {
		t.Errorf("got %+v, want status %d and a detail", d, status)
	}
	got := make([]string, len(d.Errors))
	for i, f := range d.Errors {
		got[i] = f.Field
		if f.Reason == "" {
			t.Errorf("got field %s without a reason", f.Field)
		}
	}
	if strings.Join(got, ",") != strings.Join(fields, ",") {
		t.Errorf("got fields %v, want %v", got, fields)
	}
	return d
}

func TestAPICatalogue(t *testing.T) {
	e := newAPIEnv(t)
	var unit agenda.OrgUnit
	res := e.call(t, "POST", "/api/v1/org-units", adminToken,
		fmt.Sprintf(`{"code":"v1","name":"一村","level":"village","parent_id":%d}`, e.unit.ID))
	res.want(t, http.StatusCreated, &unit)
	if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/org-units/%d", unit.ID) {
		t.Errorf("got Location %q, want the new org unit", loc)
	}
	var got agenda.OrgUnit
	e.call(t, "GET", fmt.Sprintf("/api/v1/org-units/%d", unit.ID), adminToken, "").
		want(t, http.StatusOK, &got)
	if !reflect.DeepEqual(got, unit) {
		t.Errorf("got %+v, want %+v", got, unit)
	}

	var list agenda.List[agenda.OrgUnit]
	e.call(t, "GET", "/api/v1/org-units?limit=1", adminToken, "").want(t, http.StatusOK, &list)
	if len(list.Items) != 1 || list.NextOffset != 1 {
		t.Errorf("got %+v, want one unit and next_offset 1", list)
	}

	var body agenda.Body
	e.call(t, "POST", "/api/v1/bodies", adminToken, fmt.Sprintf(
		`{"org_unit_id":%d,"code":"v1-2c","name":"一村两委","kind":"village_two_committees"}`,
		unit.ID)).want(t, http.StatusCreated, &body)
	var bodies agenda.List[agenda.Body]
	e.call(t, "GET", "/api/v1/bodies?kind=village_two_committees", adminToken, "").
		want(t, http.StatusOK, &bodies)
	if len(bodies.Items) != 1 || bodies.Items[0].ID != body.ID {
		t.Errorf("got %+v, want the village body only", bodies.Items)
	}

	var m agenda.Matter
	res = e.call(t, "POST", "/api/v1/matters", adminToken, fmt.Sprintf(`{"org_unit_id":%d,
		"code":"V-01","name":"村级工程","category":"decision",
		"required_body_kind":"villager_representatives","amount_threshold":100000.5,
		"must_record":false}`, unit.ID))
	res.want(t, http.StatusCreated, &m)
	if !bytes.Contains(res.body, []byte(`"amount_threshold":100000.5`)) || m.MustRecord {
		t.Errorf("got %s, want threshold 100000.5 and must_record false", res.body)
	}
	e.call(t, "GET", "/api/v1/matters?category=decision&org_unit_id="+fmt.Sprint(unit.ID),
		adminToken, "").want(t, http.StatusOK, nil)
}

func TestAPIMeetingFlow(t *testing.T) {
	e := newAPIEnv(t)
	var m agenda.Meeting
	e.call(t, "POST", "/api/v1/meetings", adminToken, fmt.Sprintf(
		`{"body_id":%d,"title":"党委会第2次","planned_start":"2026-03-05T09:00:00+08:00"}`,
		e.body.ID)).want(t, http.StatusCreated, &m)
	var item agenda.AgendaItem
	res := e.call(t, "POST", fmt.Sprintf("/api/v1/meetings/%d/agenda-items", m.ID), adminToken,
		fmt.Sprintf(`{"title":"议题","matter_id":%d}`, e.matter.ID))
	res.want(t, http.StatusCreated, &item)
	if item.Seq != 1 || item.MeetingID != m.ID {
		t.Errorf("got %+v, want item 1 of meeting %d", item, m.ID)
	}
	if loc := res.header.Get("Location"); loc != fmt.Sprintf("/api/v1/agenda-items/%d", item.ID) {
		t.Errorf("got Location %q, want the agenda item", loc)
	}

	var tok struct {
		Token   string `json:"token"`
		WHIPURL string `json:"whip_url"`
	}
	e.call(t, "POST", fmt.Sprintf("/api/v1/meetings/%d/publish-tokens", m.ID), adminToken,
		`{"ttl_hours":2}`).want(t, http.StatusCreated, &tok)
	if tok.Token == "" || tok.WHIPURL != fmt.Sprintf("/whip/%d", m.ID) {
		t.Fatalf("got %+v, want a token and /whip/%d", tok, m.ID)
	}

	path := fmt.Sprintf("/api/v1/agenda-items/%d/marks", item.ID)
	e.call(t, "POST", path, tok.Token, `{"action":"start"}`).problem(t, http.StatusConflict)
	ref, err := e.store.OpenTrack(context.Background(), m.ID, "s", "opus", "vp8", time.Now())
	must(t, err)
	var p agenda.IndexPoint
	e.call(t, "POST", path, tok.Token, `{"action":"start"}`).want(t, http.StatusOK, &p)
	if p.RecordingID != ref.RecordingID || p.EndMs != nil {
		t.Errorf("got %+v, want an open point in recording %d", p, ref.RecordingID)
	}
	e.call(t, "POST", path, tok.Token, `{"action":"end"}`).want(t, http.StatusOK, &p)
	if p.EndMs == nil {
		t.Errorf("got %+v, want it ended", p)
	}
	e.call(t, "POST", path, tok.Token, `{"action":"end"}`).problem(t, http.StatusConflict)
	e.call(t, "POST", fmt.Sprintf("/api/v1/agenda-items/%d/index-points", item.ID), tok.Token,
		fmt.Sprintf(`{"recording_id":%d,"start_ms":0,"end_ms":500}`, ref.RecordingID)).
		want(t, http.StatusCreated, nil)

	var d agenda.MeetingDetail
	e.call(t, "GET", fmt.Sprintf("/api/v1/meetings/%d", m.ID), tok.Token, "").
		want(t, http.StatusOK, &d)
	if len(d.AgendaItems) != 1 || len(d.AgendaItems[0].IndexPoints) != 2 ||
		len(d.Recordings) != 1 || len(d.Recordings[0].Tracks) != 1 {
		t.Errorf("got %+v, want 1 item with 2 points and 1 recording with 1 track", d)
	}
	var items agenda.List[agenda.AgendaItem]
	e.call(t, "GET", fmt.Sprintf("/api/v1/meetings/%d/agenda-items", m.ID), tok.Token, "").
		want(t, http.StatusOK, &items)
	var meetings agenda.List[agenda.Meeting]
	e.call(t, "GET", "/api/v1/meetings", tok.Token, "").want(t, http.StatusOK, &meetings)
	if len(items.Items) != 1 || len(meetings.Items) != 1 || meetings.Items[0].ID != m.ID {
		t.Errorf("got %d items and meetings %+v, want 1 item and only meeting %d",
			len(items.Items), meetings.Items, m.ID)
	}
}

func TestAPIDecisions(t *testing.T) {
	e := newAPIEnv(t)
	var d agenda.Decision
	e.call(t, "POST", "/api/v1/decisions", adminToken, fmt.Sprintf(`{"org_unit_id":%d,
		"matter_id":%d,"title":"拨款","amount":60000,"decided_at":"2026-03-02T10:00:00Z",
		"reference":"文1号"}`, e.unit.ID, e.matter.ID)).want(t, http.StatusCreated, &d)
	path := fmt.Sprintf("/api/v1/decisions/%d", d.ID)
	e.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"agenda_item_id":%d}`, e.item.ID)).
		want(t, http.StatusOK, &d)
	if d.AgendaItemID == nil || *d.AgendaItemID != e.item.ID {
		t.Errorf("got %+v, want linked to item %d", d, e.item.ID)
	}
	var list agenda.List[agenda.Decision]
	e.call(t, "GET", fmt.Sprintf("/api/v1/decisions?meeting_id=%d&decided_from=%s",
		e.meeting.ID, "2026-03-02T00:00:00%2B08:00"), adminToken, "").want(t, http.StatusOK, &list)
	if len(list.Items) != 1 {
		t.Errorf("got %+v, want the linked decision", list.Items)
	}
	e.call(t, "PATCH", path, adminToken, `{"agenda_item_id":null}`).want(t, http.StatusOK, &d)
	if d.AgendaItemID != nil {
		t.Errorf("got agenda item %d, want unlinked", *d.AgendaItemID)
	}
	e.call(t, "GET", path, adminToken, "").want(t, http.StatusOK, nil)
}

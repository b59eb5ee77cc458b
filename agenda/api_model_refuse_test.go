package agenda_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/liuhen/liuhen/agenda"
)

// TestAPIModelRefuses sends bad requests to the routes of members, seats,
// updates and the minutes lists, and checks the status and the fields the
// problem names.
func TestAPIModelRefuses(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	ms := e.members(t, 2)
	seat, err := e.store.CreateBodySeat(ctx, agenda.BodySeatInput{BodyID: e.body.ID,
		MemberID: ms[0].ID, Role: agenda.RoleLeader, ServedFrom: agenda.NewDate(2025, 1, 1)})
	must(t, err)
	village, err := e.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "v1", Name: "村",
		Level: agenda.LevelVillage, ParentID: &e.unit.ID})
	must(t, err)
	token := e.publishToken(t)
	unit := fmt.Sprintf("/api/v1/org-units/%d", e.unit.ID)
	member := fmt.Sprintf("/api/v1/members/%d", ms[0].ID)
	seatPath := fmt.Sprintf("/api/v1/body-seats/%d", seat.ID)
	matter := fmt.Sprintf("/api/v1/matters/%d", e.matter.ID)
	meeting := fmt.Sprintf("/api/v1/meetings/%d", e.meeting.ID)
	item := fmt.Sprintf("/api/v1/agenda-items/%d", e.item.ID)
	newSeat := func(member int64, extra string) string {
		return fmt.Sprintf(`{"body_id":%d,"member_id":%d,"served_from":"2025-01-01"%s}`,
			e.body.ID, member, extra)
	}

	tests := []struct {
		name         string
		method, path string
		token, body  string
		status       int
		fields       []string
	}{
		{"village under a village", "POST", "/api/v1/org-units", adminToken, fmt.Sprintf(
			`{"code":"v2","name":"x","level":"village","parent_id":%d}`, village.ID),
			http.StatusUnprocessableEntity, []string{"parent_id"}},
		{"county under a township", "PATCH", fmt.Sprintf("/api/v1/org-units/%d",
			village.ID), adminToken, `{"level":"county"}`, http.StatusUnprocessableEntity,
			[]string{"parent_id"}},
		{"township that holds villages made a department", "PATCH", unit, adminToken,
			`{"level":"department"}`, http.StatusUnprocessableEntity, []string{"level"}},
		{"patch of the wrong types and names", "PATCH", unit, adminToken,
			`{"name":5,"level":"city","colour":"red"}`, http.StatusBadRequest,
			[]string{"colour", "name", "level"}},
		{"patch with null for a text", "PATCH", member, adminToken, `{"name":null}`,
			http.StatusBadRequest, []string{"name"}},
		{"patch with every bad field", "PATCH", member, adminToken,
			`{"code":"a b","name":"","title":" x","org_unit_id":-1}`,
			http.StatusUnprocessableEntity, []string{"org_unit_id", "code", "name", "title"}},
		{"patch with bad fields and an unknown reference", "PATCH", member, adminToken,
			`{"name":"","org_unit_id":999999}`, http.StatusUnprocessableEntity,
			[]string{"name", "org_unit_id"}},
		{"seat with a bad role and an unknown member", "POST", "/api/v1/body-seats",
			adminToken, newSeat(999999, `,"role":"chair"`), http.StatusUnprocessableEntity,
			[]string{"role", "member_id"}},
		{"patch of an unknown record", "PATCH", "/api/v1/members/999999", adminToken,
			`{"name":"x"}`, http.StatusNotFound, nil},
		{"patch with an unknown reference", "PATCH", member, adminToken,
			`{"org_unit_id":999999}`, http.StatusUnprocessableEntity, []string{"org_unit_id"}},
		{"patch with a taken code", "PATCH", member, adminToken,
			fmt.Sprintf(`{"code":%q}`, ms[1].Code), http.StatusConflict, []string{"code"}},
		{"patch that is no object", "PATCH", member, adminToken, `[1]`,
			http.StatusBadRequest, nil},
		{"member with a taken code", "POST", "/api/v1/members", adminToken, fmt.Sprintf(
			`{"org_unit_id":%d,"code":%q,"name":"x"}`, e.unit.ID, ms[0].Code),
			http.StatusConflict, []string{"code"}},
		{"member of an unknown unit", "POST", "/api/v1/members", adminToken,
			`{"org_unit_id":999999,"code":"new","name":"x"}`, http.StatusUnprocessableEntity,
			[]string{"org_unit_id"}},
		{"seat ending before it starts", "POST", "/api/v1/body-seats", adminToken,
			newSeat(ms[1].ID, `,"served_to":"2024-12-31"`), http.StatusUnprocessableEntity,
			[]string{"served_to"}},
		{"seat with a bad date", "POST", "/api/v1/body-seats", adminToken,
			newSeat(ms[1].ID, `,"served_to":"2024-02-30","role":1`), http.StatusBadRequest,
			[]string{"role", "served_to"}},
		{"seat of unknown body and member", "POST", "/api/v1/body-seats", adminToken,
			`{"body_id":999999,"member_id":999998,"served_from":"2025-01-01"}`,
			http.StatusUnprocessableEntity, []string{"body_id", "member_id"}},
		{"seat overlapping the member's", "POST", "/api/v1/body-seats", adminToken,
			newSeat(ms[0].ID, ""), http.StatusConflict, []string{"served_from"}},
		{"second leader", "POST", "/api/v1/body-seats", adminToken,
			newSeat(ms[1].ID, `,"role":"leader"`), http.StatusConflict, []string{"role"}},
		{"seat patched to end before it starts", "PATCH", seatPath, adminToken,
			`{"served_to":"2020-01-01"}`, http.StatusUnprocessableEntity,
			[]string{"served_to"}},
		{"matter kinds that disagree", "PATCH", matter, adminToken,
			`{"required_body_kind":"party_group","required_body_kinds":["party_committee"]}`,
			http.StatusUnprocessableEntity, []string{"required_body_kind"}},
		{"matter kinds of the wrong type", "PATCH", matter, adminToken,
			`{"required_body_kinds":"party_committee","vote_rule":"most"}`,
			http.StatusBadRequest, []string{"required_body_kinds", "vote_rule"}},
		{"matter rules", "POST", "/api/v1/matters", adminToken, fmt.Sprintf(
			`{"org_unit_id":%d,"code":"M2","name":"x","category":"decision",
			"amount_basis":"sum","split_window_days":0.5,"major_class":"big"}`, e.unit.ID),
			http.StatusBadRequest, []string{"split_window_days", "major_class", "amount_basis"}},
		{"meeting planned to end before it starts", "POST", "/api/v1/meetings", adminToken,
			fmt.Sprintf(`{"body_id":%d,"title":"x","planned_start":"2026-03-09T09:00:00Z",
			"planned_end":"2026-03-09T08:00:00Z"}`, e.body.ID), http.StatusUnprocessableEntity,
			[]string{"planned_end"}},
		{"meeting patched to end before it starts", "PATCH", meeting, adminToken,
			`{"started_at":"2026-03-09T09:00:00Z","ended_at":"2026-03-09T08:00:00Z",
			"mode":"video"}`, http.StatusUnprocessableEntity, []string{"mode", "ended_at"}},
		{"meeting with an unknown chair", "PATCH", meeting, adminToken,
			`{"chair_member_id":999999}`, http.StatusUnprocessableEntity,
			[]string{"chair_member_id"}},
		{"meeting planned in the year 9999", "POST", "/api/v1/meetings", adminToken,
			fmt.Sprintf(`{"body_id":%d,"title":"x","planned_start":"9999-12-31T23:59:59Z",
			"minutes_written_at":"0200-01-01T00:00:00Z"}`, e.body.ID),
			http.StatusUnprocessableEntity, []string{"minutes_written_at", "planned_start"}},
		{"decision paid in the year 3026", "PATCH", fmt.Sprintf("/api/v1/decisions/%d",
			e.decision(t).ID), adminToken, `{"paid_at":"3026-01-01T00:00:00+08:00",
			"decided_at":"1899-12-31T12:00:00Z","contract_at":"0001-01-01T00:00:00Z"}`,
			http.StatusUnprocessableEntity, []string{"contract_at", "decided_at", "paid_at"}},
		{"meeting with a bad start", "PATCH", meeting, adminToken,
			`{"started_at":"yesterday"}`, http.StatusBadRequest, []string{"started_at"}},
		{"item patched to seq 0", "PATCH", item, adminToken, `{"seq":0,"outcome":"won"}`,
			http.StatusUnprocessableEntity, []string{"outcome", "seq"}},
		{"item with negative votes", "PATCH", item, adminToken,
			`{"votes_for":-1,"votes_against":"3"}`, http.StatusBadRequest,
			[]string{"votes_against", "votes_for"}},
		{"decision with an unknown item", "PATCH", fmt.Sprintf("/api/v1/decisions/%d",
			e.decision(t).ID), adminToken, `{"agenda_item_id":999999,"paid_at":5}`,
			http.StatusBadRequest, []string{"paid_at"}},
		{"attendance without items", "PUT", meeting + "/attendance", adminToken, `{}`,
			http.StatusBadRequest, []string{"items"}},
		{"attendance of bad entries", "PUT", meeting + "/attendance", adminToken,
			`{"items":[{"member_id":"1","status":"present"},5,{"status":"late","x":1}],
			"more":true}`, http.StatusBadRequest, []string{"more", "items[0].member_id",
				"items[1]", "items[2].x", "items[2].member_id", "items[2].status"}},
		{"attendance of unknown members", "PUT", meeting + "/attendance", adminToken,
			`{"items":[{"member_id":999999,"status":"present"}]}`,
			http.StatusUnprocessableEntity, []string{"items[0].member_id"}},
		{"attendance of a member twice", "PUT", meeting + "/attendance", adminToken,
			fmt.Sprintf(`{"items":[{"member_id":%d,"status":"present"},
			{"member_id":%[1]d,"status":"absent"}]}`, ms[0].ID),
			http.StatusUnprocessableEntity, []string{"items[1].member_id"}},
		{"attendance of an unknown meeting", "PUT", "/api/v1/meetings/999999/attendance",
			adminToken, `{"items":[]}`, http.StatusNotFound, nil},
		{"attendance written with a publish token", "PUT", meeting + "/attendance", token,
			`{"items":[]}`, http.StatusForbidden, nil},
		{"attendance of another meeting", "GET", fmt.Sprintf("/api/v1/meetings/%d/attendance",
			e.newMeeting(t, "其他").ID), token, "", http.StatusForbidden, nil},
		{"attendance paged", "GET", meeting + "/attendance?limit=5", adminToken, "",
			http.StatusBadRequest, []string{"limit"}},
		{"statements with a bad position", "PUT", item + "/statements", adminToken,
			fmt.Sprintf(`{"items":[{"member_id":%d,"position":"yes"}]}`, ms[0].ID),
			http.StatusUnprocessableEntity, []string{"items[0].position"}},
		{"recusals of an unknown item", "GET", "/api/v1/agenda-items/999999/recusals",
			adminToken, "", http.StatusNotFound, nil},
		{"expected attendees of an unknown meeting", "GET",
			"/api/v1/meetings/999999/expected-attendees", adminToken, "",
			http.StatusNotFound, nil},
		{"bad filters", "GET", "/api/v1/body-seats?on=2026-13-01&member_id=x", adminToken, "",
			http.StatusBadRequest, []string{"member_id", "on"}},
		{"empty code filter", "GET", "/api/v1/members?code=", adminToken, "",
			http.StatusBadRequest, []string{"code"}},
		{"NUL in a filter", "GET", "/api/v1/decisions?payee=a%00b", adminToken, "",
			http.StatusBadRequest, []string{"payee"}},
		{"NUL in a text", "PATCH", member, adminToken, `{"title":"a\u0000b"}`,
			http.StatusUnprocessableEntity, []string{"title"}},
		{"bad outcome filter", "GET", "/api/v1/agenda-items?outcome=won", adminToken, "",
			http.StatusBadRequest, []string{"outcome"}},
		{"members written with a publish token", "POST", "/api/v1/members", token,
			`{"org_unit_id":1,"code":"x","name":"x"}`, http.StatusForbidden, nil},
		{"patch with a publish token", "PATCH", item, token, `{"title":"x"}`,
			http.StatusForbidden, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.call(t, tt.method, tt.path, tt.token, tt.body).problem(t, tt.status, tt.fields...)
		})
	}
	t.Run("refused patches changed nothing", func(t *testing.T) {
		got, err := e.store.GetMember(ctx, ms[0].ID)
		must(t, err)
		if got != ms[0] {
			t.Errorf("got %+v, want %+v", got, ms[0])
		}
	})
	t.Run("a publish token sees its own meeting's items only", func(t *testing.T) {
		other, err := e.store.CreateMeeting(ctx, agenda.MeetingInput{BodyID: e.meeting.BodyID,
			Title: "另一次会议", PlannedStart: e.meeting.PlannedStart})
		must(t, err)
		path := fmt.Sprintf("/api/v1/agenda-items?meeting_id=%d", other.ID)
		e.call(t, "GET", path, token, "").want(t, http.StatusForbidden, nil)
		var l agenda.List[agenda.AgendaItem]
		e.call(t, "GET", "/api/v1/agenda-items", token, "").want(t, http.StatusOK, &l)
		if len(l.Items) != 1 || l.Items[0].ID != e.item.ID {
			t.Errorf("got %+v, want item %d only", l.Items, e.item.ID)
		}
	})
	t.Run("PUT where only GET and PATCH are served", func(t *testing.T) {
		res := e.call(t, "PUT", member, adminToken, "")
		res.problem(t, http.StatusMethodNotAllowed)
		if got := res.header.Get("Allow"); got != "GET, PATCH" {
			t.Errorf("got Allow %q, want GET, PATCH", got)
		}
	})
	if logs := e.logs.String(); logs != "" {
		t.Errorf("got logs %q for bad input, want none", logs)
	}
}

// decision registers a decision of the world's matter.
func (w *world) decision(t testing.TB) agenda.Decision {
	t.Helper()
	d, err := w.store.CreateDecision(context.Background(), agenda.DecisionInput{
		OrgUnitID: w.unit.ID, MatterID: w.matter.ID, Title: "决定", DecidedAt: at(0)})
	must(t, err)
	return d
}

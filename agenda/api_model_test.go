package agenda_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda"
)

// roundTrip creates a record with POST, reads it back and checks the
// Location; it returns the path of the record.
func (e *apiEnv) roundTrip(t testing.TB, collection, body string, v any) string {
	t.Helper()
	res := e.call(t, "POST", "/api/v1/"+collection, adminToken, body)
	res.want(t, http.StatusCreated, v)
	loc := res.header.Get("Location")
	got := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	e.call(t, "GET", loc, adminToken, "").want(t, http.StatusOK, got)
	if !reflect.DeepEqual(got, v) {
		t.Errorf("GET %s: got %+v, want %+v", loc, got, v)
	}
	return loc
}

// listIDs lists path and returns the ids of the items.
func (e *apiEnv) listIDs(t testing.TB, path string) []int64 {
	t.Helper()
	var l struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	e.call(t, "GET", path, adminToken, "").want(t, http.StatusOK, &l)
	ids := []int64{}
	for _, it := range l.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// publishToken issues a publish token for the world's meeting.
func (e *apiEnv) publishToken(t testing.TB) string {
	t.Helper()
	token, err := e.store.CreatePublishToken(context.Background(), e.meeting.ID, time.Hour)
	must(t, err)
	return token
}

func wantIDs(t testing.TB, path string, got []int64, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GET %s: got ids %v, want %v", path, got, want)
	}
}

func TestAPIPeople(t *testing.T) {
	e := newAPIEnv(t)
	var county agenda.OrgUnit
	e.roundTrip(t, "org-units", `{"code":"cty","name":"县","level":"county"}`, &county)
	unit := fmt.Sprintf("/api/v1/org-units/%d", e.unit.ID)
	var town agenda.OrgUnit
	e.call(t, "PATCH", unit, adminToken, fmt.Sprintf(`{"parent_id":%d}`, county.ID)).
		want(t, http.StatusOK, &town)
	if *town.ParentID != county.ID || town.Name != e.unit.Name {
		t.Errorf("got %+v, want the township under the county, its name kept", town)
	}
	path := fmt.Sprintf("/api/v1/org-units?parent_id=%d&code=t1", county.ID)
	wantIDs(t, path, e.listIDs(t, path), town.ID)

	var body agenda.Body
	bodyPath := fmt.Sprintf("/api/v1/bodies/%d", e.body.ID)
	e.call(t, "PATCH", bodyPath, adminToken, `{"name":"中共测试镇委员会"}`).
		want(t, http.StatusOK, &body)
	if body.Name != "中共测试镇委员会" || body.Kind != e.body.Kind {
		t.Errorf("got %+v, want the new name and the kind kept", body)
	}
	path = "/api/v1/bodies?code=t1-pc&kind=party_committee"
	wantIDs(t, path, e.listIDs(t, path), body.ID)

	var m agenda.Member
	memberPath := e.roundTrip(t, "members", fmt.Sprintf(`{"org_unit_id":%d,"code":"E-001",
		"name":"王五","title":"党委书记"}`, e.unit.ID), &m)
	e.call(t, "PATCH", memberPath, adminToken, `{"title":"镇党委书记"}`).
		want(t, http.StatusOK, &m)
	if m.Title != "镇党委书记" || m.Name != "王五" {
		t.Errorf("got %+v, want the new title and the name kept", m)
	}
	var seat agenda.BodySeat
	seatPath := e.roundTrip(t, "body-seats", fmt.Sprintf(`{"body_id":%d,"member_id":%d,
		"role":"leader","served_from":"2025-01-01"}`, e.body.ID, m.ID), &seat)
	e.call(t, "PATCH", seatPath, adminToken, `{"served_to":"2026-12-31"}`).
		want(t, http.StatusOK, &seat)
	if seat.ServedTo == nil || seat.ServedTo.String() != "2026-12-31" ||
		seat.Role != agenda.RoleLeader {
		t.Errorf("got %+v, want a leader's seat to 2026-12-31", seat)
	}
	path = fmt.Sprintf("/api/v1/members?body_id=%d&org_unit_id=%d&code=E-001", e.body.ID,
		e.unit.ID)
	wantIDs(t, path, e.listIDs(t, path), m.ID)
	path = fmt.Sprintf("/api/v1/body-seats?body_id=%d&member_id=%d&org_unit_id=%d"+
		"&on=2026-03-02", e.body.ID, m.ID, e.unit.ID)
	wantIDs(t, path, e.listIDs(t, path), seat.ID)
	path = "/api/v1/body-seats?on=2027-01-01"
	wantIDs(t, path, e.listIDs(t, path))

	var expected agenda.List[agenda.ExpectedAttendee]
	e.call(t, "GET", fmt.Sprintf("/api/v1/meetings/%d/expected-attendees", e.meeting.ID),
		adminToken, "").want(t, http.StatusOK, &expected)
	if len(expected.Items) != 1 || expected.Items[0].Member != m ||
		expected.Items[0].Seat.ID != seat.ID {
		t.Errorf("got %+v, want member %d in seat %d", expected.Items, m.ID, seat.ID)
	}
}

func TestAPIRules(t *testing.T) {
	e := newAPIEnv(t)
	var m agenda.Matter
	path := e.roundTrip(t, "matters", fmt.Sprintf(`{"org_unit_id":%d,"code":"V-01",
		"name":"村级工程","category":"decision","major_class":"major_project",
		"required_body_kinds":["village_two_committees","villager_representatives"],
		"amount_threshold":100000,"amount_basis":"project","split_window_days":30,
		"quorum_rule":"two_thirds","vote_rule":"more_than_half","leader_speaks_last":true,
		"recusal_applies":true}`, e.unit.ID), &m)
	if m.RequiredBodyKind == nil || *m.RequiredBodyKind != agenda.BodyVillagerRepresentatives {
		t.Errorf("got %+v, want villager_representatives deciding", m)
	}
	e.call(t, "PATCH", path, adminToken, `{"required_body_kind":"party_committee",
		"split_window_days":60}`).want(t, http.StatusOK, &m)
	if len(m.RequiredBodyKinds) != 1 || m.RequiredBodyKinds[0] != agenda.BodyPartyCommittee ||
		m.SplitWindowDays != 60 || m.AmountBasis != agenda.BasisProject {
		t.Errorf("got %+v, want kinds [party_committee], window 60, the rest kept", m)
	}
	list := fmt.Sprintf("/api/v1/matters?major_class=major_project&"+
		"required_body_kind=party_committee&code=V-01&org_unit_id=%d", e.unit.ID)
	wantIDs(t, list, e.listIDs(t, list), m.ID)

	var meeting agenda.Meeting
	path = e.roundTrip(t, "meetings", fmt.Sprintf(`{"body_id":%d,"title":"第3次",
		"code":"PC-3","mode":"meeting","planned_start":"2026-03-09T09:00:00+08:00",
		"planned_end":"2026-03-09T11:00:00+08:00"}`, e.body.ID), &meeting)
	e.call(t, "PATCH", path, adminToken, `{"started_at":"2026-03-09T09:05:00+08:00",
		"ended_at":"2026-03-09T10:40:00+08:00","minutes_written_at":"2026-03-10T09:00:00+08:00",
		"planned_end":null}`).want(t, http.StatusOK, &meeting)
	if meeting.PlannedEnd != nil || meeting.EndedAt == nil || meeting.Code != "PC-3" {
		t.Errorf("got %+v, want planned_end cleared, ended_at set, code kept", meeting)
	}
	list = fmt.Sprintf("/api/v1/meetings?code=PC-3&mode=meeting&body_id=%d", e.body.ID)
	wantIDs(t, list, e.listIDs(t, list), meeting.ID)

	var it agenda.AgendaItem
	itemPath := fmt.Sprintf("/api/v1/agenda-items/%d", e.item.ID)
	e.call(t, "PATCH", itemPath, adminToken, `{"presenter":"党政办","outcome":"approved",
		"votes_for":7,"votes_against":0,"votes_abstain":1}`).want(t, http.StatusOK, &it)
	if it.Presenter != "党政办" || *it.Outcome != agenda.OutcomeApproved ||
		*it.VotesFor != 7 || it.Title != e.item.Title {
		t.Errorf("got %+v, want presenter, outcome and votes, the title kept", it)
	}
	list = fmt.Sprintf("/api/v1/agenda-items?matter_id=%d&outcome=approved&org_unit_id=%d"+
		"&planned_from=2026-03-01T00:00:00Z&planned_to=2026-03-03T00:00:00Z",
		e.matter.ID, e.unit.ID)
	wantIDs(t, list, e.listIDs(t, list), it.ID)

	var d agenda.Decision
	path = e.roundTrip(t, "decisions", fmt.Sprintf(`{"org_unit_id":%d,"matter_id":%d,
		"title":"工程款","amount":30000,"decided_at":"2026-03-09T12:00:00+08:00",
		"payee":"某公司","project":"村道","registered_at":"2026-03-09T15:00:00+08:00"}`,
		e.unit.ID, m.ID), &d)
	e.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"agenda_item_id":%d,
		"contract_at":"2026-03-12T10:00:00+08:00","paid_at":"2026-03-20T10:00:00+08:00"}`,
		e.item.ID)).want(t, http.StatusOK, &d)
	if d.ContractAt == nil || d.PaidAt == nil || *d.AgendaItemID != e.item.ID ||
		d.Payee != "某公司" {
		t.Errorf("got %+v, want contract and payment dates, linked, payee kept", d)
	}
	before := d
	e.call(t, "PATCH", path, adminToken, `{}`).want(t, http.StatusOK, &d)
	if !reflect.DeepEqual(d, before) {
		t.Errorf("an empty patch: got %+v, want %+v unchanged", d, before)
	}
	list = fmt.Sprintf("/api/v1/decisions?payee=%%E6%%9F%%90%%E5%%85%%AC%%E5%%8F%%B8"+
		"&project=%%E6%%9D%%91%%E9%%81%%93&agenda_item_id=%d", e.item.ID)
	wantIDs(t, list, e.listIDs(t, list), d.ID)
}

func TestAPIMinutes(t *testing.T) {
	e := newAPIEnv(t)
	ms := e.members(t, 2)
	attendance := fmt.Sprintf("/api/v1/meetings/%d/attendance", e.meeting.ID)
	var att agenda.List[agenda.Attendance]
	e.call(t, "GET", attendance, adminToken, "").want(t, http.StatusOK, &att)
	if len(att.Items) != 0 {
		t.Errorf("got %+v, want no attendance yet", att.Items)
	}
	e.call(t, "PUT", attendance, adminToken, fmt.Sprintf(`{"items":[
		{"member_id":%d,"status":"present"},
		{"member_id":%d,"status":"absent","absence_reason":"病假"}]}`, ms[0].ID, ms[1].ID)).
		want(t, http.StatusOK, &att)
	if len(att.Items) != 2 || att.Items[1].AbsenceReason != "病假" {
		t.Errorf("got %+v, want both members, the second absent", att.Items)
	}
	token := e.publishToken(t)
	e.call(t, "GET", attendance, token, "").want(t, http.StatusOK, &att)
	if len(att.Items) != 2 {
		t.Errorf("got %+v with the publish token, want the two entries", att.Items)
	}

	item := fmt.Sprintf("/api/v1/agenda-items/%d", e.item.ID)
	var rec agenda.List[agenda.Recusal]
	e.call(t, "PUT", item+"/recusals", adminToken, fmt.Sprintf(`{"items":[
		{"member_id":%d,"reason":"亲属","took_part":false}]}`, ms[1].ID)).
		want(t, http.StatusOK, &rec)
	e.call(t, "GET", item+"/recusals", token, "").want(t, http.StatusOK, &rec)
	if len(rec.Items) != 1 || rec.Items[0].MemberID != ms[1].ID {
		t.Errorf("got %+v, want member %d", rec.Items, ms[1].ID)
	}
	var st agenda.List[agenda.Statement]
	e.call(t, "PUT", item+"/statements", adminToken, fmt.Sprintf(`{"items":[
		{"member_id":%d,"position":"for"},{"member_id":%d}]}`, ms[1].ID, ms[0].ID)).
		want(t, http.StatusOK, &st)
	e.call(t, "GET", item+"/statements", adminToken, "").want(t, http.StatusOK, &st)
	if len(st.Items) != 2 || st.Items[1].Seq != 2 || st.Items[1].MemberID != ms[0].ID {
		t.Errorf("got %+v, want two statements in order", st.Items)
	}
	e.call(t, "PUT", item+"/statements", adminToken, `{"items":[]}`).
		want(t, http.StatusOK, &st)
	if len(st.Items) != 0 {
		t.Errorf("got %+v, want the statements cleared", st.Items)
	}
}

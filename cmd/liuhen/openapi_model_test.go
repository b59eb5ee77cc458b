package main

import (
	"fmt"
	"testing"

	"github.com/liuhen/liuhen/agenda"
)

// checkModel sends requests to the operations of the procedure-list model:
// members and seats, updates of every record, and the minutes lists.
func checkModel(t *testing.T, c *contract, admin string, sample agenda.Sample) {
	_, body := c.check(t, exchange{name: "add member", method: "POST",
		path: "/api/v1/members", token: admin, contentType: jsonType, want: 201,
		body: fmt.Sprintf(`{"org_unit_id":%d,"code":"OA-M1","name":"测试委员",
			"title":"党委委员"}`, sample.TownshipID)})
	member := idOf(t, body, "id")
	_, body = c.check(t, exchange{name: "add seat", method: "POST",
		path: "/api/v1/body-seats", token: admin, contentType: jsonType, want: 201,
		body: fmt.Sprintf(`{"body_id":%d,"member_id":%d,"role":"member",
			"served_from":"2020-01-01","served_to":null}`, sample.PartyCommitteeID, member)})
	seat := idOf(t, body, "id")
	meeting := fmt.Sprintf("/api/v1/meetings/%d", sample.MeetingID)
	item := fmt.Sprintf("/api/v1/agenda-items/%d", sample.AgendaItemIDs[0])
	patch := func(name, path, body string) exchange {
		return exchange{name: name, method: "PATCH", path: path, token: admin,
			contentType: jsonType, body: body, want: 200}
	}
	put := func(name, path, body string) exchange {
		return exchange{name: name, method: "PUT", path: path, token: admin,
			contentType: jsonType, body: body, want: 200}
	}
	get := func(name, path string) exchange {
		return exchange{name: name, method: "GET", path: path, token: admin, want: 200}
	}
	c.checkAll(t, []exchange{
		get("list members", fmt.Sprintf("/api/v1/members?org_unit_id=%d&body_id=%d"+
			"&code=OA-M1", sample.TownshipID, sample.PartyCommitteeID)),
		get("read member", fmt.Sprintf("/api/v1/members/%d", member)),
		patch("change member", fmt.Sprintf("/api/v1/members/%d", member),
			`{"title":"党委副书记"}`),
		get("list seats", fmt.Sprintf("/api/v1/body-seats?body_id=%d&on=2026-03-01",
			sample.PartyCommitteeID)),
		get("read seat", fmt.Sprintf("/api/v1/body-seats/%d", seat)),
		patch("change seat", fmt.Sprintf("/api/v1/body-seats/%d", seat),
			`{"role":"deputy","served_to":"2099-12-31"}`),
		patch("change org unit", fmt.Sprintf("/api/v1/org-units/%d", sample.TownshipID),
			`{"name":"青山镇"}`),
		patch("change body", fmt.Sprintf("/api/v1/bodies/%d", sample.PartyCommitteeID),
			`{"name":"中共青山镇委员会"}`),
		patch("change matter", fmt.Sprintf("/api/v1/matters/%d", sample.Matters["QS-03"]),
			`{"major_class":"large_funds","amount_basis":"project","split_window_days":90,
			"quorum_rule":"more_than_half","vote_rule":"more_than_half",
			"leader_speaks_last":true,"recusal_applies":true,
			"required_body_kinds":["party_committee"]}`),
		patch("change meeting", meeting, fmt.Sprintf(`{"chair_member_id":%d,
			"minutes_written_at":null,"mode":"meeting"}`, member)),
		patch("change agenda item", item, `{"presenter":"党政办","outcome":"approved",
			"votes_for":5,"votes_against":0,"votes_abstain":0}`),
		get("list agenda items", fmt.Sprintf("/api/v1/agenda-items?meeting_id=%d"+
			"&outcome=approved&limit=5", sample.MeetingID)),
		get("expected attendees", meeting+"/expected-attendees"),
		put("record attendance", meeting+"/attendance", fmt.Sprintf(
			`{"items":[{"member_id":%d,"status":"absent","absence_reason":"出差"}]}`, member)),
		get("read attendance", meeting+"/attendance"),
		put("record recusals", item+"/recusals", fmt.Sprintf(
			`{"items":[{"member_id":%d,"reason":"亲属","took_part":false}]}`, member)),
		get("read recusals", item+"/recusals"),
		put("record statements", item+"/statements", fmt.Sprintf(
			`{"items":[{"member_id":%d,"position":"for"}]}`, member)),
		get("read statements", item+"/statements"),
		{name: "seat ending before it starts", method: "PATCH", token: admin, want: 422,
			path: fmt.Sprintf("/api/v1/body-seats/%d", seat), contentType: jsonType,
			body: `{"served_to":"2019-12-31"}`},
		{name: "attendance of an unknown member", method: "PUT", token: admin, want: 422,
			path: meeting + "/attendance", contentType: jsonType,
			body: `{"items":[{"member_id":999999999,"status":"present"}]}`},
		{name: "secretary's meetings", method: "GET", path: "/secretary", want: 200},
		{name: "secretary's attendance page", method: "GET", want: 200,
			path: fmt.Sprintf("/secretary/meetings/%d", sample.MeetingID)},
		{name: "attendance page of a bad id", method: "GET", path: "/secretary/meetings/x",
			want: 404, malformed: true},
		{name: "village under a county", method: "POST", path: "/api/v1/org-units",
			token: admin, contentType: jsonType, want: 422, body: fmt.Sprintf(
				`{"code":"OA-V","name":"测试村","level":"village","parent_id":%d}`,
				sample.CountyID)},
	})
}

package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/liuhen/liuhen/agenda"
)

// checkInspection sends a request to every operation of the inspectors'
// routes and pages: search, watch data, inspector tokens and the audit
// log, with the admin token and an inspector token.
func checkInspection(t *testing.T, c *contract, admin string, sample agenda.Sample) {
	_, body := c.check(t, exchange{name: "issue inspector token", method: "POST",
		path: "/api/v1/inspector-tokens", token: admin, contentType: jsonType, want: 201,
		body: `{"name":"王明（县纪委监委）","ttl_hours":48}`})
	var issued struct {
		Token     string
		Inspector struct{ ID int64 }
	}
	if err := json.Unmarshal(body, &issued); err != nil || issued.Token == "" {
		t.Fatalf("inspector token answer %s: got no token (%v)", body, err)
	}
	inspector, tokenPath := issued.Token, fmt.Sprintf("/api/v1/inspector-tokens/%d",
		issued.Inspector.ID)
	watch := fmt.Sprintf("/api/v1/agenda-items/%d/watch", sample.AgendaItemIDs[0])
	c.checkAll(t, []exchange{
		{name: "search in Chinese", method: "GET", token: inspector, want: 200,
			path: "/api/v1/search?q=" + url.QueryEscape("敬老院")},
		{name: "search with every filter", method: "GET", token: admin, want: 200,
			path: "/api/v1/search?q=" + url.QueryEscape("资金") + "&unit=qingshan" +
				"&body_kind=party_committee&category=decision&major_class=none" +
				"&from=2000-01-01&to=2100-01-01&has_findings=false&limit=5&offset=0"},
		{name: "search that finds nothing similar", method: "GET", token: admin, want: 200,
			path: "/api/v1/search?q=" + url.QueryEscape("火星探测器发射")},
		{name: "search with bad parameters", method: "GET", token: admin, want: 400,
			path: "/api/v1/search?limit=0&body_kind=nope", malformed: true},
		{name: "search with an unknown token", method: "GET", token: "wrong", want: 401,
			path: "/api/v1/search"},
		{name: "watch an agenda item", method: "GET", path: watch, token: inspector, want: 200},
		{name: "watch an unknown item", method: "GET", token: admin, want: 404,
			path: "/api/v1/agenda-items/999999999/watch"},
		{name: "list inspector tokens", method: "GET", path: "/api/v1/inspector-tokens",
			token: admin, want: 200},
		{name: "read inspector token", method: "GET", path: tokenPath, token: admin, want: 200},
		{name: "inspector token with a bad name", method: "POST", want: 400, malformed: true,
			path: "/api/v1/inspector-tokens", token: admin, contentType: jsonType,
			body: `{"name":""}`},
		{name: "inspector issuing a token", method: "POST", path: "/api/v1/inspector-tokens",
			token: inspector, contentType: jsonType, body: `{"name":"自己"}`, want: 403},
		{name: "inspector writing", method: "POST", path: "/api/v1/org-units",
			token: inspector, contentType: jsonType, want: 403,
			body: `{"code":"OA-INSPECT","name":"测试","level":"township"}`},
		{name: "audit log", method: "GET", token: admin, want: 200,
			path: "/api/v1/audit?actor=" + url.QueryEscape("王明（县纪委监委）") +
				"&action=search&from=2000-01-01&limit=10&offset=0"},
		{name: "audit log, bad period", method: "GET", token: admin, want: 400,
			path: "/api/v1/audit?from=2026-02-01&to=2026-01-01"},
		{name: "audit log with an inspector token", method: "GET", path: "/api/v1/audit",
			token: inspector, want: 403},
		{name: "revoke inspector token", method: "DELETE", path: tokenPath, token: admin,
			want: 200},
		{name: "search page", method: "GET", path: "/search", want: 200},
		{name: "watch page", method: "GET", want: 200,
			path: fmt.Sprintf("/watch/%d", sample.AgendaItemIDs[0])},
		{name: "watch page of a bad id", method: "GET", path: "/watch/abc", want: 404,
			malformed: true},
	})
}

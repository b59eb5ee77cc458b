package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/liuhen/liuhen/agenda"
)

const (
	jsonType = "application/json"
	sdpType  = "application/sdp"
)

// checkAnswers sends at least one request to every documented operation of
// a server holding the sample township, and checks each request and answer
// against the document (see contract.check).
func checkAnswers(t *testing.T, c *contract, s *stack) {
	sample, err := agenda.LoadSample(context.Background(), s.app.svc.store)
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	t.Run("pages and operations", func(t *testing.T) { c.checkAll(t, pageExchanges(sample)) })
	t.Run("catalogue", func(t *testing.T) { c.checkAll(t, catalogueExchanges(s.admin, sample)) })
	var newMeeting int64
	t.Run("meetings", func(t *testing.T) { newMeeting = checkMeetings(t, c, s, sample) })
	t.Run("decisions and verification", func(t *testing.T) {
		checkDecisions(t, c, s.admin, sample)
	})
	t.Run("reports", func(t *testing.T) { checkReports(t, c, s.admin) })
	t.Run("imports", func(t *testing.T) { c.checkAll(t, importExchanges(s.admin)) })
	t.Run("findings", func(t *testing.T) { checkFindings(t, c, s) })
	t.Run("errors", func(t *testing.T) { checkErrors(t, c, s, sample, newMeeting) })
	t.Run("procedure-list model", func(t *testing.T) { checkModel(t, c, s.admin, sample) })
	t.Run("evidence", func(t *testing.T) { checkEvidence(t, c, s, sample) })
	t.Run("inspection", func(t *testing.T) { checkInspection(t, c, s.admin, sample) })
}

func checkReports(t *testing.T, c *contract, admin string) {
	_, body := c.check(t, exchange{name: "issue report", method: "POST",
		path: "/api/v1/reports", token: admin, contentType: jsonType, want: 201,
		body: `{"unit":"qingshan","from":"2000-01-01","to":"2100-01-01","format":"csv",
			"codes":["NO_MEETING"]}`})
	c.checkAll(t, []exchange{
		{name: "list reports", method: "GET", path: "/api/v1/reports?unit=qingshan&limit=5",
			token: admin, want: 200},
		{name: "read report", method: "GET", token: admin, want: 200,
			path: fmt.Sprintf("/api/v1/reports/%d", idOf(t, body, "id"))},
		{name: "report of a bad period", method: "POST", path: "/api/v1/reports",
			token: admin, contentType: jsonType, body: `{"from":"2026-05-01","to":"2026-04-01"}`,
			want: 400},
		{name: "unknown report", method: "GET", path: "/api/v1/reports/999999", token: admin,
			want: 404},
		{name: "report of a bad id", method: "GET", path: "/api/v1/reports/abc", token: admin,
			want: 400, malformed: true},
		{name: "reports, one a page from the second", method: "GET", token: admin, want: 200,
			path: "/api/v1/reports?limit=1&offset=1"},
	})
}

func importExchanges(admin string) []exchange {
	post := func(name, query, contentType, body string, want int) exchange {
		return exchange{name: name, method: "POST", path: "/api/v1/imports/units" + query,
			token: admin, contentType: contentType, body: body, want: want,
			malformed: contentType == jsonType}
	}
	return []exchange{
		post("import units, dry run", "?dry_run=true", "text/csv",
			"单位编码,单位名称,层级\nOA-IMP,导入镇,乡镇\n", 200),
		post("import units", "", "text/csv", "单位编码,单位名称,层级\nOA-IMP,导入镇,乡镇\n", 200),
		post("import a file with bad rows", "", "text/csv",
			"单位编码,单位名称,层级\nOA-IMP2,导入镇,小组\n,无编码,村\n", 422),
		post("import what is not a spreadsheet", "", jsonType, `{"code":"OA-IMP"}`, 415),
	}
}

func pageExchanges(sample agenda.Sample) []exchange {
	room := fmt.Sprintf("/room/%d", sample.MeetingID)
	return []exchange{
		{name: "document as JSON", method: "GET", path: "/api/v1/openapi.json", want: 200},
		{name: "document as YAML", method: "GET", path: "/api/v1/openapi.yaml", want: 200},
		{name: "health", method: "GET", path: "/healthz", want: 200},
		{name: "metrics", method: "GET", path: "/metrics", want: 200},
		{name: "start page", method: "GET", path: "/", want: 200},
		{name: "meeting room", method: "GET", path: room, want: 200},
		{name: "meeting room of a bad id", method: "GET", path: "/room/abc", want: 404,
			malformed: true},
		{name: "static file", method: "GET", path: "/static/room.js", want: 200},
		{name: "missing static file", method: "GET", path: "/static/none.js", want: 404},
	}
}

func catalogueExchanges(admin string, sample agenda.Sample) []exchange {
	post := func(name, path, body string) exchange {
		return exchange{name: name, method: "POST", path: path, token: admin,
			contentType: jsonType, body: body, want: 201}
	}
	get := func(name, path string) exchange {
		return exchange{name: name, method: "GET", path: path, token: admin, want: 200}
	}
	town, committee := sample.TownshipID, sample.PartyCommitteeID
	return []exchange{
		get("list org units", "/api/v1/org-units?level=township&offset=0"),
		post("add org unit", "/api/v1/org-units", fmt.Sprintf(`{"code":"OA-TOWN",
			"name":"测试镇","level":"township","parent_id":%d}`, sample.CountyID)),
		get("read org unit", fmt.Sprintf("/api/v1/org-units/%d", town)),
		get("list bodies, one a page", "/api/v1/bodies?limit=1"),
		post("add body", "/api/v1/bodies", fmt.Sprintf(`{"org_unit_id":%d,
			"code":"OA-BODY","name":"测试党委会","kind":"party_committee"}`, town)),
		get("read body", fmt.Sprintf("/api/v1/bodies/%d", committee)),
		get("list matters", fmt.Sprintf("/api/v1/matters?category=decision&org_unit_id=%d",
			town)),
		post("add matter", "/api/v1/matters", fmt.Sprintf(`{"org_unit_id":%d,
			"code":"OA-MATTER","name":"测试事项","category":"decision",
			"required_body_kind":"party_committee","amount_threshold":50000.5,
			"must_record":null,"legal_basis":"测试依据"}`, town)),
		get("read matter", fmt.Sprintf("/api/v1/matters/%d", sample.Matters["QS-03"])),
	}
}

// checkMeetings goes through a meeting's life: agenda, publish token, a
// WHIP session, marks and index points, the end of the session. It
// returns the id of a new meeting that the sample's token may not read.
func checkMeetings(t *testing.T, c *contract, s *stack, sample agenda.Sample) int64 {
	admin, meeting := s.admin, sample.MeetingID
	_, body := c.check(t, exchange{name: "plan meeting", method: "POST",
		path: "/api/v1/meetings", token: admin, contentType: jsonType, want: 201,
		body: fmt.Sprintf(`{"body_id":%d,"title":"测试会议",
			"planned_start":"2026-03-01T09:00:00+08:00"}`, sample.PartyCommitteeID)})
	newMeeting := idOf(t, body, "id")
	items := fmt.Sprintf("/api/v1/meetings/%d/agenda-items", newMeeting)
	tokens := fmt.Sprintf("/api/v1/meetings/%d/publish-tokens", meeting)
	c.checkAll(t, []exchange{
		{name: "list meetings", method: "GET", token: admin, want: 200, path: fmt.Sprintf(
			"/api/v1/meetings?body_id=%d&planned_from=2000-01-01T00:00:00%%2B08:00",
			sample.PartyCommitteeID)},
		{name: "add agenda item", method: "POST", path: items, token: admin,
			contentType: jsonType, want: 201, body: fmt.Sprintf(
				`{"title":"测试议题","matter_id":%d}`, sample.Matters["QS-03"])},
		{name: "list agenda", method: "GET", path: items, token: admin, want: 200},
		{name: "publish token with a lifetime", method: "POST", path: tokens, token: admin,
			contentType: jsonType, body: `{"ttl_hours":2}`, want: 201},
	})
	_, body = c.check(t, exchange{name: "publish token", method: "POST", path: tokens,
		token: admin, want: 201})
	var issued struct{ Token string }
	if err := json.Unmarshal(body, &issued); err != nil || issued.Token == "" {
		t.Fatalf("publish token answer %s: got no token (%v)", body, err)
	}
	token := issued.Token

	resp, _ := c.check(t, exchange{name: "start WHIP session", method: "POST",
		path: fmt.Sprintf("/whip/%d", meeting), token: token, contentType: sdpType,
		body: sdpOffer(t, opusCodec, vp8Codec), want: 201})
	session := resp.Header.Get("Location")
	recs, err := s.app.svc.store.RecordingSummary(context.Background(), meeting)
	if err != nil || len(recs) == 0 {
		t.Fatalf("recordings of meeting %d: got %d, err %v; want one open", meeting,
			len(recs), err)
	}
	recording := recs[len(recs)-1].ID
	item := func(i int, what string) string {
		return fmt.Sprintf("/api/v1/agenda-items/%d%s", sample.AgendaItemIDs[i], what)
	}
	c.checkAll(t, []exchange{
		{name: "trickle ICE", method: "PATCH", path: session, token: token,
			contentType: "application/trickle-ice-sdpfrag", body: "a=end-of-candidates\r\n",
			want: 501},
		{name: "mark start", method: "POST", path: item(0, "/marks"), token: token,
			contentType: jsonType, body: `{"action":"start"}`, want: 200},
		{name: "mark end", method: "POST", path: item(0, "/marks"), token: token,
			contentType: jsonType, body: `{"action":"end"}`, want: 200},
		{name: "add index point", method: "POST", path: item(1, "/index-points"),
			token: token, contentType: jsonType, want: 201, body: fmt.Sprintf(
				`{"recording_id":%d,"start_ms":0,"end_ms":1000}`, recording)},
		{name: "read meeting while recording", method: "GET", token: token, want: 200,
			path: fmt.Sprintf("/api/v1/meetings/%d", meeting)},
		{name: "read agenda item", method: "GET", path: item(0, ""), token: token, want: 200},
		{name: "list meetings with a publish token", method: "GET",
			path: "/api/v1/meetings?limit=10", token: token, want: 200},
		{name: "end WHIP session", method: "DELETE", path: session, token: token, want: 200},
	})
	s.waitRecordingEnded(t, meeting)
	c.checkAll(t, []exchange{
		{name: "read meeting after recording", method: "GET", token: admin, want: 200,
			path: fmt.Sprintf("/api/v1/meetings/%d", meeting)},
		// TODO(openapi-viewing): tests run no viewing-copy workers, so only
		// the 404 of a copy not made yet is checked; a test with a finished
		// copy would check the ViewingCopy schema too.
		{name: "viewing copy not made yet", method: "GET", token: token, want: 404,
			path: fmt.Sprintf("/api/v1/recordings/%d/viewing-copy", recording)},
		{name: "mark end after the recording", method: "POST", path: item(0, "/marks"),
			token: token, contentType: jsonType, body: `{"action":"end"}`, want: 409},
	})
	return newMeeting
}

func checkDecisions(t *testing.T, c *contract, admin string, sample agenda.Sample) {
	_, body := c.check(t, exchange{name: "register decision", method: "POST",
		path: "/api/v1/decisions", token: admin, contentType: jsonType, want: 201,
		body: fmt.Sprintf(`{"org_unit_id":%d,"matter_id":%d,"title":"测试决定",
			"amount":80000.25,"decided_at":"2026-03-01T10:00:00+08:00",
			"agenda_item_id":null,"reference":"测试〔2026〕1号"}`,
			sample.TownshipID, sample.Matters["QS-03"])})
	decision := fmt.Sprintf("/api/v1/decisions/%d", idOf(t, body, "id"))
	c.checkAll(t, []exchange{
		{name: "list decisions", method: "GET", token: admin, want: 200, path: fmt.Sprintf(
			"/api/v1/decisions?meeting_id=%d&decided_to=2100-01-01T00:00:00Z",
			sample.MeetingID)},
		{name: "read decision", method: "GET", path: decision, token: admin, want: 200},
		{name: "link decision", method: "PATCH", path: decision, token: admin,
			contentType: jsonType, want: 200, body: fmt.Sprintf(`{"agenda_item_id":%d}`,
				sample.AgendaItemIDs[0])},
		{name: "link earlier stages", method: "PATCH", path: decision, token: admin,
			contentType: jsonType, want: 200, body: fmt.Sprintf(`{"stage_item_ids":[%d]}`,
				sample.AgendaItemIDs[1])},
		{name: "link an unknown earlier stage", method: "PATCH", path: decision,
			token: admin, contentType: jsonType, want: 422,
			body: `{"stage_item_ids":[999999999]}`},
		{name: "unlink decision", method: "PATCH", path: decision, token: admin,
			contentType: jsonType, body: `{"agenda_item_id":null,"stage_item_ids":null}`,
			want: 200},
		{name: "verify as JSON", method: "GET", path: "/api/v1/verify", token: admin,
			want: 200},
		{name: "verify as CSV", method: "GET", path: "/api/v1/verify?format=csv",
			token: admin, want: 200},
		{name: "verify as a table, some rules, rehashed", method: "GET", token: admin,
			path: "/api/v1/verify?format=table&codes=NO_MEETING&codes=WRONG_BODY" +
				"&rehash=true&from=2000-01-01&to=2100-01-01", want: 200},
		{name: "verify one meeting's decisions", method: "GET", token: admin, want: 200,
			path: fmt.Sprintf("/api/v1/verify?meeting=%d&codes=NO_QUORUM", sample.MeetingID)},
		{name: "verify an unknown meeting", method: "GET", token: admin, want: 400,
			path: "/api/v1/verify?meeting=999999999"},
	})
}

func checkErrors(t *testing.T, c *contract, s *stack, sample agenda.Sample, newMeeting int64) {
	admin := s.admin
	token, err := s.app.svc.store.CreatePublishToken(context.Background(),
		sample.MeetingID, time.Hour)
	if err != nil {
		t.Fatalf("create publish token: %v", err)
	}
	unit := `{"code":"OA-TOWN","name":"测试镇","level":"township"}`
	whip := fmt.Sprintf("/whip/%d", sample.MeetingID)
	offer := sdpOffer(t, opusCodec, vp8Codec)
	c.checkAll(t, []exchange{
		{name: "unknown meeting", method: "GET", path: "/api/v1/meetings/999999999",
			token: admin, want: 404},
		{name: "no token", method: "GET", path: "/api/v1/org-units", want: 401},
		{name: "unknown token", method: "GET", path: "/api/v1/org-units", token: "wrong",
			want: 401},
		{name: "write with a publish token", method: "POST", path: "/api/v1/org-units",
			token: token, contentType: jsonType, body: unit, want: 403},
		{name: "another meeting with a publish token", method: "GET", token: token, want: 403,
			path: fmt.Sprintf("/api/v1/meetings/%d/agenda-items", newMeeting)},
		{name: "verify with a publish token", method: "GET", path: "/api/v1/verify",
			token: token, want: 403},
		{name: "unknown and mistyped fields", method: "POST", path: "/api/v1/org-units",
			token: admin, contentType: jsonType, body: `{"code":1,"nme":"x"}`, want: 400,
			malformed: true},
		{name: "body not JSON", method: "POST", path: "/api/v1/org-units", token: admin,
			contentType: "text/plain", body: unit, want: 415, malformed: true},
		{name: "body too large", method: "POST", path: "/api/v1/org-units", token: admin,
			contentType: jsonType, want: 413, malformed: true,
			body: `{"name":"` + strings.Repeat("x", 1<<20) + `"}`},
		{name: "code taken", method: "POST", path: "/api/v1/org-units", token: admin,
			contentType: jsonType, body: unit, want: 409},
		{name: "unknown body", method: "POST", path: "/api/v1/meetings", token: admin,
			contentType: jsonType, want: 422, body: `{"body_id":999999999,"title":"x",
				"planned_start":"2026-03-01T09:00:00+08:00"}`},
		{name: "bad query", method: "GET", path: "/api/v1/decisions?limit=0&bogus=1",
			token: admin, want: 400, malformed: true},
		{name: "bad id", method: "GET", path: "/api/v1/org-units/abc", token: admin,
			want: 400, malformed: true},
		{name: "token for an unknown meeting", method: "POST", token: admin, want: 404,
			path: "/api/v1/meetings/999999999/publish-tokens"},
		{name: "unknown report format", method: "GET", path: "/api/v1/verify?format=xml",
			token: admin, want: 400, malformed: true},
		{name: "WHIP without a token", method: "POST", path: whip, contentType: sdpType,
			body: offer, want: 401},
		{name: "WHIP offer not SDP", method: "POST", path: whip, token: admin,
			contentType: "text/plain", body: offer, want: 415, malformed: true},
		{name: "WHIP offer that does not parse", method: "POST", path: whip, token: admin,
			contentType: sdpType, body: "v=0\r\nnonsense\r\n", want: 400},
		{name: "WHIP codec not recorded", method: "POST", path: whip, token: admin,
			contentType: sdpType, body: sdpOffer(t, pcmuCodec, vp8Codec), want: 406},
		{name: "WHIP to another meeting", method: "POST", token: token, contentType: sdpType,
			body: offer, want: 403, path: fmt.Sprintf("/whip/%d", sample.EarlierMeetingID)},
		{name: "WHIP to an unknown meeting", method: "POST", path: "/whip/999999999",
			token: admin, contentType: sdpType, body: offer, want: 404},
		{name: "WHIP options", method: "OPTIONS", path: whip, want: 204},
		{name: "end an unknown session", method: "DELETE", path: whip + "/no-such-session",
			token: admin, want: 404},
	})
}

// idOf reads the integer member name of a JSON object.
func idOf(t testing.TB, body []byte, name string) int64 {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("read %s of %s: %v", name, body, err)
	}
	id, ok := m[name].(float64)
	if !ok || id <= 0 {
		t.Fatalf("%s of %s: got %v, want a positive integer", name, body, m[name])
	}
	return int64(id)
}

var (
	opusCodec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000,
		Channels: 2}
	vp8Codec  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	pcmuCodec = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}
)

// sdpOffer makes a real SDP offer of a pion peer that sends one track of
// each codec and offers nothing else.
func sdpOffer(t testing.TB, codecs ...webrtc.RTPCodecCapability) string {
	t.Helper()
	m := &webrtc.MediaEngine{}
	for i, c := range codecs {
		err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: c,
			PayloadType: webrtc.PayloadType(96 + i)}, codecKind(c))
		if err != nil {
			t.Fatalf("register codec %s: %v", c.MimeType, err)
		}
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatalf("new peer connection: %v", err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	for _, c := range codecs {
		track, err := webrtc.NewTrackLocalStaticSample(c, c.MimeType, "openapi")
		if err != nil {
			t.Fatalf("new track: %v", err)
		}
		if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{
			Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatalf("add track: %v", err)
		}
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatalf("create offer: %v", err)
	}
	return offer.SDP
}

func codecKind(c webrtc.RTPCodecCapability) webrtc.RTPCodecType {
	if strings.HasPrefix(c.MimeType, "video/") {
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecTypeAudio
}

package agenda_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/problem"
)

// wantReason checks that the problem's reason for field says each of
// parts.
func wantReason(t testing.TB, d problem.Details, field string, parts ...string) {
	t.Helper()
	reason := ""
	for _, f := range d.Errors {
		if f.Field == field {
			reason = f.Reason
		}
	}
	for _, p := range parts {
		if !strings.Contains(reason, p) {
			t.Errorf("%s: got reason %q, want it to say %q", field, reason, p)
		}
	}
}

// TestAPIStageMovesRefused moves the meeting of a decision's earlier stage,
// and the body that holds it, to another unit: both are refused with 409
// naming the decision while it lists the item, and change nothing; a move
// within the unit, and one after the stage is unlinked, go through.
func TestAPIStageMovesRefused(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	d := w.staged(t)
	meeting := fmt.Sprintf("/api/v1/meetings/%d", w.earlier.MeetingID)
	body := fmt.Sprintf("/api/v1/bodies/%d", w.body.ID)
	named := fmt.Sprintf("decision %d (unit %s) lists", d.ID, w.unit.Code)

	p := w.call(t, "PATCH", meeting, adminToken, fmt.Sprintf(`{"body_id":%d}`,
		w.foreignBody.ID)).problem(t, http.StatusConflict, "body_id")
	wantReason(t, p, "body_id", "to unit "+w.foreignUnit.Code, named, "stage_item_ids")
	p = w.call(t, "PATCH", body, adminToken, fmt.Sprintf(`{"org_unit_id":%d}`,
		w.foreignUnit.ID)).problem(t, http.StatusConflict, "org_unit_id")
	wantReason(t, p, "org_unit_id", "to unit "+w.foreignUnit.Code, named,
		"agenda items of its meetings")
	m, err := w.store.GetMeeting(ctx, w.earlier.MeetingID)
	must(t, err)
	b, err := w.store.GetBody(ctx, w.body.ID)
	must(t, err)
	if m.BodyID != w.body.ID || b.OrgUnitID != w.unit.ID {
		t.Errorf("after refused moves: meeting's body %d, body's unit %d; want %d and %d",
			m.BodyID, b.OrgUnitID, w.body.ID, w.unit.ID)
	}

	gov, err := w.store.CreateBody(ctx, agenda.BodyInput{OrgUnitID: w.unit.ID, Code: "t1-gov",
		Name: "测试镇政府常务会", Kind: agenda.BodyGovernmentExecutive})
	must(t, err)
	w.call(t, "PATCH", meeting, adminToken, fmt.Sprintf(`{"body_id":%d}`, gov.ID)).
		want(t, http.StatusOK, &m)
	w.call(t, "PATCH", fmt.Sprintf("/api/v1/decisions/%d", d.ID), adminToken,
		`{"stage_item_ids":null}`).want(t, http.StatusOK, nil)
	w.call(t, "PATCH", meeting, adminToken, fmt.Sprintf(`{"body_id":%d}`, w.foreignBody.ID)).
		want(t, http.StatusOK, &m)
	if m.BodyID != w.foreignBody.ID {
		t.Errorf("got the meeting on body %d, want %d", m.BodyID, w.foreignBody.ID)
	}
	w.call(t, "PATCH", body, adminToken, fmt.Sprintf(`{"org_unit_id":%d}`, w.foreignUnit.ID)).
		want(t, http.StatusOK, &b)
	if logs := w.logs.String(); logs != "" {
		t.Errorf("got logs %q for refused moves, want none", logs)
	}
}

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

// TestAPIDecisionMatterOfItsUnit refuses a decision on a matter of another
// unit's procedure list, on create and when a PATCH changes the matter or
// the unit, and takes the unit and the matter changed together.
func TestAPIDecisionMatterOfItsUnit(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	kind := agenda.BodyPartyCommittee
	foreign, err := w.store.CreateMatter(ctx, agenda.MatterInput{OrgUnitID: w.foreignUnit.ID,
		Code: "T2-01", Name: "邻镇大额资金", Category: agenda.CategoryDecision,
		RequiredBodyKind: &kind})
	must(t, err)
	d, err := w.store.CreateDecision(ctx, agenda.DecisionInput{OrgUnitID: w.unit.ID,
		MatterID: w.matter.ID, Title: "拨款", DecidedAt: at(0)})
	must(t, err)
	path := fmt.Sprintf("/api/v1/decisions/%d", d.ID)
	says := []string{"matter T2-01 is on the procedure list of unit t2",
		"not of the deciding unit t1"}

	p := w.call(t, "POST", "/api/v1/decisions", adminToken, fmt.Sprintf(`{"org_unit_id":%d,
		"matter_id":%d,"title":"x","decided_at":"2026-03-02T10:00:00Z",
		"stage_item_ids":[999999]}`, w.unit.ID, foreign.ID)).problem(t,
		http.StatusUnprocessableEntity, "matter_id", "stage_item_ids[0]")
	wantReason(t, p, "matter_id", says...)
	p = w.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"matter_id":%d}`, foreign.ID)).
		problem(t, http.StatusUnprocessableEntity, "matter_id")
	wantReason(t, p, "matter_id", says...)
	p = w.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"org_unit_id":%d}`,
		w.foreignUnit.ID)).problem(t, http.StatusUnprocessableEntity, "matter_id")
	wantReason(t, p, "matter_id", "matter T-01 is on the procedure list of unit t1",
		"not of the deciding unit t2")
	got, err := w.store.GetDecision(ctx, d.ID)
	must(t, err)
	if got.OrgUnitID != w.unit.ID || got.MatterID != w.matter.ID {
		t.Errorf("after refused patches: got unit %d, matter %d; want %d, %d", got.OrgUnitID,
			got.MatterID, w.unit.ID, w.matter.ID)
	}

	w.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"org_unit_id":%d,"matter_id":%d}`,
		w.foreignUnit.ID, foreign.ID)).want(t, http.StatusOK, &got)
	if got.OrgUnitID != w.foreignUnit.ID || got.MatterID != foreign.ID {
		t.Errorf("moved with its matter: got unit %d, matter %d; want %d, %d",
			got.OrgUnitID, got.MatterID, w.foreignUnit.ID, foreign.ID)
	}
	if logs := w.logs.String(); logs != "" {
		t.Errorf("got logs %q for bad input, want none", logs)
	}
}

// TestAPIMatterMoveRefused refuses to move a matter to another unit while
// a decision of its unit is on it, and moves one that none is on.
func TestAPIMatterMoveRefused(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	d, err := w.store.CreateDecision(ctx, agenda.DecisionInput{OrgUnitID: w.unit.ID,
		MatterID: w.matter.ID, Title: "拨款", DecidedAt: at(0)})
	must(t, err)
	p := w.call(t, "PATCH", fmt.Sprintf("/api/v1/matters/%d", w.matter.ID), adminToken,
		fmt.Sprintf(`{"org_unit_id":%d}`, w.foreignUnit.ID)).problem(t, http.StatusConflict,
		"org_unit_id")
	wantReason(t, p, "org_unit_id", "to unit t2", fmt.Sprintf("decision %d of unit t1 is on it",
		d.ID), "give them another matter first")
	m, err := w.store.GetMatter(ctx, w.matter.ID)
	must(t, err)
	if m.OrgUnitID != w.unit.ID {
		t.Errorf("after a refused move: got the matter in unit %d, want %d", m.OrgUnitID,
			w.unit.ID)
	}

	unused, err := w.store.CreateMatter(ctx, agenda.MatterInput{OrgUnitID: w.unit.ID,
		Code: "T-02", Name: "小额采购", Category: agenda.CategoryExecution})
	must(t, err)
	w.call(t, "PATCH", fmt.Sprintf("/api/v1/matters/%d", unused.ID), adminToken,
		fmt.Sprintf(`{"org_unit_id":%d}`, w.foreignUnit.ID)).want(t, http.StatusOK, &m)
	if m.OrgUnitID != w.foreignUnit.ID {
		t.Errorf("got the unused matter in unit %d, want %d", m.OrgUnitID, w.foreignUnit.ID)
	}
}

package agenda_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/liuhen/liuhen/agenda"
)

// stageWorld adds to a world a second meeting of its body, held a day
// before the first, with one item, and a meeting of a body of another
// unit with one item.
type stageWorld struct {
	*apiEnv
	earlier, foreign agenda.AgendaItem
	foreignUnit      agenda.OrgUnit
	foreignBody      agenda.Body
}

func newStageWorld(t *testing.T) stageWorld {
	t.Helper()
	ctx := context.Background()
	e := newAPIEnv(t)
	m, err := e.store.CreateMeeting(ctx, agenda.MeetingInput{BodyID: e.body.ID,
		Title: "第0次", PlannedStart: at(0).Add(-24 * time.Hour)})
	must(t, err)
	earlier, err := e.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: m.ID,
		Title: "议题一（商议）", MatterID: &e.matter.ID})
	must(t, err)
	unit, err := e.store.CreateOrgUnit(ctx, agenda.OrgUnitInput{Code: "t2", Name: "邻镇",
		Level: agenda.LevelTownship})
	must(t, err)
	body, err := e.store.CreateBody(ctx, agenda.BodyInput{OrgUnitID: unit.ID, Code: "t2-pc",
		Name: "邻镇党委", Kind: agenda.BodyPartyCommittee})
	must(t, err)
	fm, err := e.store.CreateMeeting(ctx, agenda.MeetingInput{BodyID: body.ID,
		Title: "邻镇第1次", PlannedStart: at(0)})
	must(t, err)
	foreign, err := e.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{MeetingID: fm.ID,
		Title: "邻镇议题"})
	must(t, err)
	return stageWorld{apiEnv: e, earlier: earlier, foreign: foreign, foreignUnit: unit,
		foreignBody: body}
}

// staged registers a decision of the world's unit decided at its item,
// with the earlier meeting's item as its earlier stage.
func (w stageWorld) staged(t *testing.T) agenda.Decision {
	t.Helper()
	d, err := w.store.CreateDecision(context.Background(), agenda.DecisionInput{
		OrgUnitID: w.unit.ID, MatterID: w.matter.ID, Title: "拨款", DecidedAt: at(0),
		AgendaItemID: &w.item.ID, StageItemIDs: []int64{w.earlier.ID}})
	must(t, err)
	return d
}

// TestAPIDecisionStages links the earlier-stage items of a decision on
// create and PATCH, reads them back in meeting order, and clears them.
func TestAPIDecisionStages(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	second, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
		MeetingID: w.meeting.ID, Title: "议题二"})
	must(t, err)
	var d agenda.Decision
	w.call(t, "POST", "/api/v1/decisions", adminToken, fmt.Sprintf(`{"org_unit_id":%d,
		"matter_id":%d,"title":"拨款","decided_at":"2026-03-02T10:00:00Z",
		"agenda_item_id":%d,"stage_item_ids":[%d,%d]}`, w.unit.ID, w.matter.ID, w.item.ID,
		second.ID, w.earlier.ID)).want(t, http.StatusCreated, &d)
	if want := []int64{w.earlier.ID, second.ID}; !slices.Equal(d.StageItemIDs, want) {
		t.Errorf("created: got stage items %v, want %v (by meeting)", d.StageItemIDs, want)
	}
	path := fmt.Sprintf("/api/v1/decisions/%d", d.ID)

	w.call(t, "PATCH", path, adminToken, `{"title":"拨款（修改）"}`).want(t, http.StatusOK, &d)
	if len(d.StageItemIDs) != 2 {
		t.Errorf("after a patch of the title: got stage items %v, want both kept",
			d.StageItemIDs)
	}
	w.call(t, "PATCH", path, adminToken, fmt.Sprintf(`{"stage_item_ids":[%d]}`,
		w.earlier.ID)).want(t, http.StatusOK, &d)
	w.call(t, "GET", path, adminToken, "").want(t, http.StatusOK, &d)
	if want := []int64{w.earlier.ID}; !slices.Equal(d.StageItemIDs, want) {
		t.Errorf("replaced: got stage items %v, want %v", d.StageItemIDs, want)
	}
	var list agenda.List[agenda.Decision]
	w.call(t, "GET", fmt.Sprintf("/api/v1/decisions?org_unit_id=%d", w.unit.ID), adminToken,
		"").want(t, http.StatusOK, &list)
	if len(list.Items) != 1 || !slices.Equal(list.Items[0].StageItemIDs, d.StageItemIDs) {
		t.Errorf("listed: got %+v, want the decision with its stage items", list.Items)
	}

	w.call(t, "PATCH", path, adminToken, `{"stage_item_ids":null}`).want(t, http.StatusOK, &d)
	if d.StageItemIDs == nil || len(d.StageItemIDs) != 0 {
		t.Errorf("cleared: got stage items %#v, want an empty list", d.StageItemIDs)
	}
}

// TestAPIDecisionStagesRefused sends each kind of bad stage list: the
// answer names the entry, and nothing changes.
func TestAPIDecisionStagesRefused(t *testing.T) {
	w := newStageWorld(t)
	d := w.staged(t)
	path := fmt.Sprintf("/api/v1/decisions/%d", d.ID)
	create := func(more string) string {
		return fmt.Sprintf(`{"org_unit_id":%d,"matter_id":%d,"title":"x",
			"decided_at":"2026-03-02T10:00:00Z","agenda_item_id":%d%s}`, w.unit.ID,
			w.matter.ID, w.item.ID, more)
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		fields                   []string
	}{
		{"an unknown item", "POST", "/api/v1/decisions", create(`,"stage_item_ids":[999999]`),
			http.StatusUnprocessableEntity, []string{"stage_item_ids[0]"}},
		{"an item of another unit", "PATCH", path, fmt.Sprintf(`{"stage_item_ids":[%d,%d]}`,
			w.earlier.ID, w.foreign.ID), http.StatusUnprocessableEntity,
			[]string{"stage_item_ids[1]"}},
		{"the deciding item", "PATCH", path, fmt.Sprintf(`{"stage_item_ids":[%d]}`, w.item.ID),
			http.StatusUnprocessableEntity, []string{"stage_item_ids[0]"}},
		{"a stage made the deciding item", "PATCH", path, fmt.Sprintf(`{"agenda_item_id":%d}`,
			w.earlier.ID), http.StatusUnprocessableEntity, []string{"stage_item_ids[0]"}},
		{"an item twice and a zero", "POST", "/api/v1/decisions", create(fmt.Sprintf(
			`,"stage_item_ids":[%d,0,%[1]d]`, w.earlier.ID)), http.StatusUnprocessableEntity,
			[]string{"stage_item_ids[1]", "stage_item_ids[2]"}},
		{"unknown unit and a stage item", "POST", "/api/v1/decisions", fmt.Sprintf(
			`{"org_unit_id":999999,"matter_id":%d,"title":"x","decided_at":"2026-03-02T10:00:00Z",
			"stage_item_ids":[999998]}`, w.matter.ID), http.StatusUnprocessableEntity,
			[]string{"org_unit_id", "stage_item_ids[0]"}},
		{"not a list", "PATCH", path, `{"stage_item_ids":5}`, http.StatusBadRequest,
			[]string{"stage_item_ids"}},
		{"not integers", "PATCH", path, `{"stage_item_ids":["a"]}`, http.StatusBadRequest,
			[]string{"stage_item_ids"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.call(t, tt.method, tt.path, adminToken, tt.body).problem(t, tt.status,
				tt.fields...)
		})
	}
	got, err := w.store.GetDecision(context.Background(), d.ID)
	must(t, err)
	if !slices.Equal(got.StageItemIDs, []int64{w.earlier.ID}) || *got.AgendaItemID != w.item.ID {
		t.Errorf("after refused patches: got %+v, want the decision unchanged", got)
	}
	if logs := w.logs.String(); logs != "" {
		t.Errorf("got logs %q for bad input, want none", logs)
	}
}

// TestDatabaseKeepsDecidingItemOutOfStages writes past the store: the
// database refuses, at commit, a stage that is the deciding item and a
// deciding item that is a stage, and takes the two swapped in one
// transaction. CommitConflict makes its refusal a conflict on
// stage_item_ids.
func TestDatabaseKeepsDecidingItemOutOfStages(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	d := w.staged(t)
	write := func(sql ...string) error {
		return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
			for _, s := range sql {
				if _, err := tx.Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		})
	}
	addDeciding := fmt.Sprintf(`INSERT INTO decision_stages VALUES (%d, %d)`, d.ID, w.item.ID)
	decideStage := fmt.Sprintf(`UPDATE decisions SET agenda_item_id = %d WHERE id = %d`,
		w.earlier.ID, d.ID)
	dropEarlier := fmt.Sprintf(`DELETE FROM decision_stages WHERE decision_id = %d
		AND agenda_item_id = %d`, d.ID, w.earlier.ID)
	const decidingItem = "the one that decided it"
	for name, sql := range map[string][]string{
		"a stage that is the deciding item": {addDeciding},
		"a deciding item that is a stage":   {decideStage},
	} {
		t.Run(name, func(t *testing.T) {
			err := write(sql...)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "23514" ||
				!strings.Contains(pgErr.Message, decidingItem) {
				t.Fatalf("got %v, want a check violation saying %q", err, decidingItem)
			}
			ce, ok := agenda.CommitConflict(err)
			if !ok || ce.Field != "stage_item_ids" || !errors.Is(ce, agenda.ErrConflict) ||
				!strings.Contains(ce.Reason, fmt.Sprintf("decision %d lists", d.ID)) {
				t.Errorf("CommitConflict: got %+v, %v; want a conflict on stage_item_ids "+
					"naming decision %d", ce, ok, d.ID)
			}
		})
	}
	got, err := w.store.GetDecision(ctx, d.ID)
	must(t, err)
	if *got.AgendaItemID != w.item.ID || len(got.StageItemIDs) != 1 {
		t.Fatalf("after refused writes: got %+v, want the decision unchanged", got)
	}

	must(t, write(decideStage, dropEarlier, addDeciding))
	got, err = w.store.GetDecision(ctx, d.ID)
	must(t, err)
	if *got.AgendaItemID != w.earlier.ID || len(got.StageItemIDs) != 1 ||
		got.StageItemIDs[0] != w.item.ID {
		t.Errorf("swapped: got deciding item %d, stages %v; want %d, [%d]",
			*got.AgendaItemID, got.StageItemIDs, w.earlier.ID, w.item.ID)
	}
	if _, ok := agenda.CommitConflict(errors.New("another error")); ok {
		t.Error("CommitConflict took an error that is not the database's refusal")
	}
}

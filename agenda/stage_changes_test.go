package agenda_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/liuhen/liuhen/agenda"
)

// changedAt reads decision id's change time as the inspectors' search does.
func changedAt(t *testing.T, w stageWorld, id int64) time.Time {
	t.Helper()
	var at time.Time
	err := w.pool.QueryRow(context.Background(), `SELECT coalesce(updated_at, created_at)
		FROM decisions WHERE id = $1`, id).Scan(&at)
	must(t, err)
	return at
}

// TestStageWritesChangeTheDecision: giving a decision other earlier stages,
// or none, is a change of the decision, whose change time moves, so that
// the search marks it not yet checked; a write that leaves its stages and
// its row as they are moves nothing.
func TestStageWritesChangeTheDecision(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	d := w.staged(t)
	for _, tc := range []struct {
		name   string
		stages []int64
		moves  bool
	}{
		{"the same stages", []int64{w.earlier.ID}, false},
		{"stages cleared", nil, true},
		{"a stage given", []int64{w.earlier.ID}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := changedAt(t, w, d.ID)
			_, err := w.store.UpdateDecision(ctx, d.ID, func(in *agenda.DecisionInput) error {
				in.StageItemIDs = tc.stages
				return nil
			})
			must(t, err)
			after := changedAt(t, w, d.ID)
			if moved := after.After(before); moved != tc.moves {
				t.Errorf("got change time %v after %v (moved %v), want moved %v", after,
					before, moved, tc.moves)
			}
		})
	}
}

// TestStageAndDecidingWritesWait: a write of a decision's earlier stages
// waits for a write of its deciding item made at the same time, so that
// the check at commit of the one that commits second sees the other's;
// without the wait two such writes committed at once would both pass it.
func TestStageAndDecidingWritesWait(t *testing.T) {
	w := newStageWorld(t)
	ctx := context.Background()
	d := w.staged(t)
	other, err := w.store.CreateAgendaItem(ctx, agenda.AgendaItemInput{
		MeetingID: w.earlier.MeetingID, Title: "议题二"})
	must(t, err)

	// One write makes other the deciding item, the other an earlier stage.
	deciding, err := w.pool.Begin(ctx)
	must(t, err)
	defer deciding.Rollback(ctx)
	_, err = deciding.Exec(ctx, `UPDATE decisions SET agenda_item_id = $1 WHERE id = $2`,
		other.ID, d.ID)
	must(t, err)

	stages, err := w.pool.Begin(ctx)
	must(t, err)
	defer stages.Rollback(ctx)
	var pid int
	must(t, stages.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	done := make(chan error, 1)
	go func() {
		_, err := stages.Exec(ctx, `INSERT INTO decision_stages VALUES ($1, $2)`, d.ID,
			other.ID)
		if err == nil {
			err = stages.Commit(ctx)
		}
		done <- err
	}()

	waiting := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("the stage write ended (%v) while the deciding item's was open, "+
				"want it to wait", err)
		case <-time.After(20 * time.Millisecond):
		}
		err := w.pool.QueryRow(ctx, `SELECT wait_event_type = 'Lock' FROM pg_stat_activity
			WHERE pid = $1`, pid).Scan(&waiting)
		must(t, err)
		if waiting {
			break
		}
	}
	if !waiting {
		t.Fatal("the stage write neither ended nor waited for a lock in 5 s")
	}
	must(t, deciding.Commit(ctx))
	err = <-done
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.ConstraintName != "decision_stage_not_deciding" {
		t.Fatalf("the stage write, committed second: got %v, want it refused by "+
			"decision_stage_not_deciding", err)
	}
	var n int
	must(t, w.pool.QueryRow(ctx, `SELECT count(*) FROM decision_stages WHERE decision_id = $1
		AND agenda_item_id = $2`, d.ID, other.ID).Scan(&n))
	if n != 0 {
		t.Errorf("got the deciding item %d among the stages of decision %d, want it not",
			other.ID, d.ID)
	}
}

// TestMovesAndDecisionWritesWait: a decision written while its matter, or
// the meeting of one of its earlier stages, is being moved to another unit
// waits for the move, then reads the matter or the meeting where it moved
// and is refused naming the field; without the wait both would commit,
// leaving a decision on another unit's matter or stages.
func TestMovesAndDecisionWritesWait(t *testing.T) {
	for _, tc := range []struct {
		name, move, field string
		stages            bool
	}{
		{"a matter moved", `UPDATE matters SET org_unit_id = $1 WHERE id = $2`, "matter_id",
			false},
		{"a stage's meeting moved", `UPDATE meetings SET body_id = $1 WHERE id = $2`,
			"stage_item_ids[0]", true},
		{"a stage's body moved", `UPDATE meeting_bodies SET org_unit_id = $1 WHERE id = $2`,
			"stage_item_ids[0]", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newStageWorld(t)
			ctx := context.Background()
			move, err := w.pool.Begin(ctx)
			must(t, err)
			defer move.Rollback(ctx)
			switch tc.field {
			case "matter_id":
				_, err = move.Exec(ctx, tc.move, w.foreignUnit.ID, w.matter.ID)
			case "stage_item_ids[0]":
				if strings.Contains(tc.move, "meetings") {
					_, err = move.Exec(ctx, tc.move, w.foreignBody.ID, w.earlier.MeetingID)
				} else {
					_, err = move.Exec(ctx, tc.move, w.foreignUnit.ID, w.body.ID)
				}
			}
			must(t, err)

			in := agenda.DecisionInput{OrgUnitID: w.unit.ID, MatterID: w.matter.ID,
				Title: "拨款", DecidedAt: at(0), AgendaItemID: &w.item.ID}
			if tc.stages {
				in.StageItemIDs = []int64{w.earlier.ID}
			}
			done := make(chan error, 1)
			go func() {
				_, err := w.store.CreateDecision(ctx, in)
				done <- err
			}()
			waitForLock(t, w, done)
			must(t, move.Commit(ctx))
			err = <-done
			var ve *agenda.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field {
				t.Fatalf("the decision written during the move: got %v, want it refused "+
					"naming %s", err, tc.field)
			}
		})
	}
}

// waitForLock returns once a backend of w's database waits for a lock,
// and fails when done, the waiter's result, comes first.
func waitForLock(t *testing.T, w stageWorld, done <-chan error) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-done:
			t.Fatalf("the write ended (%v) while the move was open, want it to wait", err)
		case <-time.After(20 * time.Millisecond):
		}
		var waiting int
		must(t, w.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting))
		if waiting > 0 {
			return
		}
	}
	t.Fatal("the write neither ended nor waited for a lock in 5 s")
}

package agenda_test

import (
	"context"
	"errors"
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

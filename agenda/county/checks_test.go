package county

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/liuhen/liuhen/internal/testenv"
)

// errRollback ends a pgx.BeginFunc whose writes the test throws away.
var errRollback = errors.New("roll back")

// TestGenerateWithRowTriggers generates with PostgreSQL checking every
// foreign key per row, as it does for a role that may not switch the
// triggers off, and gets the same rows as with the checks at the end.
func TestGenerateWithRowTriggers(t *testing.T) {
	o := smallOptions(31)
	o.Decisions = 600
	fast := testenv.Database(t)
	if res := generate(t, fast, o); !res.KeysCheckedAtEnd {
		t.Fatalf("the test role may switch row triggers off, but Generate did not")
	}
	skipRowTriggers = false
	defer func() { skipRowTriggers = true }()
	slow := testenv.Database(t)
	if res := generate(t, slow, o); res.KeysCheckedAtEnd {
		t.Fatalf("Generate skipped the row triggers although told not to")
	}
	a, b := tableDigests(t, fast), tableDigests(t, slow)
	for name, d := range a {
		if b[name] != d {
			t.Errorf("%s differs between row triggers and checks at the end", name)
		}
	}
}

// TestSkipRowChecksWithoutPrivilege: a role that may not set
// session_replication_role leaves the triggers on, and the transaction
// goes on.
func TestSkipRowChecksWithoutPrivilege(t *testing.T) {
	ctx := context.Background()
	pool := testenv.Database(t)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE pg_monitor"); err != nil {
			return err
		}
		skipped, err := skipRowChecks(ctx, tx)
		if err != nil {
			return err
		}
		if skipped {
			t.Errorf("pg_monitor switched the row triggers off")
		}
		var role string
		if err := tx.QueryRow(ctx, "SHOW session_replication_role").Scan(&role); err != nil {
			return err
		}
		if role != "origin" {
			t.Errorf("got session_replication_role %q, want origin", role)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// withRowChecksOff runs f on a transaction whose row triggers are off, as
// Generate's are, with the ids Generate would start from, and rolls it
// back.
func withRowChecksOff(t *testing.T, f func(ctx context.Context, tx pgx.Tx, a *ids) error) {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if skipped, err := skipRowChecks(ctx, tx); err != nil || !skipped {
			t.Fatalf("skip row checks: got %v %v, want true", skipped, err)
		}
		a, err := startIDs(ctx, tx)
		if err != nil {
			return err
		}
		if err := f(ctx, tx, a); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// TestCheckForeignKeysFindsDanglingRow writes a decision of a unit that
// does not exist with the triggers off, and expects the end check to
// refuse it.
func TestCheckForeignKeysFindsDanglingRow(t *testing.T) {
	withRowChecksOff(t, func(ctx context.Context, tx pgx.Tx, a *ids) error {
		if err := checkForeignKeys(ctx, tx, a); err != nil {
			t.Errorf("nothing written yet: got %v", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO decisions (id, org_unit_id, matter_id, title,
			decided_at) VALUES ($1, 424242, 434343, '无主决策', now())`, a.take(tDecisions))
		if err != nil {
			return err
		}
		err = checkForeignKeys(ctx, tx, a)
		if err == nil || !strings.Contains(err.Error(), "decisions_") {
			t.Errorf("got %v, want a foreign key of decisions named", err)
		}
		return nil
	})
}

// TestCheckStagesFindsDecidingStage writes, with the triggers off, a
// decision that lists its deciding item as an earlier stage, and expects
// the end check to refuse it.
func TestCheckStagesFindsDecidingStage(t *testing.T) {
	withRowChecksOff(t, func(ctx context.Context, tx pgx.Tx, a *ids) error {
		id := a.take(tDecisions)
		_, err := tx.Exec(ctx, `INSERT INTO decisions (id, org_unit_id, matter_id, title,
			decided_at, agenda_item_id) VALUES ($1, 1, 1, '决策', now(), 77)`, id)
		if err != nil {
			return err
		}
		if err := checkStages(ctx, tx, a); err != nil {
			t.Errorf("no stage written yet: got %v", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO decision_stages VALUES ($1, 77)`, id); err != nil {
			return err
		}
		err = checkStages(ctx, tx, a)
		if err == nil || !strings.Contains(err.Error(), "also an earlier stage of 1 decisions") {
			t.Errorf("got %v, want the decision found", err)
		}
		return nil
	})
}

func TestGeneratedCountyIsSearchable(t *testing.T) {
	pool := testenv.Database(t)
	res := generate(t, pool, smallOptions(7))
	if !res.KeysCheckedAtEnd {
		t.Fatal("the test role may switch row triggers off, but Generate did not")
	}
	items := count(t, pool, `SELECT count(*) FROM agenda_items`)
	indexed := count(t, pool, `SELECT count(*) FROM search_items s
		JOIN agenda_items ai ON ai.id = s.agenda_item_id`)
	if items == 0 || indexed != items {
		t.Errorf("got %d of %d agenda items in the search index, want all", indexed, items)
	}
	withDecision := count(t, pool, `SELECT count(*) FROM search_items s
		WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.agenda_item_id = s.agenda_item_id)`)
	if withDecision == 0 {
		t.Error("no indexed item has a decision; want the decisions' titles indexed too")
	}
}

func TestGeneratedRecordingsGetNoViewingCopy(t *testing.T) {
	pool := testenv.Database(t)
	generate(t, pool, smallOptions(8))
	recordings := count(t, pool, `SELECT count(*) FROM recordings`)
	marked := count(t, pool, `SELECT count(*) FROM viewing_copies
		WHERE state = 'failed' AND last_error LIKE 'a generated sample recording%'`)
	if recordings == 0 || marked != recordings {
		t.Errorf("got %d of %d recordings marked as without a viewing copy, want all",
			marked, recordings)
	}
}

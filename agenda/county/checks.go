package county

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PostgreSQL checks a foreign key with a trigger per row, which costs
// about nine tenths of a COPY into the tables Generate writes. When the
// role may (a superuser, as `make services` sets up), Generate switches
// those triggers off for its own transaction (session_replication_role =
// replica, SET LOCAL) and checks every foreign key of the rows it wrote
// with one set-based query per key before it commits; otherwise the
// triggers check each row. Either way no row that names a missing row is
// committed. Unique and check constraints are enforced as always.

// foreignKey is a single-column foreign key of a table Generate writes.
type foreignKey struct {
	name, child, column, parent, parentColumn string
	t                                         table
}

// skipRowChecks switches off the per-row foreign-key triggers for the
// transaction when the role may, every key is single-column and no table
// Generate writes has a trigger of its own (which replica mode would
// silence too) but the search index's (search_items_*), whose work
// refreshSearch then does once for everything written, those of
// stageTriggers, whose rule checkStages checks, and those of decisions'
// change time (touchTriggers), which decisions Generate writes new do not
// need: their time is the default, when they were written, and those of
// renameTriggers, which no INSERT fires. It reports whether it did.
func skipRowChecks(ctx context.Context, tx pgx.Tx) (bool, error) {
	var userTriggers, multiColumn int
	err := tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_trigger tg WHERE NOT tg.tgisinternal
		            AND tg.tgname NOT LIKE 'search\_items\_%' AND tg.tgname <> ALL($2)
		            AND tg.tgrelid = ANY($1::text[]::regclass[])),
		       (SELECT count(*) FROM pg_constraint c WHERE c.contype = 'f'
		            AND cardinality(c.conkey) > 1 AND c.conrelid = ANY($1::text[]::regclass[]))`,
		tableNames(), slices.Concat(stageTriggers, touchTriggers, renameTriggers)).
		Scan(&userTriggers, &multiColumn)
	if err != nil {
		return false, fmt.Errorf("look at triggers: %w", err)
	}
	if userTriggers > 0 || multiColumn > 0 {
		return false, nil
	}
	if _, err := tx.Exec(ctx, "SAVEPOINT county_replica"); err != nil {
		return false, fmt.Errorf("set savepoint: %w", err)
	}
	_, err = tx.Exec(ctx, "SET LOCAL session_replication_role = replica")
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient_privilege
		_, err = tx.Exec(ctx, "ROLLBACK TO SAVEPOINT county_replica")
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("switch off row triggers: %w", err)
	}
	_, err = tx.Exec(ctx, "RELEASE SAVEPOINT county_replica")
	return err == nil, err
}

func tableNames() []string {
	out := make([]string, 0, numTables)
	for _, s := range tables {
		out = append(out, s.name)
	}
	return out
}

// checkForeignKeys runs, for every foreign key of the tables Generate
// writes, one query for the rows written that name no row of the parent.
func checkForeignKeys(ctx context.Context, tx pgx.Tx, a *ids) error {
	keys, err := loadForeignKeys(ctx, tx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		spec := tables[k.t]
		var n int
		sql := fmt.Sprintf(`SELECT count(*) FROM %[1]s c WHERE c.%[2]s >= $1
			AND c.%[3]s IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM %[4]s p WHERE p.%[5]s = c.%[3]s)`,
			pgx.Identifier{k.child}.Sanitize(), spec.scope,
			pgx.Identifier{k.column}.Sanitize(), pgx.Identifier{k.parent}.Sanitize(),
			pgx.Identifier{k.parentColumn}.Sanitize())
		if err := tx.QueryRow(ctx, sql, a.first[spec.scopeOf]).Scan(&n); err != nil {
			return fmt.Errorf("check foreign key %s: %w", k.name, err)
		}
		if n > 0 {
			return fmt.Errorf("check foreign key %s: %d rows of %s name a %s that does not "+
				"exist; this is a bug in the generator", k.name, n, k.child, k.parent)
		}
	}
	return nil
}

func loadForeignKeys(ctx context.Context, tx pgx.Tx) ([]foreignKey, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.conname, cl.relname, a.attname, pcl.relname, pa.attname
		FROM pg_constraint c
		JOIN pg_class cl ON cl.oid = c.conrelid
		JOIN pg_class pcl ON pcl.oid = c.confrelid
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
		WHERE c.contype = 'f' AND c.conrelid = ANY($1::text[]::regclass[])
		ORDER BY cl.relname, c.conname`, tableNames())
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (foreignKey, error) {
		var k foreignKey
		err := r.Scan(&k.name, &k.child, &k.column, &k.parent, &k.parentColumn)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	for i := range keys {
		for t, s := range tables {
			if s.name == keys[i].child {
				keys[i].t = table(t)
			}
		}
	}
	return keys, nil
}

// stageTriggers keep a decision's deciding item out of its earlier stages
// (migration 00018).
var stageTriggers = []string{"decision_stage_not_deciding", "decision_deciding_not_stage"}

// touchTriggers keep a decision's change time: on an UPDATE of its row
// (migration 00017), and on a write of its earlier stages (00019).
var touchTriggers = []string{"decisions_touch", "decision_stages_touch_insert",
	"decision_stages_touch_update", "decision_stages_touch_delete"}

// renameTriggers carry a unit's new code into its findings (migration
// 00020); they fire on an UPDATE of the code, and Generate writes only new
// units.
var renameTriggers = []string{"org_units_rename_findings"}

// checkStages does the work of stageTriggers, which replica mode silenced,
// for the decisions Generate wrote.
func checkStages(ctx context.Context, tx pgx.Tx, a *ids) error {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM decision_stages ds
		JOIN decisions d ON d.id = ds.decision_id AND d.agenda_item_id = ds.agenda_item_id
		WHERE ds.decision_id >= $1`, a.first[tDecisions]).Scan(&n)
	if err != nil {
		return fmt.Errorf("check earlier stages: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("check earlier stages: the deciding item is also an earlier stage "+
			"of %d decisions written; this is a bug in the generator", n)
	}
	return nil
}

// refreshSearch indexes for search the agenda items Generate wrote, which
// the search index's triggers, silenced with the foreign-key checks, did
// not see.
func refreshSearch(ctx context.Context, tx pgx.Tx, a *ids) error {
	_, err := tx.Exec(ctx, `SELECT search_items_refresh(ARRAY(
		SELECT id FROM agenda_items WHERE id >= $1 AND id < $2))`,
		a.first[tItems], a.next[tItems])
	if err != nil {
		return fmt.Errorf("index the agenda items for search: %w", err)
	}
	return nil
}

// noViewingCopies records, for every recording Generate wrote, that no
// viewing copy can be made of it, since its segments were never stored;
// without the row, a running server would try, and fail, five times each.
func noViewingCopies(ctx context.Context, tx pgx.Tx, a *ids) error {
	_, err := tx.Exec(ctx, `INSERT INTO viewing_copies (recording_id, state, last_error)
		SELECT id, 'failed', 'a generated sample recording: its segments were never stored'
		FROM recordings WHERE id >= $1 AND id < $2`, a.first[tRecordings], a.next[tRecordings])
	if err != nil {
		return fmt.Errorf("mark the recordings without viewing copies: %w", err)
	}
	return nil
}

package importer

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/liuhen/liuhen/agenda"
)

// upsert writes rows into a table by a unique key in one statement, after
// copying them into a staging table: new keys are inserted, rows that
// differ in a column of update are updated, equal rows are left alone.
// Columns not in update keep what the database holds, so a column the
// file lacks changes nothing.
type upsert struct {
	table  string
	key    []string // the conflict target
	where  string   // predicate of a partial unique index, or ""
	cols   []string // every column written, as the staging table holds them
	types  []string // SQL types of cols
	update []string // columns an existing row takes from the file
}

// run writes rows (one value per column of u.cols) and returns the count
// and the name of the staging table, which lives until the transaction
// ends.
func (u upsert) run(ctx context.Context, j *job, rows [][]any) (Count, string, error) {
	j.stages++
	stage := fmt.Sprintf("import_%s_%d", u.table, j.stages)
	defs := make([]string, len(u.cols))
	for i, c := range u.cols {
		defs[i] = c + " " + u.types[i]
	}
	if _, err := j.tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE %s (%s) ON COMMIT DROP`,
		stage, strings.Join(defs, ", "))); err != nil {
		return Count{}, "", fmt.Errorf("create staging table: %w", err)
	}
	total := len(rows)
	if j.writeTotal > 0 {
		total = j.writeTotal
	} else {
		j.written = 0
	}
	phase := "writing " + u.table
	src := pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		j.written++
		if j.written%1000 == 0 || j.written == total {
			j.opts.Progress(phase, j.written, total)
		}
		return rows[i], nil
	})
	if _, err := j.tx.CopyFrom(ctx, pgx.Identifier{stage}, u.cols, src); err != nil {
		return Count{}, "", fmt.Errorf("copy %s: %w", u.table, err)
	}
	var created, updated int
	if err := j.tx.QueryRow(ctx, u.mergeSQL(stage)).Scan(&created, &updated); err != nil {
		return Count{}, "", fmt.Errorf("write %s: %w", u.table, err)
	}
	return Count{Table: u.table, Created: created, Updated: updated,
		Unchanged: len(rows) - created - updated}, stage, nil
}

func (u upsert) mergeSQL(stage string) string {
	cols := strings.Join(u.cols, ", ")
	target := "(" + strings.Join(u.key, ", ") + ")"
	if u.where != "" {
		target += " WHERE " + u.where
	}
	action := "DO NOTHING"
	if len(u.update) > 0 {
		set := make([]string, len(u.update))
		old := make([]string, len(u.update))
		neu := make([]string, len(u.update))
		for i, c := range u.update {
			set[i] = c + " = EXCLUDED." + c
			old[i] = "t." + c
			neu[i] = "EXCLUDED." + c
		}
		// ROW() keeps a one-column comparison a row comparison.
		action = fmt.Sprintf("DO UPDATE SET %s WHERE ROW(%s) IS DISTINCT FROM ROW(%s)",
			strings.Join(set, ", "), strings.Join(old, ", "), strings.Join(neu, ", "))
	}
	return fmt.Sprintf(`WITH up AS (
		INSERT INTO %s AS t (%s) SELECT %s FROM %s
		ON CONFLICT %s %s
		RETURNING (xmax = 0) AS created)
	SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM up`,
		u.table, cols, cols, stage, target, action)
}

// prune deletes the rows of u.table whose scope column is one of scope
// but whose key is not in the staging table: the file's list replaces
// the database's.
func (u upsert) prune(ctx context.Context, j *job, stage, scopeCol string, scope []int64) (int,
	error) {
	match := make([]string, len(u.key))
	for i, k := range u.key {
		match[i] = "s." + k + " = t." + k
	}
	tag, err := j.tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s t WHERE t.%s = ANY($1)
		AND NOT EXISTS (SELECT 1 FROM %s s WHERE %s)`, u.table, scopeCol, stage,
		strings.Join(match, " AND ")), scope)
	if err != nil {
		return 0, fmt.Errorf("replace %s: %w", u.table, err)
	}
	return int(tag.RowsAffected()), nil
}

// numeric is an amount as a numeric(18, 2) parameter; nil is NULL.
func numeric(a *agenda.Amount) pgtype.Numeric {
	if a == nil {
		return pgtype.Numeric{}
	}
	return pgtype.Numeric{Int: big.NewInt(int64(*a)), Exp: -2, Valid: true}
}

// field names the columns a field of the file is written to.
type field struct {
	key  string
	cols []string
}

// updatable lists the columns always updated and those of each field that
// some table of the file has: a column the file lacks keeps what the
// database holds.
//
// TODO(import-sheets): a field that one sheet of a workbook has and
// another lacks is updated for the rows of both, emptying it for the
// other's; staging a "given" flag per row and field would fix it.
func updatable(tables []*table, always []string, fields ...field) []string {
	out := append([]string(nil), always...)
	for _, f := range fields {
		for _, t := range tables {
			if t.has(f.key) {
				out = append(out, f.cols...)
				break
			}
		}
	}
	return out
}

// hasField reports whether some table of the file has field key.
func hasField(tables []*table, key string) bool {
	for _, t := range tables {
		if t.has(key) {
			return true
		}
	}
	return false
}

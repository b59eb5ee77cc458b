package agenda

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// querier is what both the pool and a transaction offer; writes that must
// check other rows first run on a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ querier = (pgx.Tx)(nil)
	_ querier = (*pgxpool.Pool)(nil)
)

// Patch changes the input of a record in place: an update reads the
// record, hands its input to the patch, and checks and writes what the
// patch left. An error of the patch ends the update unchanged and is
// returned, wrapped.
type Patch[In any] func(*In) error

// update runs one read-modify-write of a record in a transaction: load
// reads the row FOR NO KEY UPDATE and returns its input, patch changes it, save
// checks and writes it. A missing row is ErrNotFound.
func update[In, T any](ctx context.Context, s *Store, load func(pgx.Tx) (In, error),
	patch Patch[In], save func(pgx.Tx, In) (T, error)) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		in, err := load(tx)
		if err != nil {
			return notFound(err)
		}
		if patch != nil {
			if err := patch(&in); err != nil {
				return err
			}
		}
		out, err = save(tx, in)
		return err
	})
	if ce, ok := CommitConflict(err); ok {
		return out, ce
	}
	return out, err
}

// create runs save on a transaction, for inputs whose checks read other
// rows.
func create[In, T any](ctx context.Context, s *Store, in In,
	save func(pgx.Tx, In) (T, error)) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = save(tx, in)
		return err
	})
	if ce, ok := CommitConflict(err); ok {
		return out, ce
	}
	return out, err
}

// commitRules are the rules the database checks when a transaction
// commits (constraint triggers, see the migrations), by the constraint name
// they report, with the field of the input each concerns.
var commitRules = map[string]string{"decision_stage_not_deciding": "stage_item_ids"}

// CommitConflict returns, when err is the refusal of a rule checked at
// commit, a *ConflictError saying so. The API and the import check these
// rules before they write, so such a refusal comes of another write made
// at the same time, which the checks could not see.
func CommitConflict(err error) (*ConflictError, bool) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23514" {
		return nil, false
	}
	field, ok := commitRules[pgErr.ConstraintName]
	if !ok {
		return nil, false
	}
	return &ConflictError{Field: field, Reason: "conflicts with a change made at the same " +
		"time: " + pgErr.Message + "; read the record again, and repeat the change if it " +
		"is still wanted"}, true
}

// writeSQL returns the statement that writes a record and its arguments:
// insert when id is 0, else update (its SET clause, without WHERE) of row
// id, which becomes the last argument. Both return columns.
func writeSQL(id int64, insert, update, columns string, args ...any) (string, []any) {
	if id == 0 {
		return insert + " RETURNING " + columns, args
	}
	return fmt.Sprintf("%s WHERE id = $%d RETURNING %s", update, len(args)+1, columns),
		append(args, id)
}

// checkTimes reports each time outside the years a day may have
// (FirstYear to LastYear, by YearOf): a year such as 9999 is a typing mistake, and
// the verifier would count its gaps in centuries. Nil times are allowed;
// give a required time's field only when it is set, since its absence is
// told as required.
func (f *fieldErrors) checkTimes(times map[string]*time.Time) {
	for _, field := range slices.Sorted(maps.Keys(times)) {
		t := times[field]
		if t == nil {
			continue
		}
		if y := YearOf(*t); y < FirstYear || y > LastYear {
			f.add(field, fmt.Sprintf("has the year %d in China Standard Time; give a time "+
				"from %d to %d", y, FirstYear, LastYear))
		}
	}
}

// checkSpan reports an end before its start; a nil end is open.
func (f *fieldErrors) checkSpan(endField string, start time.Time, end *time.Time,
	startField string) {
	if end != nil && !start.IsZero() && end.Before(start) {
		f.add(endField, fmt.Sprintf("must not be before %s", startField))
	}
}

// checkCount reports a negative or implausibly large count; nil is allowed.
func (f *fieldErrors) checkCount(field string, n *int) {
	if n != nil && (*n < 0 || *n > maxCount) {
		f.add(field, fmt.Sprintf("must be from 0 to %d, or null when not kept", maxCount))
	}
}

// maxCount bounds vote counts, well inside PostgreSQL's integer.
const maxCount = 100000

// nullIfEmpty is the parameter for an optional text kept as NULL.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

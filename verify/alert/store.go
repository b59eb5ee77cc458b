package alert

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/internal/textcell"
	"github.com/liuhen/liuhen/verify"
)

// Paging of the list of findings, as of every list endpoint.
const (
	DefaultLimit = param.DefaultLimit
	MaxLimit     = param.MaxLimit
	MaxOffset    = param.MaxOffset
)

// Store reads and changes kept findings.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of findings in pool's database.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Filter chooses findings to list; empty fields choose all.
type Filter struct {
	// States to choose; none, or AllStates among them, chooses every state.
	States     []string
	Codes      []string
	Severities []string
	// Unit is an org unit code: its findings and those of the units below.
	Unit          string
	Limit, Offset int // Limit 0 means DefaultLimit
}

// Validate names every bad field of f at once, each a *fielderr.Error, without
// the database: an unknown unit is found by List.
func (f Filter) Validate() error {
	var errs []error
	oneOf := func(field string, got, valid []string) {
		for _, v := range got {
			if !slices.Contains(valid, v) {
				errs = append(errs, invalid(field, "unknown value %q; use %s", v,
					strings.Join(valid, ", ")))
			}
		}
	}
	oneOf("state", f.States, append(States(), AllStates))
	oneOf("code", f.Codes, verify.Codes())
	oneOf("severity", f.Severities, Severities())
	if !pgtext.Valid(f.Unit) {
		errs = append(errs, invalid("unit", "%q is no org unit code: it holds a NUL or "+
			"bytes that are not UTF-8; give the code of an org unit", f.Unit))
	}
	if f.Limit < 0 || f.Limit > MaxLimit {
		errs = append(errs, invalid("limit", "got %d; use 1 to %d, or 0 for %d", f.Limit,
			MaxLimit, DefaultLimit))
	}
	if f.Offset < 0 || f.Offset > MaxOffset {
		errs = append(errs, invalid("offset", "got %d; use 0 to %d", f.Offset, MaxOffset))
	}
	return errors.Join(errs...)
}

// AllStates, given as a state to filter by, chooses findings of every
// state.
const AllStates = "all"

// stateArg is the array of states listSQL and countSQL choose by: empty,
// for every state, when states is empty or holds AllStates.
func stateArg(states []string) []string {
	if slices.Contains(states, AllStates) {
		return []string{}
	}
	return nonNil(states)
}

// Page is one page of findings; NextOffset is 0 on the last page.
type Page = param.List[Finding]

// findingColumns are the columns scanFinding reads, of findings f and the
// delivery counts dc.
const findingColumns = `f.id, f.fingerprint, f.code, f.severity, f.state, f.state_actor,
	f.state_reason, f.state_changed_at, f.decision_id, f.decision_title, f.matter_code,
	f.unit_code, f.meeting_id, f.agenda_item_id, f.recording_id, f.object_key, f.message,
	f.message_zh, f.first_seen, f.last_seen, f.opened_at, dc.queued, dc.delivered, dc.given_up`

const deliveryCounts = `LEFT JOIN LATERAL (
	SELECT count(*) FILTER (WHERE d.state = 'queued') AS queued,
	       count(*) FILTER (WHERE d.state = 'delivered') AS delivered,
	       count(*) FILTER (WHERE d.state = 'given_up') AS given_up
	FROM finding_deliveries d WHERE d.finding_id = f.id) dc ON true`

func scanFinding(row pgx.CollectableRow) (Finding, error) {
	f := Finding{Deliveries: &DeliveryCounts{}}
	err := row.Scan(&f.ID, &f.Fingerprint, &f.Code, &f.Severity, &f.State, &f.StateActor,
		&f.StateReason, &f.StateChangedAt, &f.DecisionID, &f.DecisionTitle, &f.MatterCode,
		&f.UnitCode, &f.MeetingID, &f.AgendaItemID, &f.RecordingID, &f.ObjectKey, &f.Message,
		&f.MessageZH, &f.FirstSeen, &f.LastSeen, &f.OpenedAt, &f.Deliveries.Queued,
		&f.Deliveries.Delivered, &f.Deliveries.GivenUp)
	return f, err
}

const listSQL = `
WITH RECURSIVE ` + unitsCTE + `
SELECT ` + findingColumns + `
FROM findings f ` + deliveryCounts + `
WHERE ` + filterSQL + `
ORDER BY f.opened_at DESC, f.id DESC
LIMIT $5 OFFSET $6`

// unitsCTE and filterSQL choose the findings of a Filter: $1 states, $2
// codes, $3 severities (empty arrays for all), $4 unit code (” for all).
const unitsCTE = `units AS (
    SELECT id, code FROM org_units WHERE code = $4
    UNION
    SELECT o.id, o.code FROM org_units o JOIN units u ON o.parent_id = u.id
)`

const filterSQL = `(cardinality($1::text[]) = 0 OR f.state = ANY($1))
  AND (cardinality($2::text[]) = 0 OR f.code = ANY($2))
  AND (cardinality($3::text[]) = 0 OR f.severity = ANY($3))
  AND ($4 = '' OR f.unit_code IN (SELECT code FROM units))`

// List returns the findings f chooses, the last opened first. Bad filters
// give an error joining a *fielderr.Error for each.
func (s *Store) List(ctx context.Context, f Filter) (Page, error) {
	if err := f.Validate(); err != nil {
		return Page{}, err
	}
	if err := s.checkUnit(ctx, f.Unit); err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	rows, err := s.pool.Query(ctx, listSQL, stateArg(f.States), nonNil(f.Codes),
		nonNil(f.Severities), f.Unit, limit+1, f.Offset)
	if err != nil {
		return Page{}, fmt.Errorf("list findings: %w", err)
	}
	items, err := pgx.CollectRows(rows, scanFinding)
	if err != nil {
		return Page{}, fmt.Errorf("list findings: %w", err)
	}
	return param.Cut(items, limit, f.Offset), nil
}

// countSQL counts the findings listSQL lists, without limit or offset.
const countSQL = `
WITH RECURSIVE ` + unitsCTE + `
SELECT count(*) FROM findings f WHERE ` + filterSQL

// Newest returns at most n of the findings f chooses (every one when n is
// 0), the last opened first, and how many f chooses in all, both from one
// snapshot; they are counted only when n of them were read, since fewer
// are all there are.
// It ignores f's Limit and Offset: it is for reading many at once, where
// paging would sort them all again for every page.
func (s *Store) Newest(ctx context.Context, f Filter, n int) ([]Finding, int, error) {
	f.Limit, f.Offset = 0, 0
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if n < 0 {
		return nil, 0, invalid("limit", "got %d; give how many to read, or 0 for all", n)
	}
	if err := s.checkUnit(ctx, f.Unit); err != nil {
		return nil, 0, err
	}
	var limit *int
	if n > 0 {
		limit = &n
	}
	args := []any{stateArg(f.States), nonNil(f.Codes), nonNil(f.Severities), f.Unit}
	var total int
	var items []Finding
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, listSQL, append(args, limit, 0)...)
		if err != nil {
			return fmt.Errorf("list findings: %w", err)
		}
		if items, err = pgx.CollectRows(rows, scanFinding); err != nil {
			return fmt.Errorf("list findings: %w", err)
		}
		if total = len(items); n == 0 || total < n {
			return nil
		}
		if err := tx.QueryRow(ctx, countSQL, args...).Scan(&total); err != nil {
			return fmt.Errorf("count findings: %w", err)
		}
		return nil
	})
	return items, total, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Store) checkUnit(ctx context.Context, code string) error {
	if code == "" {
		return nil
	}
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM org_units WHERE code = $1)`,
		code).Scan(&found)
	if err != nil {
		return fmt.Errorf("look up org unit: %w", err)
	}
	if !found {
		return invalid("unit", "no org unit has code %s; give the code of an existing org "+
			"unit (its sub-units are included)", textcell.Echo(code))
	}
	return nil
}

// Get returns one finding with its events and deliveries, read in one
// snapshot; ErrNotFound when no finding has id.
func (s *Store) Get(ctx context.Context, id int64) (Detail, error) {
	var d Detail
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if d.Finding, err = getFinding(ctx, tx, id); err != nil {
			return err
		}
		if d.Events, err = loadEvents(ctx, tx, id); err != nil {
			return err
		}
		d.DeliveryLog, err = loadDeliveries(ctx, tx, id)
		return err
	})
	return d, err
}

func getFinding(ctx context.Context, q pgx.Tx, id int64) (Finding, error) {
	rows, err := q.Query(ctx, `SELECT `+findingColumns+` FROM findings f `+deliveryCounts+`
		WHERE f.id = $1`, id)
	if err != nil {
		return Finding{}, fmt.Errorf("read finding %d: %w", id, err)
	}
	f, err := pgx.CollectExactlyOneRow(rows, scanFinding)
	if errors.Is(err, pgx.ErrNoRows) {
		return Finding{}, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if err != nil {
		return Finding{}, fmt.Errorf("read finding %d: %w", id, err)
	}
	return f, nil
}

func loadEvents(ctx context.Context, tx pgx.Tx, id int64) ([]Event, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, from_state, to_state, actor, via, reason,
		    at
		FROM finding_events WHERE finding_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read events of finding %d: %w", id, err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.Kind, &e.FromState, &e.ToState, &e.Actor, &e.Via, &e.Reason,
			&e.At)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read events of finding %d: %w", id, err)
	}
	return events, nil
}

func loadDeliveries(ctx context.Context, tx pgx.Tx, id int64) ([]Delivery, error) {
	rows, err := tx.Query(ctx, `SELECT id, event_id, webhook_url, state, attempts,
		    last_status, last_error, created_at, updated_at, finished_at
		FROM finding_deliveries WHERE finding_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("read deliveries of finding %d: %w", id, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		d := Delivery{Log: []Attempt{}}
		err := r.Scan(&d.ID, &d.EventID, &d.Webhook, &d.State, &d.Attempts, &d.LastStatus,
			&d.LastError, &d.CreatedAt, &d.UpdatedAt, &d.FinishedAt)
		d.Webhook = redactURL(d.Webhook)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("read deliveries of finding %d: %w", id, err)
	}
	for i := range list {
		if list[i].Log, err = loadAttempts(ctx, tx, list[i].ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func loadAttempts(ctx context.Context, tx pgx.Tx, delivery int64) ([]Attempt, error) {
	rows, err := tx.Query(ctx, `SELECT attempt, started_at, duration_ms, status_code, error
		FROM finding_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`, delivery)
	if err != nil {
		return nil, fmt.Errorf("read attempts of delivery %d: %w", delivery, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attempt, error) {
		var a Attempt
		err := r.Scan(&a.Attempt, &a.StartedAt, &a.DurationMs, &a.StatusCode, &a.Error)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("read attempts of delivery %d: %w", delivery, err)
	}
	return list, nil
}

// A Sweep is one completed sweep, as finding_sweeps keeps it.
type Sweep struct {
	ID int64 `json:"id"`
	// StartedAt is when its verifier began: every change committed before
	// then is judged by it.
	StartedAt time.Time `json:"started_at"`
	// FinishedAt is when it had written the findings table.
	FinishedAt time.Time `json:"finished_at"`
	SweepResult
}

// LastSweep returns the last completed sweep that ran the rule code (any
// rule when code is ""), or nil when none has.
func (s *Store) LastSweep(ctx context.Context, code string) (*Sweep, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, started_at, finished_at, codes, checked,
		    found, opened, reopened, escalated, deescalated, resolved, queued
		FROM finding_sweeps WHERE $1 = '' OR $1 = ANY(codes)
		ORDER BY id DESC LIMIT 1`, code)
	if err != nil {
		return nil, fmt.Errorf("read the last sweep: %w", err)
	}
	sw, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (Sweep, error) {
		var w Sweep
		err := r.Scan(&w.ID, &w.StartedAt, &w.FinishedAt, &w.Codes, &w.Checked, &w.Found,
			&w.Opened, &w.Reopened, &w.Escalated, &w.Deescalated, &w.Resolved, &w.Queued)
		return w, err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the last sweep: %w", err)
	}
	return &sw, nil
}

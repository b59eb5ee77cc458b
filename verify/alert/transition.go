package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// maxReason bounds the reason of a change, in characters.
const maxReason = 2000

// Acknowledge marks an open finding as seen by a person who is dealing
// with it; reason may be empty. It returns the finding as changed, an
// error wrapping ErrNotFound for an unknown id, or ErrConflict when the
// finding is not open.
func (s *Store) Acknowledge(ctx context.Context, id int64, actor, reason string) (Detail,
	error) {
	return s.change(ctx, id, actor, reason, StateAcknowledged)
}

// Resolve closes an open or acknowledged finding; reason is required. It
// returns the finding as changed, an error wrapping ErrNotFound for an
// unknown id, or ErrConflict when the finding is resolved already.
func (s *Store) Resolve(ctx context.Context, id int64, actor, reason string) (Detail, error) {
	return s.change(ctx, id, actor, reason, StateResolved)
}

func (s *Store) change(ctx context.Context, id int64, actor, reason, to string) (Detail,
	error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, to == StateResolved); err != nil {
		return Detail{}, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var from string
		err := tx.QueryRow(ctx, `SELECT state FROM findings WHERE id = $1 FOR UPDATE`,
			id).Scan(&from)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("read finding %d: %w", id, err)
		}
		if err := allowed(id, from, to); err != nil {
			return err
		}
		_, err = setState(ctx, tx, stateChange{id: id, from: from, to: to, kind: to,
			actor: actor, reason: reason})
		return err
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

func checkReason(reason string, required bool) error {
	if required && reason == "" {
		return invalid("reason", "empty; say why the finding is resolved, e.g. what was "+
			"fixed or why it is no fault")
	}
	if n := utf8.RuneCountInString(reason); n > maxReason {
		return invalid("reason", "%d characters; keep it to %d", n, maxReason)
	}
	return nil
}

// allowed says whether a person may move a finding from one state to
// another.
func allowed(id int64, from, to string) error {
	switch {
	case from == StateResolved:
		return fmt.Errorf("%w: finding %d is resolved already; it reopens by itself "+
			"when the verifier finds it again", ErrConflict, id)
	case from == to:
		return fmt.Errorf("%w: finding %d is %s already", ErrConflict, id, from)
	}
	return nil
}

// stateChange is one change of a finding's state, as an event records it.
type stateChange struct {
	id             int64
	from, to, kind string // from is "" for a new finding
	actor, reason  string
}

// setState moves the finding's state and records the event, returning the
// event's id. The finding row must be locked or new.
func setState(ctx context.Context, tx pgx.Tx, c stateChange) (int64, error) {
	var eventID int64
	var from *string
	if c.from != "" {
		from = &c.from
	}
	err := tx.QueryRow(ctx, `
		WITH moved AS (
		    UPDATE findings SET state = $2, state_actor = $3, state_reason = $4,
		        state_changed_at = now()
		    WHERE id = $1 RETURNING id)
		INSERT INTO finding_events (finding_id, kind, from_state, to_state, actor, reason)
		SELECT id, $5, $6, $2, $3, $4 FROM moved
		RETURNING id`, c.id, c.to, c.actor, c.reason, c.kind, from).Scan(&eventID)
	if err != nil {
		return 0, fmt.Errorf("record %s of finding %d: %w", c.kind, c.id, err)
	}
	return eventID, nil
}

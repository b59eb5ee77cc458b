package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/liuhen/liuhen/internal/pgtext"
)

// maxReason bounds the reason of a change, in characters.
const maxReason = 2000

// maxBy bounds the name of the person who makes a change, in characters.
const maxBy = 100

// A Change is a person's change of a finding's state, as its event records
// it.
type Change struct {
	// By names the person who makes it; required.
	By string
	// Via names the credential the change was made with, such as
	// ViaAdminToken; "" when it is not known.
	Via string
	// Reason says why; required to resolve.
	Reason string
}

// ViaAdminToken is the Via of a change made with the admin token, which
// everyone who administers the server shares: By says who it was.
const ViaAdminToken = "admin token"

// Acknowledge marks an open finding as seen by the person c names, who is
// dealing with it; its reason may be empty. It returns the finding as
// changed, an error wrapping ErrInvalid for a bad c, ErrNotFound for an
// unknown id, or ErrConflict when the finding is not open.
func (s *Store) Acknowledge(ctx context.Context, id int64, c Change) (Detail, error) {
	return s.change(ctx, id, c, StateAcknowledged)
}

// Resolve closes an open or acknowledged finding; c's reason is required.
// It returns the finding as changed, an error wrapping ErrInvalid for a
// bad c, ErrNotFound for an unknown id, or ErrConflict when the finding is
// resolved already.
func (s *Store) Resolve(ctx context.Context, id int64, c Change) (Detail, error) {
	return s.change(ctx, id, c, StateResolved)
}

func (s *Store) change(ctx context.Context, id int64, c Change, to string) (Detail, error) {
	c.By, c.Reason = strings.TrimSpace(c.By), strings.TrimSpace(c.Reason)
	if err := errors.Join(checkBy(c.By),
		checkReason(c.Reason, to == StateResolved)); err != nil {
		return Detail{}, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var from, actor string
		err := tx.QueryRow(ctx, `SELECT state, state_actor FROM findings WHERE id = $1
			FOR UPDATE`, id).Scan(&from, &actor)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("read finding %d: %w", id, err)
		}
		if err := allowed(id, from, actor, to); err != nil {
			return err
		}
		_, err = setState(ctx, tx, stateChange{id: id, from: from, to: to, kind: to,
			actor: c.By, via: c.Via, reason: c.Reason})
		return err
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, id)
}

// checkBy refuses a name that does not say who made a change.
func checkBy(by string) error {
	switch n := utf8.RuneCountInString(by); {
	case n == 0:
		return invalid("by", "missing; give the name of the person who makes the change, "+
			"such as 张三: each change of a finding is recorded with who made it")
	case n > maxBy:
		return invalid("by", "%d characters; give a name of at most %d", n, maxBy)
	case !utf8.ValidString(by):
		return invalid("by", "holds bytes that are not UTF-8; give the name as text")
	case strings.IndexFunc(by, unicode.IsControl) >= 0:
		return invalid("by", "holds a control character (a line break, a tab); give the "+
			"name on one line")
	case strings.IndexFunc(by, bidiControl) >= 0:
		return invalid("by", "holds a bidirectional control character (U+202A to U+202E, "+
			"U+2066 to U+2069), which makes a name show as another; give the name as typed")
	case strings.EqualFold(by, ActorVerifier):
		return invalid("by", "%q is the sweeps' own name; give the name of the person "+
			"who makes the change", by)
	}
	return nil
}

// bidiControl tells the characters that reorder the text around them when
// shown: with them, "nimda" followed by an override shows as another name.
func bidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

func checkReason(reason string, required bool) error {
	if required && reason == "" {
		return invalid("reason", "empty; say why the finding is resolved, e.g. what was "+
			"fixed or why it is no fault")
	}
	if !pgtext.Valid(reason) {
		return invalid("reason", "holds a NUL or bytes that are not UTF-8; write the "+
			"reason as text")
	}
	if n := utf8.RuneCountInString(reason); n > maxReason {
		return invalid("reason", "%d characters; keep it to %d", n, maxReason)
	}
	return nil
}

// allowed says whether a person may move a finding from one state to
// another; actor made the finding's last change.
func allowed(id int64, from, actor, to string) error {
	switch {
	case from == StateResolved && actor == ActorVerifier:
		return fmt.Errorf("%w: finding %d is resolved already, as no longer found; it "+
			"reopens by itself when the verifier finds it again", ErrConflict, id)
	case from == StateResolved:
		return fmt.Errorf("%w: finding %d is resolved already, by %s; it stays resolved "+
			"while the verifier still finds it, and reopens only if a sweep no longer "+
			"finds it and a later one finds it again", ErrConflict, id, actor)
	case from == to:
		return fmt.Errorf("%w: finding %d is %s already", ErrConflict, id, from)
	}
	return nil
}

// stateChange is one change of a finding's state, as an event records it.
type stateChange struct {
	id                 int64
	from, to, kind     string // from is "" for a new finding
	actor, via, reason string
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
		INSERT INTO finding_events (finding_id, kind, from_state, to_state, actor, via,
		    reason)
		SELECT id, $5, $6, $2, $3, $7, $4 FROM moved
		RETURNING id`, c.id, c.to, c.actor, c.reason, c.kind, from, c.via).Scan(&eventID)
	if err != nil {
		return 0, fmt.Errorf("record %s of finding %d: %w", c.kind, c.id, err)
	}
	return eventID, nil
}

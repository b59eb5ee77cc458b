package agenda

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// BodySeatInput is a new seat on a body, or one as an update leaves it.
type BodySeatInput struct {
	BodyID   int64 `json:"body_id"`
	MemberID int64 `json:"member_id"`
	// Role defaults to member when "".
	Role       SeatRole `json:"role"`
	ServedFrom Date     `json:"served_from"`
	ServedTo   *Date    `json:"served_to"`
}

func (in BodySeatInput) check() error {
	var fe fieldErrors
	fe.checkID("body_id", in.BodyID)
	fe.checkID("member_id", in.MemberID)
	if in.Role != "" && !in.Role.Valid() {
		fe.add("role", "must be one of: "+joinValues(SeatRoles))
	}
	fe.checkDate("served_from", in.ServedFrom)
	if in.ServedTo != nil {
		fe.checkDate("served_to", *in.ServedTo)
		if !in.ServedFrom.IsZero() && in.ServedTo.Before(in.ServedFrom) {
			fe.add("served_to", "must not be before served_from")
		}
	}
	return fe.err()
}

func (s BodySeat) input() BodySeatInput {
	return BodySeatInput{BodyID: s.BodyID, MemberID: s.MemberID, Role: s.Role,
		ServedFrom: s.ServedFrom, ServedTo: s.ServedTo}
}

// BodySeatFilter narrows a listing of seats; nil fields match all. On
// matches the seats whose span holds that day; OrgUnitID the seats on
// bodies of that unit.
type BodySeatFilter struct {
	BodyID    *int64
	MemberID  *int64
	OrgUnitID *int64
	On        *Date
}

const seatColumns = `s.id, s.body_id, s.member_id, s.role, s.served_from, s.served_to`

func (s *BodySeat) dest() []any {
	return []any{&s.ID, &s.BodyID, &s.MemberID, &s.Role, &s.ServedFrom, &s.ServedTo}
}

func scanSeat(row pgx.Row) (BodySeat, error) {
	var s BodySeat
	err := row.Scan(s.dest()...)
	return s, err
}

// CreateBodySeat gives a member a seat on a body. A member holds at most
// one seat on a body on any day, and a body has at most one leader on any
// day: a seat that overlaps another is a *ConflictError naming
// served_from, or role for a second leader.
func (s *Store) CreateBodySeat(ctx context.Context, in BodySeatInput) (BodySeat, error) {
	seat, err := create(ctx, s, in, func(tx pgx.Tx, in BodySeatInput) (BodySeat, error) {
		return s.saveSeat(ctx, tx, 0, in)
	})
	if err != nil {
		return BodySeat{}, fmt.Errorf("create body seat: %w", err)
	}
	return seat, nil
}

// UpdateBodySeat changes seat id as patch says, with the checks of
// CreateBodySeat.
func (s *Store) UpdateBodySeat(ctx context.Context, id int64, patch Patch[BodySeatInput]) (
	BodySeat, error) {
	load := func(tx pgx.Tx) (BodySeatInput, error) {
		seat, err := scanSeat(tx.QueryRow(ctx, `SELECT `+seatColumns+` FROM body_members s
			WHERE s.id = $1 FOR NO KEY UPDATE`, id))
		return seat.input(), err
	}
	seat, err := update(ctx, s, load, patch,
		func(tx pgx.Tx, in BodySeatInput) (BodySeat, error) {
			return s.saveSeat(ctx, tx, id, in)
		})
	if err != nil {
		return BodySeat{}, fmt.Errorf("update body seat %d: %w", id, err)
	}
	return seat, nil
}

func (s *Store) saveSeat(ctx context.Context, tx pgx.Tx, id int64, in BodySeatInput) (
	BodySeat, error) {
	if in.Role == "" {
		in.Role = RoleMember
	}
	refs := []ref{{"body_id", "meeting_bodies", &in.BodyID},
		{"member_id", "members", &in.MemberID}}
	if err := s.checked(ctx, in, refs...); err != nil {
		return BodySeat{}, err
	}
	// Seat writes of one body take turns, so that overlaps are seen.
	// TODO(seat-overlaps): the rule holds for writes through the store only;
	// an EXCLUDE USING gist constraint (btree_gist) on body, member and
	// daterange would hold it for every writer.
	var locked int64
	err := tx.QueryRow(ctx, `SELECT id FROM meeting_bodies
		WHERE id = $1 FOR NO KEY UPDATE`, in.BodyID).Scan(&locked)
	if errors.Is(err, pgx.ErrNoRows) {
		return BodySeat{}, s.missing(ctx, refs[0], refs[1:]...)
	}
	if err != nil {
		return BodySeat{}, fmt.Errorf("lock meeting body: %w", err)
	}
	if err := overlappingSeat(ctx, tx, id, in); err != nil {
		return BodySeat{}, err
	}
	sql, args := writeSQL(id, `INSERT INTO body_members AS s
		(body_id, member_id, role, served_from, served_to) VALUES ($1, $2, $3, $4, $5)`,
		`UPDATE body_members AS s SET body_id = $1, member_id = $2, role = $3,
		served_from = $4, served_to = $5`, seatColumns,
		in.BodyID, in.MemberID, in.Role, in.ServedFrom, in.ServedTo)
	seat, err := scanSeat(tx.QueryRow(ctx, sql, args...))
	if err != nil {
		return BodySeat{}, s.explain(ctx, err, refs[1])
	}
	return seat, nil
}

// overlappingSeat reports another seat of the member, or another leader,
// on the body on a day of in's span.
func overlappingSeat(ctx context.Context, tx pgx.Tx, id int64, in BodySeatInput) error {
	var other BodySeat
	err := tx.QueryRow(ctx, `
		SELECT `+seatColumns+` FROM body_members s
		WHERE s.body_id = $1 AND s.id <> $2
		  AND (s.member_id = $3 OR ($4 = 'leader' AND s.role = 'leader'))
		  AND s.served_from <= COALESCE($6::date, 'infinity')
		  AND COALESCE(s.served_to, 'infinity') >= $5::date
		ORDER BY s.member_id <> $3, s.id LIMIT 1`,
		in.BodyID, id, in.MemberID, in.Role, in.ServedFrom, in.ServedTo).
		Scan(other.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find overlapping seats: %w", err)
	}
	span := fmt.Sprintf("from %s to %s", other.ServedFrom, spanEnd(other.ServedTo))
	if other.MemberID == in.MemberID {
		return &ConflictError{Field: "served_from", Reason: fmt.Sprintf(
			"overlaps seat %d of the same member on this body, %s", other.ID, span)}
	}
	return &ConflictError{Field: "role", Reason: fmt.Sprintf("cannot be leader: "+
		"member %d leads this body %s (seat %d)", other.MemberID, span, other.ID)}
}

func spanEnd(d *Date) string {
	if d == nil {
		return "now"
	}
	return d.String()
}

// GetBodySeat returns seat id, or ErrNotFound.
func (s *Store) GetBodySeat(ctx context.Context, id int64) (BodySeat, error) {
	seat, err := scanSeat(s.pool.QueryRow(ctx, `SELECT `+seatColumns+` FROM body_members s
		WHERE s.id = $1`, id))
	if err != nil {
		return BodySeat{}, fmt.Errorf("get body seat %d: %w", id, notFound(err))
	}
	return seat, nil
}

// ListBodySeats returns a page of the seats that match f, by id.
func (s *Store) ListBodySeats(ctx context.Context, f BodySeatFilter, p Page) (
	List[BodySeat], error) {
	if err := p.check(); err != nil {
		return List[BodySeat]{}, fmt.Errorf("list body seats: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+seatColumns+` FROM body_members s JOIN meeting_bodies b ON b.id = s.body_id
		WHERE ($1::bigint IS NULL OR s.body_id = $1)
		  AND ($2::bigint IS NULL OR s.member_id = $2)
		  AND ($3::bigint IS NULL OR b.org_unit_id = $3)
		  AND ($4::date IS NULL OR (s.served_from <= $4
			AND (s.served_to IS NULL OR s.served_to >= $4)))
		ORDER BY s.id LIMIT $5 OFFSET $6`, f.BodyID, f.MemberID, f.OrgUnitID, f.On,
		limit, offset)
	if err != nil {
		return List[BodySeat]{}, fmt.Errorf("list body seats: %w", err)
	}
	seats, err := collect(rows, scanSeat)
	if err != nil {
		return List[BodySeat]{}, fmt.Errorf("list body seats: %w", err)
	}
	return cut(seats, p), nil
}

// meetingDayOffset is MeetingZone's offset from UTC in seconds, which SQL
// adds to an instant to find the meeting's day.
func meetingDayOffset() int {
	_, offset := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).In(MeetingZone).Zone()
	return offset
}

package agenda

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// What the minutes of a meeting keep beside the agenda: who attended, who
// left the room for an item, and who stated a view on it in which order.
// Each is written as a whole list, which replaces the one before; the
// fields of a bad entry are named items[i].field, i from 0.

// AttendanceInput is one member's attendance of a meeting.
type AttendanceInput struct {
	MemberID      int64    `json:"member_id"`
	Status        Presence `json:"status"`
	AbsenceReason string   `json:"absence_reason"`
}

// RecusalInput is a member who had to leave the room for an agenda item.
type RecusalInput struct {
	MemberID int64  `json:"member_id"`
	Reason   string `json:"reason"`
	TookPart bool   `json:"took_part"`
}

// StatementInput is one turn of a member on an agenda item; its place in
// the list is its seq.
type StatementInput struct {
	MemberID int64    `json:"member_id"`
	Position Position `json:"position"`
}

// maxListItems bounds a list of attendance, recusals or statements.
const maxListItems = 500

func (in AttendanceInput) checkAt(fe *fieldErrors, p string) {
	fe.checkID(p+"member_id", in.MemberID)
	if !in.Status.Valid() {
		fe.add(p+"status", "must be one of: "+joinValues(Presences))
	}
	fe.checkText(p+"absence_reason", in.AbsenceReason, maxLongText, true)
	if in.Status == Present && in.AbsenceReason != "" {
		fe.add(p+"absence_reason", "must be empty for a member who is present")
	}
}

func (in RecusalInput) checkAt(fe *fieldErrors, p string) {
	fe.checkID(p+"member_id", in.MemberID)
	fe.checkText(p+"reason", in.Reason, maxLongText, true)
}

func (in StatementInput) checkAt(fe *fieldErrors, p string) {
	fe.checkID(p+"member_id", in.MemberID)
	if !in.Position.Valid() {
		fe.add(p+"position", `must be "for", "against", "abstain", or "" when not kept`)
	}
}

func (in AttendanceInput) member() int64 { return in.MemberID }
func (in RecusalInput) member() int64    { return in.MemberID }
func (in StatementInput) member() int64  { return in.MemberID }

// listEntry is an entry of a minutes list.
type listEntry interface {
	checkAt(fe *fieldErrors, prefix string)
	member() int64
}

// checkEntries reports every bad entry and, when once is true, a member
// listed twice.
func checkEntries[T listEntry](items []T, once bool) fieldErrors {
	var fe fieldErrors
	if len(items) > maxListItems {
		fe.add("items", fmt.Sprintf("must hold at most %d entries", maxListItems))
		return fe
	}
	first := map[int64]int{}
	for i, in := range items {
		p := fmt.Sprintf("items[%d].", i)
		in.checkAt(&fe, p)
		j, dup := first[in.member()]
		if once && dup && in.member() > 0 {
			fe.add(p+"member_id", fmt.Sprintf("lists member %d again (as items[%d])",
				in.member(), j))
		}
		if !dup {
			first[in.member()] = i
		}
	}
	return fe
}

// unknownMembers reports each entry whose member does not exist.
func unknownMembers[T listEntry](ctx context.Context, tx pgx.Tx, items []T) (
	fieldErrors, error) {
	ids := make([]int64, len(items))
	for i, in := range items {
		ids[i] = in.member()
	}
	rows, err := tx.Query(ctx, `SELECT u.i - 1 FROM unnest($1::bigint[]) WITH ORDINALITY u(id, i)
		WHERE NOT EXISTS (SELECT 1 FROM members WHERE id = u.id) ORDER BY u.i`, ids)
	if err != nil {
		return nil, fmt.Errorf("check members: %w", err)
	}
	missing, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("check members: %w", err)
	}
	var fe fieldErrors
	for _, i := range missing {
		fe.add(fmt.Sprintf("items[%d].member_id", i), missingReason("member_id"))
	}
	return fe, nil
}

// replaceList checks items and, in one transaction that holds the row of
// parent (meetings or agenda_items) id, deletes the list of table, whose
// column parentColumn refers to the parent, and runs write, which inserts
// the new list. An unknown parent is ErrNotFound.
func replaceList[T listEntry](ctx context.Context, s *Store, parent, table, parentColumn string,
	id int64, items []T, once bool, write func(pgx.Tx) error) error {
	if err := checkEntries(items, once).err(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var found int64
		err := tx.QueryRow(ctx, `SELECT id FROM `+parent+`
			WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&found)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock %s %d: %w", parent, id, err)
		}
		fe, err := unknownMembers(ctx, tx, items)
		if err != nil {
			return err
		}
		if err := fe.err(); err != nil {
			return err
		}
		// Table and column names come from the code, never from input.
		_, err = tx.Exec(ctx, `DELETE FROM `+table+` WHERE `+parentColumn+` = $1`, id)
		if err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
		return write(tx)
	})
}

// SetAttendance replaces the attendance of meeting id with items. An
// unknown meeting is ErrNotFound; bad entries, unknown members and members
// listed twice are a *ValidationError.
func (s *Store) SetAttendance(ctx context.Context, id int64, items []AttendanceInput) (
	[]Attendance, error) {
	err := replaceList(ctx, s, "meetings", "meeting_attendance", "meeting_id", id, items,
		true, func(tx pgx.Tx) error {
			members, status, reasons := make([]int64, len(items)), make([]string, len(items)),
				make([]string, len(items))
			for i, in := range items {
				members[i], status[i], reasons[i] = in.MemberID, string(in.Status), in.AbsenceReason
			}
			_, err := tx.Exec(ctx, `
			INSERT INTO meeting_attendance (meeting_id, member_id, status, absence_reason)
			SELECT $1, u.m, u.s, u.r FROM unnest($2::bigint[], $3::text[], $4::text[])
				AS u(m, s, r)`, id, members, status, reasons)
			return translate(err)
		})
	if err != nil {
		return nil, fmt.Errorf("set attendance of meeting %d: %w", id, err)
	}
	return s.Attendance(ctx, id)
}

// Attendance returns the attendance of meeting id by member id; an unknown
// meeting is ErrNotFound.
func (s *Store) Attendance(ctx context.Context, id int64) ([]Attendance, error) {
	list, err := listOfParent(ctx, s, "meetings", id, `
		SELECT meeting_id, member_id, status, absence_reason FROM meeting_attendance
		WHERE meeting_id = $1 ORDER BY member_id`, func(row pgx.Row) (Attendance, error) {
		var a Attendance
		err := row.Scan(&a.MeetingID, &a.MemberID, &a.Status, &a.AbsenceReason)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("get attendance of meeting %d: %w", id, err)
	}
	return list, nil
}

// SetRecusals replaces the recusals of agenda item id with items, as
// SetAttendance does for a meeting.
func (s *Store) SetRecusals(ctx context.Context, id int64, items []RecusalInput) (
	[]Recusal, error) {
	err := replaceList(ctx, s, "agenda_items", "recusals", "agenda_item_id", id, items,
		true, func(tx pgx.Tx) error {
			members, reasons, took := make([]int64, len(items)), make([]string, len(items)),
				make([]bool, len(items))
			for i, in := range items {
				members[i], reasons[i], took[i] = in.MemberID, in.Reason, in.TookPart
			}
			_, err := tx.Exec(ctx, `
			INSERT INTO recusals (agenda_item_id, member_id, reason, took_part)
			SELECT $1, u.m, u.r, u.t FROM unnest($2::bigint[], $3::text[], $4::boolean[])
				AS u(m, r, t)`, id, members, reasons, took)
			return translate(err)
		})
	if err != nil {
		return nil, fmt.Errorf("set recusals of agenda item %d: %w", id, err)
	}
	return s.Recusals(ctx, id)
}

// Recusals returns the recusals of agenda item id by member id; an unknown
// agenda item is ErrNotFound.
func (s *Store) Recusals(ctx context.Context, id int64) ([]Recusal, error) {
	list, err := listOfParent(ctx, s, "agenda_items", id, `
		SELECT agenda_item_id, member_id, reason, took_part FROM recusals
		WHERE agenda_item_id = $1 ORDER BY member_id`, func(row pgx.Row) (Recusal, error) {
		var r Recusal
		err := row.Scan(&r.AgendaItemID, &r.MemberID, &r.Reason, &r.TookPart)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("get recusals of agenda item %d: %w", id, err)
	}
	return list, nil
}

// SetStatements replaces the statements on agenda item id with items, in
// order: the first has seq 1. A member may speak more than once.
func (s *Store) SetStatements(ctx context.Context, id int64, items []StatementInput) (
	[]Statement, error) {
	err := replaceList(ctx, s, "agenda_items", "statements", "agenda_item_id", id,
		items, false, func(tx pgx.Tx) error {
			members, positions := make([]int64, len(items)), make([]string, len(items))
			for i, in := range items {
				members[i], positions[i] = in.MemberID, string(in.Position)
			}
			_, err := tx.Exec(ctx, `
			INSERT INTO statements (agenda_item_id, seq, member_id, position)
			SELECT $1, u.i, u.m, u.p FROM unnest($2::bigint[], $3::text[])
				WITH ORDINALITY AS u(m, p, i)`, id, members, positions)
			return translate(err)
		})
	if err != nil {
		return nil, fmt.Errorf("set statements of agenda item %d: %w", id, err)
	}
	return s.Statements(ctx, id)
}

// Statements returns the statements on agenda item id in order; an unknown
// agenda item is ErrNotFound.
func (s *Store) Statements(ctx context.Context, id int64) ([]Statement, error) {
	list, err := listOfParent(ctx, s, "agenda_items", id, `
		SELECT agenda_item_id, seq, member_id, position FROM statements
		WHERE agenda_item_id = $1 ORDER BY seq`, func(row pgx.Row) (Statement, error) {
		var st Statement
		err := row.Scan(&st.AgendaItemID, &st.Seq, &st.MemberID, &st.Position)
		return st, err
	})
	if err != nil {
		return nil, fmt.Errorf("get statements of agenda item %d: %w", id, err)
	}
	return list, nil
}

// listOfParent runs query, whose $1 is id, after making sure row id of
// parent exists; the list is empty, never nil.
func listOfParent[T any](ctx context.Context, s *Store, parent string, id int64,
	query string, scan func(pgx.Row) (T, error)) ([]T, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+parent+` WHERE id = $1)`,
		id).Scan(&ok)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	rows, err := s.pool.Query(ctx, query, id)
	if err != nil {
		return nil, err
	}
	list, err := collect(rows, scan)
	if list == nil {
		list = []T{}
	}
	return list, err
}

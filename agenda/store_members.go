package agenda

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// MemberInput is a new member, or one as an update leaves it.
type MemberInput struct {
	OrgUnitID int64  `json:"org_unit_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Title     string `json:"title"`
}

func (in MemberInput) check() error {
	var fe fieldErrors
	fe.checkID("org_unit_id", in.OrgUnitID)
	fe.checkCode("code", in.Code)
	fe.checkText("name", in.Name, maxName, false)
	fe.checkText("title", in.Title, maxName, true)
	return fe.err()
}

func (m Member) input() MemberInput {
	return MemberInput{OrgUnitID: m.OrgUnitID, Code: m.Code, Name: m.Name, Title: m.Title}
}

// MemberFilter narrows a listing of members; nil fields match all. BodyID
// matches members who hold or held a seat on the body.
type MemberFilter struct {
	OrgUnitID *int64
	BodyID    *int64
	Code      *string
}

const memberColumns = `mb.id, mb.org_unit_id, mb.code, mb.name, mb.title, mb.created_at`

func (m *Member) dest() []any {
	return []any{&m.ID, &m.OrgUnitID, &m.Code, &m.Name, &m.Title, &m.CreatedAt}
}

func scanMember(row pgx.Row) (Member, error) {
	var m Member
	err := row.Scan(m.dest()...)
	return m, err
}

// CreateMember adds a member. A taken code is a *ConflictError, an unknown
// org unit a *ValidationError.
func (s *Store) CreateMember(ctx context.Context, in MemberInput) (Member, error) {
	m, err := s.saveMember(ctx, s.pool, 0, in)
	if err != nil {
		return Member{}, fmt.Errorf("create member: %w", err)
	}
	return m, nil
}

// UpdateMember changes member id as patch says.
func (s *Store) UpdateMember(ctx context.Context, id int64, patch Patch[MemberInput]) (
	Member, error) {
	load := func(tx pgx.Tx) (MemberInput, error) {
		m, err := scanMember(tx.QueryRow(ctx, `SELECT `+memberColumns+` FROM members mb
			WHERE mb.id = $1 FOR NO KEY UPDATE`, id))
		return m.input(), err
	}
	m, err := update(ctx, s, load, patch, func(tx pgx.Tx, in MemberInput) (Member, error) {
		return s.saveMember(ctx, tx, id, in)
	})
	if err != nil {
		return Member{}, fmt.Errorf("update member %d: %w", id, err)
	}
	return m, nil
}

func (s *Store) saveMember(ctx context.Context, q querier, id int64, in MemberInput) (
	Member, error) {
	unit := ref{"org_unit_id", "org_units", &in.OrgUnitID}
	if err := s.checked(ctx, in, unit); err != nil {
		return Member{}, err
	}
	sql, args := writeSQL(id, `INSERT INTO members AS mb (org_unit_id, code, name, title)
		VALUES ($1, $2, $3, $4)`, `UPDATE members AS mb SET org_unit_id = $1, code = $2,
		name = $3, title = $4`, memberColumns, in.OrgUnitID, in.Code, in.Name, in.Title)
	m, err := scanMember(q.QueryRow(ctx, sql, args...))
	if err != nil {
		return Member{}, s.explain(ctx, err, unit)
	}
	return m, nil
}

// GetMember returns member id, or ErrNotFound.
func (s *Store) GetMember(ctx context.Context, id int64) (Member, error) {
	m, err := scanMember(s.pool.QueryRow(ctx, `SELECT `+memberColumns+` FROM members mb
		WHERE mb.id = $1`, id))
	if err != nil {
		return Member{}, fmt.Errorf("get member %d: %w", id, notFound(err))
	}
	return m, nil
}

// ListMembers returns a page of the members that match f, by id.
func (s *Store) ListMembers(ctx context.Context, f MemberFilter, p Page) (List[Member], error) {
	if err := p.check(); err != nil {
		return List[Member]{}, fmt.Errorf("list members: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+memberColumns+` FROM members mb
		WHERE ($1::bigint IS NULL OR mb.org_unit_id = $1)
		  AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM body_members s
			WHERE s.member_id = mb.id AND s.body_id = $2))
		  AND ($3::text IS NULL OR mb.code = $3)
		ORDER BY mb.id LIMIT $4 OFFSET $5`, f.OrgUnitID, f.BodyID, f.Code, limit, offset)
	if err != nil {
		return List[Member]{}, fmt.Errorf("list members: %w", err)
	}
	members, err := collect(rows, scanMember)
	if err != nil {
		return List[Member]{}, fmt.Errorf("list members: %w", err)
	}
	return cut(members, p), nil
}

// ExpectedAttendees returns, for each of the meetings, the members who
// should attend it: those whose seat on the meeting's body holds the
// meeting's day, the day in MeetingZone of its start (the actual start
// when known, else the planned one). Members come leader first, then
// deputies, then the others, each by member id. A meeting that is unknown
// or has no seat holders is missing from the map.
func (s *Store) ExpectedAttendees(ctx context.Context, meetingIDs ...int64) (
	map[int64][]ExpectedAttendee, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.id, `+memberColumns+`, `+seatColumns+`
		FROM meetings m
		CROSS JOIN LATERAL (SELECT (COALESCE(m.started_at, m.planned_start)
			AT TIME ZONE make_interval(secs => $2::int))::date AS day) d
		JOIN body_members s ON s.body_id = m.body_id
			AND s.served_from <= d.day AND (s.served_to IS NULL OR s.served_to >= d.day)
		JOIN members mb ON mb.id = s.member_id
		WHERE m.id = ANY($1)
		ORDER BY m.id, array_position(ARRAY['leader', 'deputy', 'member'], s.role), mb.id`,
		meetingIDs, meetingDayOffset())
	if err != nil {
		return nil, fmt.Errorf("list expected attendees: %w", err)
	}
	out := map[int64][]ExpectedAttendee{}
	var meetingID int64
	var a ExpectedAttendee
	dest := append(append([]any{&meetingID}, a.Member.dest()...), a.Seat.dest()...)
	_, err = pgx.ForEachRow(rows, dest, func() error {
		out[meetingID] = append(out[meetingID], a)
		a.Seat.ServedTo = nil // pgx would scan the next row's end into the same Date
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list expected attendees: %w", err)
	}
	return out, nil
}

// MeetingAttendees returns the members who should attend meeting id, as
// ExpectedAttendees does; an unknown meeting is ErrNotFound.
func (s *Store) MeetingAttendees(ctx context.Context, id int64) ([]ExpectedAttendee, error) {
	ok, err := s.MeetingExists(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("get meeting %d: %w", id, ErrNotFound)
	}
	byMeeting, err := s.ExpectedAttendees(ctx, id)
	if err != nil {
		return nil, err
	}
	if byMeeting[id] == nil {
		return []ExpectedAttendee{}, nil
	}
	return byMeeting[id], nil
}

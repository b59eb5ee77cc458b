package agenda

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MeetingInput is a new meeting, or one as an update leaves it.
type MeetingInput struct {
	BodyID int64  `json:"body_id"`
	Title  string `json:"title"`
	// Code is the office's identifier, unique when not "".
	Code string `json:"code"`
	// Mode defaults to meeting when "".
	Mode         MeetingMode `json:"mode"`
	PlannedStart time.Time   `json:"planned_start"`
	PlannedEnd   *time.Time  `json:"planned_end"`
	// StartedAt and EndedAt are set by the recording; the minutes of a
	// meeting that was not recorded may give them.
	StartedAt        *time.Time `json:"started_at"`
	EndedAt          *time.Time `json:"ended_at"`
	ChairMemberID    *int64     `json:"chair_member_id"`
	MinutesWrittenAt *time.Time `json:"minutes_written_at"`
}

func (in MeetingInput) check() error {
	var fe fieldErrors
	fe.checkID("body_id", in.BodyID)
	fe.checkText("title", in.Title, maxName, false)
	if in.Code != "" {
		fe.checkCode("code", in.Code)
	}
	checkEnum(&fe, "mode", in.Mode, MeetingModes)
	if in.PlannedStart.IsZero() {
		fe.add("planned_start", requiredText)
	}
	fe.checkSpan("planned_end", in.PlannedStart, in.PlannedEnd, "planned_start")
	switch {
	case in.EndedAt != nil && in.StartedAt == nil:
		fe.add("ended_at", "needs started_at: a meeting ends after it starts")
	case in.StartedAt != nil:
		fe.checkSpan("ended_at", *in.StartedAt, in.EndedAt, "started_at")
	}
	fe.checkOptionalID("chair_member_id", in.ChairMemberID)
	times := map[string]*time.Time{"planned_end": in.PlannedEnd, "started_at": in.StartedAt,
		"ended_at": in.EndedAt, "minutes_written_at": in.MinutesWrittenAt}
	if !in.PlannedStart.IsZero() {
		times["planned_start"] = &in.PlannedStart
	}
	fe.checkTimes(times)
	return fe.err()
}

func (m Meeting) input() MeetingInput {
	return MeetingInput{BodyID: m.BodyID, Title: m.Title, Code: m.Code, Mode: m.Mode,
		PlannedStart: m.PlannedStart, PlannedEnd: m.PlannedEnd, StartedAt: m.StartedAt,
		EndedAt: m.EndedAt, ChairMemberID: m.ChairMemberID,
		MinutesWrittenAt: m.MinutesWrittenAt}
}

// MeetingFilter narrows a listing of meetings; nil fields match all. The
// planned start range includes From and excludes To.
type MeetingFilter struct {
	ID          *int64
	BodyID      *int64
	OrgUnitID   *int64
	PlannedFrom *time.Time
	PlannedTo   *time.Time
	Code        *string
	Mode        *MeetingMode
}

const meetingColumns = `m.id, m.body_id, m.title, COALESCE(m.code, ''), m.mode,
	m.planned_start, m.planned_end, m.started_at, m.ended_at, m.chair_member_id,
	m.minutes_written_at, m.created_at`

func (m *Meeting) dest() []any {
	return []any{&m.ID, &m.BodyID, &m.Title, &m.Code, &m.Mode, &m.PlannedStart,
		&m.PlannedEnd, &m.StartedAt, &m.EndedAt, &m.ChairMemberID, &m.MinutesWrittenAt,
		&m.CreatedAt}
}

func scanMeeting(row pgx.Row) (Meeting, error) {
	var m Meeting
	err := row.Scan(m.dest()...)
	return m, err
}

// CreateMeeting adds a planned meeting. Unknown body and chair are
// reported together in a *ValidationError; a taken code is a
// *ConflictError.
func (s *Store) CreateMeeting(ctx context.Context, in MeetingInput) (Meeting, error) {
	m, err := s.saveMeeting(ctx, s.pool, 0, in)
	if err != nil {
		return Meeting{}, fmt.Errorf("create meeting: %w", err)
	}
	return m, nil
}

// UpdateMeeting changes meeting id as patch says. Moving it to a body of
// another unit is a *ConflictError while decisions of its unit list its
// items as earlier stages, which are items of the unit's own meetings.
func (s *Store) UpdateMeeting(ctx context.Context, id int64, patch Patch[MeetingInput]) (
	Meeting, error) {
	var body int64 // the meeting's body before the update
	load := func(tx pgx.Tx) (MeetingInput, error) {
		m, err := scanMeeting(tx.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings m
			WHERE m.id = $1 FOR NO KEY UPDATE`, id))
		body = m.BodyID
		return m.input(), err
	}
	m, err := update(ctx, s, load, patch, func(tx pgx.Tx, in MeetingInput) (Meeting, error) {
		m, err := s.saveMeeting(ctx, tx, id, in)
		if err != nil || m.BodyID == body {
			return m, err
		}
		return m, refuseBrokenStages(ctx, tx, StageScope{Meetings: []int64{id}}, stageMove{
			field: "body_id", what: "the meeting", items: "its agenda items",
			instead: "give the meeting a body of their unit"})
	})
	if err != nil {
		return Meeting{}, fmt.Errorf("update meeting %d: %w", id, err)
	}
	return m, nil
}

func (s *Store) saveMeeting(ctx context.Context, q querier, id int64, in MeetingInput) (
	Meeting, error) {
	refs := []ref{{"body_id", "meeting_bodies", &in.BodyID},
		{"chair_member_id", "members", in.ChairMemberID}}
	if err := s.checked(ctx, in, refs...); err != nil {
		return Meeting{}, err
	}
	in.Mode = orDefault(in.Mode, ModeMeeting)
	sql, args := writeSQL(id, `INSERT INTO meetings AS m (body_id, title, code, mode,
			planned_start, planned_end, started_at, ended_at, chair_member_id,
			minutes_written_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		`UPDATE meetings AS m SET body_id = $1, title = $2, code = $3, mode = $4,
			planned_start = $5, planned_end = $6, started_at = $7, ended_at = $8,
			chair_member_id = $9, minutes_written_at = $10`, meetingColumns,
		in.BodyID, in.Title, nullIfEmpty(in.Code), in.Mode, in.PlannedStart, in.PlannedEnd,
		in.StartedAt, in.EndedAt, in.ChairMemberID, in.MinutesWrittenAt)
	m, err := scanMeeting(q.QueryRow(ctx, sql, args...))
	if err != nil {
		return Meeting{}, s.explain(ctx, err, refs...)
	}
	return m, nil
}

// GetMeeting returns meeting id, or ErrNotFound.
func (s *Store) GetMeeting(ctx context.Context, id int64) (Meeting, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings m WHERE m.id = $1`, id)
	m, err := scanMeeting(row)
	if err != nil {
		return Meeting{}, fmt.Errorf("get meeting %d: %w", id, notFound(err))
	}
	return m, nil
}

// MeetingExists reports whether meeting id exists.
func (s *Store) MeetingExists(ctx context.Context, id int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meetings WHERE id = $1)`, id).
		Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check meeting %d: %w", id, err)
	}
	return ok, nil
}

// ListMeetings returns a page of the meetings that match f, by id.
func (s *Store) ListMeetings(ctx context.Context, f MeetingFilter, p Page) (List[Meeting], error) {
	if err := p.check(); err != nil {
		return List[Meeting]{}, fmt.Errorf("list meetings: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+meetingColumns+` FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id
		WHERE ($1::bigint IS NULL OR m.id = $1)
		  AND ($2::bigint IS NULL OR m.body_id = $2)
		  AND ($3::bigint IS NULL OR b.org_unit_id = $3)
		  AND ($4::timestamptz IS NULL OR m.planned_start >= $4)
		  AND ($5::timestamptz IS NULL OR m.planned_start < $5)
		  AND ($6::text IS NULL OR m.code = $6) AND ($7::text IS NULL OR m.mode = $7)
		ORDER BY m.id LIMIT $8 OFFSET $9`, f.ID, f.BodyID, f.OrgUnitID, f.PlannedFrom,
		f.PlannedTo, f.Code, f.Mode, limit, offset)
	if err != nil {
		return List[Meeting]{}, fmt.Errorf("list meetings: %w", err)
	}
	meetings, err := collect(rows, scanMeeting)
	if err != nil {
		return List[Meeting]{}, fmt.Errorf("list meetings: %w", err)
	}
	return cut(meetings, p), nil
}

// GetMeetingDetail returns meeting id with its body, its agenda items (with
// their index points) and its recordings (with their tracks).
func (s *Store) GetMeetingDetail(ctx context.Context, id int64) (MeetingDetail, error) {
	var d MeetingDetail
	row := s.pool.QueryRow(ctx, `
		SELECT `+meetingColumns+`, `+prefixed("b", bodyColumns)+`
		FROM meetings m JOIN meeting_bodies b ON b.id = m.body_id WHERE m.id = $1`, id)
	err := row.Scan(append(d.Meeting.dest(), &d.Body.ID, &d.Body.OrgUnitID, &d.Body.Code,
		&d.Body.Name, &d.Body.Kind, &d.Body.CreatedAt)...)
	if err != nil {
		return MeetingDetail{}, fmt.Errorf("get meeting %d: %w", id, notFound(err))
	}
	if d.AgendaItems, err = s.agendaOf(ctx, id); err != nil {
		return MeetingDetail{}, fmt.Errorf("get meeting %d: %w", id, err)
	}
	if d.Recordings, err = s.recordingsOf(ctx, id); err != nil {
		return MeetingDetail{}, fmt.Errorf("get meeting %d: %w", id, err)
	}
	return d, nil
}

package agenda

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// MeetingInput is a new meeting.
type MeetingInput struct {
	BodyID       int64     `json:"body_id"`
	Title        string    `json:"title"`
	PlannedStart time.Time `json:"planned_start"`
}

func (in MeetingInput) check() error {
	var fe fieldErrors
	fe.checkID("body_id", in.BodyID)
	fe.checkText("title", in.Title, maxName, false)
	if in.PlannedStart.IsZero() {
		fe.add("planned_start", requiredText)
	}
	return fe.err()
}

// MeetingFilter narrows a listing of meetings; nil fields match all. The
// planned start range includes From and excludes To.
type MeetingFilter struct {
	ID          *int64
	BodyID      *int64
	OrgUnitID   *int64
	PlannedFrom *time.Time
	PlannedTo   *time.Time
}

const meetingColumns = `m.id, m.body_id, m.title, m.planned_start, m.started_at,
	m.ended_at, m.created_at`

func scanMeeting(row pgx.Row) (Meeting, error) {
	var m Meeting
	err := row.Scan(&m.ID, &m.BodyID, &m.Title, &m.PlannedStart, &m.StartedAt,
		&m.EndedAt, &m.CreatedAt)
	return m, err
}

// CreateMeeting adds a planned meeting.
func (s *Store) CreateMeeting(ctx context.Context, in MeetingInput) (Meeting, error) {
	if err := in.check(); err != nil {
		return Meeting{}, fmt.Errorf("create meeting: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO meetings AS m (body_id, title, planned_start) VALUES ($1, $2, $3)
		RETURNING `+meetingColumns, in.BodyID, in.Title, in.PlannedStart)
	m, err := scanMeeting(row)
	if err != nil {
		return Meeting{}, fmt.Errorf("create meeting: %w", translate(err))
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
		ORDER BY m.id LIMIT $6 OFFSET $7`,
		f.ID, f.BodyID, f.OrgUnitID, f.PlannedFrom, f.PlannedTo, limit, offset)
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
	err := row.Scan(&d.ID, &d.BodyID, &d.Title, &d.PlannedStart, &d.StartedAt,
		&d.EndedAt, &d.Meeting.CreatedAt,
		&d.Body.ID, &d.Body.OrgUnitID, &d.Body.Code, &d.Body.Name, &d.Body.Kind,
		&d.Body.CreatedAt)
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

// AgendaItemInput is a new agenda item of MeetingID.
type AgendaItemInput struct {
	MeetingID int64 `json:"-"`
	// Seq is the item's place on the agenda; 0 puts it after the last.
	Seq      int    `json:"seq"`
	Title    string `json:"title"`
	MatterID *int64 `json:"matter_id"`
}

// maxSeq bounds agenda item numbers well inside PostgreSQL's integer.
const maxSeq = 9999

func (in AgendaItemInput) check() error {
	var fe fieldErrors
	fe.checkID("meeting_id", in.MeetingID)
	if in.Seq < 0 || in.Seq > maxSeq {
		fe.add("seq", fmt.Sprintf("must be between 1 and %d, or left out to append", maxSeq))
	}
	fe.checkText("title", in.Title, maxName, false)
	fe.checkOptionalID("matter_id", in.MatterID)
	return fe.err()
}

const agendaItemColumns = `ai.id, ai.meeting_id, ai.seq, ai.title, ai.matter_id, ai.created_at`

func scanAgendaItem(row pgx.Row) (AgendaItem, error) {
	var it AgendaItem
	err := row.Scan(&it.ID, &it.MeetingID, &it.Seq, &it.Title, &it.MatterID, &it.CreatedAt)
	it.IndexPoints = []IndexPoint{}
	return it, err
}

// CreateAgendaItem adds an item to a meeting's agenda. An unknown meeting is
// ErrNotFound, an unknown matter a *ValidationError and a taken seq a
// *ConflictError.
func (s *Store) CreateAgendaItem(ctx context.Context, in AgendaItemInput) (AgendaItem, error) {
	if err := in.check(); err != nil {
		return AgendaItem{}, fmt.Errorf("create agenda item: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO agenda_items AS ai (meeting_id, seq, title, matter_id)
		SELECT m.id, COALESCE(NULLIF($2::int, 0),
			(SELECT COALESCE(max(seq), 0) + 1 FROM agenda_items WHERE meeting_id = m.id)),
			$3, $4
		FROM meetings m WHERE m.id = $1
		RETURNING `+agendaItemColumns, in.MeetingID, in.Seq, in.Title, in.MatterID)
	it, err := scanAgendaItem(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return AgendaItem{}, fmt.Errorf("create agenda item: meeting %d: %w",
			in.MeetingID, ErrNotFound)
	}
	if err != nil {
		return AgendaItem{}, fmt.Errorf("create agenda item: %w", translate(err))
	}
	return it, nil
}

// GetAgendaItem returns agenda item id with its index points, or
// ErrNotFound.
func (s *Store) GetAgendaItem(ctx context.Context, id int64) (AgendaItem, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+agendaItemColumns+` FROM agenda_items ai
		WHERE ai.id = $1`, id)
	it, err := scanAgendaItem(row)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("get agenda item %d: %w", id, notFound(err))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+indexPointColumns+` FROM index_points ip
		WHERE ip.agenda_item_id = $1 ORDER BY ip.start_ms, ip.id`, id)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("get agenda item %d: %w", id, err)
	}
	points, err := collect(rows, scanIndexPoint)
	if err != nil {
		return AgendaItem{}, fmt.Errorf("get agenda item %d: %w", id, err)
	}
	it.IndexPoints = append(it.IndexPoints, points...)
	return it, nil
}

// ListAgendaItems returns the agenda of meeting id in order, each item with
// its index points; an unknown meeting is ErrNotFound.
func (s *Store) ListAgendaItems(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	ok, err := s.MeetingExists(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list agenda items: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("list agenda items: meeting %d: %w", meetingID, ErrNotFound)
	}
	items, err := s.agendaOf(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list agenda items: %w", err)
	}
	return items, nil
}

// agendaOf loads a meeting's items and then all their index points at once.
func (s *Store) agendaOf(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+agendaItemColumns+` FROM agenda_items ai
		WHERE ai.meeting_id = $1 ORDER BY ai.seq`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("load agenda: %w", err)
	}
	items, err := collect(rows, scanAgendaItem)
	if err != nil {
		return nil, fmt.Errorf("load agenda: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT `+indexPointColumns+`
		FROM index_points ip JOIN agenda_items ai ON ai.id = ip.agenda_item_id
		WHERE ai.meeting_id = $1 ORDER BY ip.start_ms, ip.id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("load index points: %w", err)
	}
	points, err := collect(rows, scanIndexPoint)
	if err != nil {
		return nil, fmt.Errorf("load index points: %w", err)
	}
	byItem := make(map[int64]int, len(items))
	for i, it := range items {
		byItem[it.ID] = i
	}
	for _, p := range points {
		i := byItem[p.AgendaItemID]
		items[i].IndexPoints = append(items[i].IndexPoints, p)
	}
	return items, nil
}

package agenda

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AgendaItemInput is a new agenda item of MeetingID, or one as an update
// leaves it; an update does not move an item to another meeting.
type AgendaItemInput struct {
	MeetingID int64 `json:"-"`
	// Seq is the item's place on the agenda; 0 puts a new item after the
	// last.
	Seq       int    `json:"seq"`
	Title     string `json:"title"`
	MatterID  *int64 `json:"matter_id"`
	Presenter string `json:"presenter"`
	// Outcome and the votes are as the minutes give them; nil when not kept.
	Outcome      *Outcome `json:"outcome"`
	VotesFor     *int     `json:"votes_for"`
	VotesAgainst *int     `json:"votes_against"`
	VotesAbstain *int     `json:"votes_abstain"`
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
	fe.checkText("presenter", in.Presenter, maxName, true)
	if in.Outcome != nil && !in.Outcome.Valid() {
		fe.add("outcome", "must be null (not kept) or one of: "+joinValues(Outcomes))
	}
	fe.checkCount("votes_for", in.VotesFor)
	fe.checkCount("votes_against", in.VotesAgainst)
	fe.checkCount("votes_abstain", in.VotesAbstain)
	return fe.err()
}

func (it AgendaItem) input() AgendaItemInput {
	return AgendaItemInput{MeetingID: it.MeetingID, Seq: it.Seq, Title: it.Title,
		MatterID: it.MatterID, Presenter: it.Presenter, Outcome: it.Outcome,
		VotesFor: it.VotesFor, VotesAgainst: it.VotesAgainst, VotesAbstain: it.VotesAbstain}
}

// AgendaItemFilter narrows a listing of agenda items; nil fields match all.
// OrgUnitID matches the unit of the meeting's body; the range is of the
// meeting's planned start, From included and To excluded.
type AgendaItemFilter struct {
	MeetingID   *int64 // set for a publish token, which reads its meeting only
	MatterID    *int64
	OrgUnitID   *int64
	PlannedFrom *time.Time
	PlannedTo   *time.Time
	Outcome     *Outcome
}

const agendaItemColumns = `ai.id, ai.meeting_id, ai.seq, ai.title, ai.matter_id,
	ai.presenter, ai.outcome, ai.votes_for, ai.votes_against, ai.votes_abstain, ai.created_at`

func scanAgendaItem(row pgx.Row) (AgendaItem, error) {
	var it AgendaItem
	err := row.Scan(&it.ID, &it.MeetingID, &it.Seq, &it.Title, &it.MatterID, &it.Presenter,
		&it.Outcome, &it.VotesFor, &it.VotesAgainst, &it.VotesAbstain, &it.CreatedAt)
	it.IndexPoints = []IndexPoint{}
	return it, err
}

// CreateAgendaItem adds an item to a meeting's agenda. An unknown meeting is
// ErrNotFound, an unknown matter a *ValidationError and a taken seq a
// *ConflictError.
func (s *Store) CreateAgendaItem(ctx context.Context, in AgendaItemInput) (AgendaItem, error) {
	if err := s.checked(ctx, in, ref{"matter_id", "matters", in.MatterID}); err != nil {
		return AgendaItem{}, fmt.Errorf("create agenda item: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO agenda_items AS ai (meeting_id, seq, title, matter_id, presenter,
			outcome, votes_for, votes_against, votes_abstain)
		SELECT m.id, COALESCE(NULLIF($2::int, 0),
			(SELECT COALESCE(max(seq), 0) + 1 FROM agenda_items WHERE meeting_id = m.id)),
			$3, $4, $5, $6, $7, $8, $9
		FROM meetings m WHERE m.id = $1
		RETURNING `+agendaItemColumns, in.MeetingID, in.Seq, in.Title, in.MatterID,
		in.Presenter, in.Outcome, in.VotesFor, in.VotesAgainst, in.VotesAbstain)
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

// UpdateAgendaItem changes agenda item id as patch says. Its seq must stay
// a place from 1 on, free on the agenda.
func (s *Store) UpdateAgendaItem(ctx context.Context, id int64,
	patch Patch[AgendaItemInput]) (AgendaItem, error) {
	load := func(tx pgx.Tx) (AgendaItemInput, error) {
		it, err := scanAgendaItem(tx.QueryRow(ctx, `SELECT `+agendaItemColumns+`
			FROM agenda_items ai WHERE ai.id = $1 FOR NO KEY UPDATE`, id))
		return it.input(), err
	}
	it, err := update(ctx, s, load, patch,
		func(tx pgx.Tx, in AgendaItemInput) (AgendaItem, error) {
			return s.saveAgendaItem(ctx, tx, id, in)
		})
	if err != nil {
		return AgendaItem{}, fmt.Errorf("update agenda item %d: %w", id, err)
	}
	return s.withIndexPoints(ctx, it)
}

func (s *Store) saveAgendaItem(ctx context.Context, tx pgx.Tx, id int64,
	in AgendaItemInput) (AgendaItem, error) {
	matter := ref{"matter_id", "matters", in.MatterID}
	if err := s.checked(ctx, itemChange(in), matter); err != nil {
		return AgendaItem{}, err
	}
	it, err := scanAgendaItem(tx.QueryRow(ctx, `
		UPDATE agenda_items AS ai SET seq = $2, title = $3, matter_id = $4, presenter = $5,
			outcome = $6, votes_for = $7, votes_against = $8, votes_abstain = $9
		WHERE ai.id = $1 RETURNING `+agendaItemColumns, id, in.Seq, in.Title, in.MatterID,
		in.Presenter, in.Outcome, in.VotesFor, in.VotesAgainst, in.VotesAbstain))
	if err != nil {
		return AgendaItem{}, s.explain(ctx, err, matter)
	}
	return it, nil
}

// itemChange is an agenda item as an update leaves it, which must keep a
// place on the agenda.
type itemChange AgendaItemInput

func (in itemChange) check() error {
	err := AgendaItemInput(in).check()
	if in.Seq != 0 {
		return err
	}
	var fe fieldErrors
	var ve *ValidationError
	if errors.As(err, &ve) {
		fe = ve.Fields
	}
	fe.add("seq", fmt.Sprintf("must be between 1 and %d: an item keeps a place", maxSeq))
	return fe.err()
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
	return s.withIndexPoints(ctx, it)
}

// AgendaItemMeeting returns the meeting of agenda item id, or ErrNotFound.
func (s *Store) AgendaItemMeeting(ctx context.Context, id int64) (int64, error) {
	var meeting int64
	err := s.pool.QueryRow(ctx, `SELECT meeting_id FROM agenda_items WHERE id = $1`, id).
		Scan(&meeting)
	if err != nil {
		return 0, fmt.Errorf("get agenda item %d: %w", id, notFound(err))
	}
	return meeting, nil
}

func (s *Store) withIndexPoints(ctx context.Context, it AgendaItem) (AgendaItem, error) {
	items := []AgendaItem{it}
	if err := s.attachIndexPoints(ctx, items); err != nil {
		return AgendaItem{}, fmt.Errorf("get agenda item %d: %w", it.ID, err)
	}
	return items[0], nil
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

// FindAgendaItems returns a page of the agenda items of every meeting that
// match f, by id, each with its index points.
func (s *Store) FindAgendaItems(ctx context.Context, f AgendaItemFilter, p Page) (
	List[AgendaItem], error) {
	if err := p.check(); err != nil {
		return List[AgendaItem]{}, fmt.Errorf("list agenda items: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+agendaItemColumns+` FROM agenda_items ai
		JOIN meetings m ON m.id = ai.meeting_id JOIN meeting_bodies b ON b.id = m.body_id
		WHERE ($1::bigint IS NULL OR ai.meeting_id = $1)
		  AND ($2::bigint IS NULL OR ai.matter_id = $2)
		  AND ($3::bigint IS NULL OR b.org_unit_id = $3)
		  AND ($4::timestamptz IS NULL OR m.planned_start >= $4)
		  AND ($5::timestamptz IS NULL OR m.planned_start < $5)
		  AND ($6::text IS NULL OR ai.outcome = $6)
		ORDER BY ai.id LIMIT $7 OFFSET $8`, f.MeetingID, f.MatterID, f.OrgUnitID,
		f.PlannedFrom, f.PlannedTo, f.Outcome, limit, offset)
	if err != nil {
		return List[AgendaItem]{}, fmt.Errorf("list agenda items: %w", err)
	}
	items, err := collect(rows, scanAgendaItem)
	if err != nil {
		return List[AgendaItem]{}, fmt.Errorf("list agenda items: %w", err)
	}
	l := cut(items, p)
	if err := s.attachIndexPoints(ctx, l.Items); err != nil {
		return List[AgendaItem]{}, fmt.Errorf("list agenda items: %w", err)
	}
	return l, nil
}

// agendaOf loads a meeting's items in order, with their index points.
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
	if err := s.attachIndexPoints(ctx, items); err != nil {
		return nil, err
	}
	return items, nil
}

// attachIndexPoints loads the index points of every item at once.
func (s *Store) attachIndexPoints(ctx context.Context, items []AgendaItem) error {
	byItem := make(map[int64]int, len(items))
	ids := make([]int64, len(items))
	for i, it := range items {
		byItem[it.ID], ids[i] = i, it.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+indexPointColumns+` FROM index_points ip
		WHERE ip.agenda_item_id = ANY($1) ORDER BY ip.start_ms, ip.id`, ids)
	if err != nil {
		return fmt.Errorf("load index points: %w", err)
	}
	points, err := collect(rows, scanIndexPoint)
	if err != nil {
		return fmt.Errorf("load index points: %w", err)
	}
	for _, p := range points {
		i := byItem[p.AgendaItemID]
		items[i].IndexPoints = append(items[i].IndexPoints, p)
	}
	return nil
}

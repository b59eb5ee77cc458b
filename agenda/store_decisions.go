package agenda

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DecisionInput is a new decision, or one as an update leaves it.
type DecisionInput struct {
	OrgUnitID    int64     `json:"org_unit_id"`
	MatterID     int64     `json:"matter_id"`
	Title        string    `json:"title"`
	Amount       *Amount   `json:"amount"`
	DecidedAt    time.Time `json:"decided_at"`
	AgendaItemID *int64    `json:"agenda_item_id"`
	// StageItemIDs replaces the decision's earlier-stage items (see
	// Decision); each must be an agenda item of a meeting of a body of
	// the decision's unit, other than AgendaItemID.
	StageItemIDs []int64 `json:"stage_item_ids"`
	Reference    string  `json:"reference"`
	Payee        string  `json:"payee"`
	Project      string  `json:"project"`
	// The later steps are dates as the office's records give them; they
	// are evidence, so none is refused for its order.
	RegisteredAt *time.Time `json:"registered_at"`
	ContractAt   *time.Time `json:"contract_at"`
	PaidAt       *time.Time `json:"paid_at"`
}

func (in DecisionInput) check() error {
	var fe fieldErrors
	fe.checkID("org_unit_id", in.OrgUnitID)
	fe.checkID("matter_id", in.MatterID)
	fe.checkText("title", in.Title, maxName, false)
	if in.Amount != nil && *in.Amount < 0 {
		fe.add("amount", "must not be negative")
	}
	if in.DecidedAt.IsZero() {
		fe.add("decided_at", requiredText)
	}
	fe.checkOptionalID("agenda_item_id", in.AgendaItemID)
	fe.checkStageIDs(in.StageItemIDs, in.AgendaItemID)
	fe.checkText("reference", in.Reference, maxName, true)
	fe.checkText("payee", in.Payee, maxName, true)
	fe.checkText("project", in.Project, maxName, true)
	times := map[string]*time.Time{"registered_at": in.RegisteredAt,
		"contract_at": in.ContractAt, "paid_at": in.PaidAt}
	if !in.DecidedAt.IsZero() {
		times["decided_at"] = &in.DecidedAt
	}
	fe.checkTimes(times)
	return fe.err()
}

func (d Decision) input() DecisionInput {
	return DecisionInput{OrgUnitID: d.OrgUnitID, MatterID: d.MatterID, Title: d.Title,
		Amount: d.Amount, DecidedAt: d.DecidedAt, AgendaItemID: d.AgendaItemID,
		StageItemIDs: d.StageItemIDs, Reference: d.Reference, Payee: d.Payee, Project: d.Project,
		RegisteredAt: d.RegisteredAt, ContractAt: d.ContractAt, PaidAt: d.PaidAt}
}

// DecisionFilter narrows a listing of decisions; nil fields match all. The
// decision date range includes From and excludes To.
type DecisionFilter struct {
	OrgUnitID    *int64
	MatterID     *int64
	MeetingID    *int64 // decisions linked to an item of this meeting
	AgendaItemID *int64
	Payee        *string
	Project      *string
	DecidedFrom  *time.Time
	DecidedTo    *time.Time
}

// decisionFields are the columns of a decision's own row; decisionColumns
// add its earlier-stage items.
const (
	decisionFields = `d.id, d.org_unit_id, d.matter_id, d.title, (d.amount * 100)::bigint,
	d.decided_at, d.agenda_item_id, d.reference, d.payee, d.project, d.registered_at,
	d.contract_at, d.paid_at, d.created_at`
	decisionColumns = decisionFields + `, ` + stageItemsColumn
)

// scanDecision scans decisionColumns.
func scanDecision(row pgx.Row) (Decision, error) {
	var d Decision
	err := d.scan(row, &d.StageItemIDs)
	return d, err
}

// scan reads decisionFields, and the columns after them into more.
func (d *Decision) scan(row pgx.Row, more ...any) error {
	var amount *int64
	err := row.Scan(append([]any{&d.ID, &d.OrgUnitID, &d.MatterID, &d.Title, &amount,
		&d.DecidedAt, &d.AgendaItemID, &d.Reference, &d.Payee, &d.Project, &d.RegisteredAt,
		&d.ContractAt, &d.PaidAt, &d.CreatedAt}, more...)...)
	d.Amount = amountPtr(amount)
	return err
}

// CreateDecision registers a decision. Unknown org unit, matter or agenda
// items, and earlier-stage items of another unit or listed twice, are
// reported together in a *ValidationError; a reference the unit has
// registered already is a *ConflictError.
func (s *Store) CreateDecision(ctx context.Context, in DecisionInput) (Decision, error) {
	d, err := create(ctx, s, in, func(tx pgx.Tx, in DecisionInput) (Decision, error) {
		return s.saveDecision(ctx, tx, 0, in)
	})
	if err != nil {
		return Decision{}, fmt.Errorf("create decision: %w", err)
	}
	return d, nil
}

// UpdateDecision changes decision id as patch says.
func (s *Store) UpdateDecision(ctx context.Context, id int64, patch Patch[DecisionInput]) (
	Decision, error) {
	load := func(tx pgx.Tx) (DecisionInput, error) {
		d, err := scanDecision(tx.QueryRow(ctx, `SELECT `+decisionColumns+` FROM decisions d
			WHERE d.id = $1 FOR NO KEY UPDATE`, id))
		return d.input(), err
	}
	d, err := update(ctx, s, load, patch, func(tx pgx.Tx, in DecisionInput) (Decision, error) {
		return s.saveDecision(ctx, tx, id, in)
	})
	if err != nil {
		return Decision{}, fmt.Errorf("update decision %d: %w", id, err)
	}
	return d, nil
}

// saveDecision writes decision id (0: a new one) and its earlier-stage
// items on tx.
func (s *Store) saveDecision(ctx context.Context, tx pgx.Tx, id int64, in DecisionInput) (
	Decision, error) {
	refs := []ref{{"org_unit_id", "org_units", &in.OrgUnitID},
		{"matter_id", "matters", &in.MatterID},
		{"agenda_item_id", "agenda_items", in.AgendaItemID}}
	if err := s.checkDecision(ctx, tx, in, refs); err != nil {
		return Decision{}, err
	}
	sql, args := writeSQL(id, `INSERT INTO decisions AS d (org_unit_id, matter_id, title,
			amount, decided_at, agenda_item_id, reference, payee, project, registered_at,
			contract_at, paid_at)
		VALUES ($1, $2, $3, $4::bigint / 100.0, $5, $6, $7, $8, $9, $10, $11, $12)`,
		`UPDATE decisions AS d SET org_unit_id = $1, matter_id = $2, title = $3,
			amount = $4::bigint / 100.0, decided_at = $5, agenda_item_id = $6,
			reference = $7, payee = $8, project = $9, registered_at = $10,
			contract_at = $11, paid_at = $12`, decisionFields,
		in.OrgUnitID, in.MatterID, in.Title, fenPtr(in.Amount), in.DecidedAt,
		in.AgendaItemID, in.Reference, in.Payee, in.Project, in.RegisteredAt, in.ContractAt,
		in.PaidAt)
	var d Decision
	if err := d.scan(tx.QueryRow(ctx, sql, args...)); err != nil {
		return Decision{}, s.explain(ctx, err, refs...)
	}
	if err := writeStages(ctx, tx, d.ID, in.StageItemIDs); err != nil {
		return Decision{}, err
	}
	var err error
	d.StageItemIDs, err = readStages(ctx, tx, d.ID)
	return d, err
}

// GetDecision returns decision id, or ErrNotFound.
func (s *Store) GetDecision(ctx context.Context, id int64) (Decision, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+decisionColumns+` FROM decisions d WHERE d.id = $1`, id)
	d, err := scanDecision(row)
	if err != nil {
		return Decision{}, fmt.Errorf("get decision %d: %w", id, notFound(err))
	}
	return d, nil
}

// LinkDecision links decision id to the agenda item that decided it, or
// unlinks it when agendaItemID is nil. An unknown decision is ErrNotFound;
// an unknown agenda item, or one the decision lists as an earlier stage,
// a *ValidationError.
func (s *Store) LinkDecision(ctx context.Context, id int64, agendaItemID *int64) (Decision, error) {
	d, err := s.UpdateDecision(ctx, id, func(in *DecisionInput) error {
		in.AgendaItemID = agendaItemID
		return nil
	})
	if err != nil {
		return Decision{}, fmt.Errorf("link decision %d: %w", id, err)
	}
	return d, nil
}

// ListDecisions returns a page of the decisions that match f, by id.
func (s *Store) ListDecisions(ctx context.Context, f DecisionFilter, p Page) (
	List[Decision], error) {
	if err := p.check(); err != nil {
		return List[Decision]{}, fmt.Errorf("list decisions: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+decisionColumns+` FROM decisions d
		LEFT JOIN agenda_items ai ON ai.id = d.agenda_item_id
		WHERE ($1::bigint IS NULL OR d.org_unit_id = $1)
		  AND ($2::bigint IS NULL OR d.matter_id = $2)
		  AND ($3::bigint IS NULL OR ai.meeting_id = $3)
		  AND ($4::timestamptz IS NULL OR d.decided_at >= $4)
		  AND ($5::timestamptz IS NULL OR d.decided_at < $5)
		  AND ($6::bigint IS NULL OR d.agenda_item_id = $6)
		  AND ($7::text IS NULL OR d.payee = $7) AND ($8::text IS NULL OR d.project = $8)
		ORDER BY d.id LIMIT $9 OFFSET $10`, f.OrgUnitID, f.MatterID, f.MeetingID,
		f.DecidedFrom, f.DecidedTo, f.AgendaItemID, f.Payee, f.Project, limit, offset)
	if err != nil {
		return List[Decision]{}, fmt.Errorf("list decisions: %w", err)
	}
	decisions, err := collect(rows, scanDecision)
	if err != nil {
		return List[Decision]{}, fmt.Errorf("list decisions: %w", err)
	}
	return cut(decisions, p), nil
}

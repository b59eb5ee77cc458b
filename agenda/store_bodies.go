package agenda

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// BodyInput is a new meeting body, or one as an update leaves it.
type BodyInput struct {
	OrgUnitID int64    `json:"org_unit_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Kind      BodyKind `json:"kind"`
}

func (in BodyInput) check() error {
	var fe fieldErrors
	fe.checkID("org_unit_id", in.OrgUnitID)
	fe.checkCode("code", in.Code)
	fe.checkText("name", in.Name, maxName, false)
	if !in.Kind.Valid() {
		fe.add("kind", "must be one of: "+joinValues(BodyKinds))
	}
	return fe.err()
}

func (b Body) input() BodyInput {
	return BodyInput{OrgUnitID: b.OrgUnitID, Code: b.Code, Name: b.Name, Kind: b.Kind}
}

// BodyFilter narrows a listing of meeting bodies; nil fields match all.
type BodyFilter struct {
	OrgUnitID *int64
	Kind      *BodyKind
	Code      *string
}

const bodyColumns = `id, org_unit_id, code, name, kind, created_at`

func scanBody(row pgx.Row) (Body, error) {
	var b Body
	err := row.Scan(&b.ID, &b.OrgUnitID, &b.Code, &b.Name, &b.Kind, &b.CreatedAt)
	return b, err
}

// CreateBody adds a meeting body.
func (s *Store) CreateBody(ctx context.Context, in BodyInput) (Body, error) {
	b, err := s.saveBody(ctx, s.pool, 0, in)
	if err != nil {
		return Body{}, fmt.Errorf("create meeting body: %w", err)
	}
	return b, nil
}

// UpdateBody changes meeting body id as patch says. Moving it to another
// unit is a *ConflictError while decisions of its unit list items of its
// meetings as earlier stages (see UpdateMeeting).
func (s *Store) UpdateBody(ctx context.Context, id int64, patch Patch[BodyInput]) (Body, error) {
	var unit int64 // the body's unit before the update
	load := func(tx pgx.Tx) (BodyInput, error) {
		b, err := scanBody(tx.QueryRow(ctx, `SELECT `+bodyColumns+` FROM meeting_bodies
			WHERE id = $1 FOR NO KEY UPDATE`, id))
		unit = b.OrgUnitID
		return b.input(), err
	}
	b, err := update(ctx, s, load, patch, func(tx pgx.Tx, in BodyInput) (Body, error) {
		b, err := s.saveBody(ctx, tx, id, in)
		if err != nil || b.OrgUnitID == unit {
			return b, err
		}
		return b, refuseBrokenStages(ctx, tx, StageScope{Bodies: []int64{id}}, stageMove{
			field: "org_unit_id", what: "the body", items: "agenda items of its meetings",
			instead: "keep the body in their unit"})
	})
	if err != nil {
		return Body{}, fmt.Errorf("update meeting body %d: %w", id, err)
	}
	return b, nil
}

func (s *Store) saveBody(ctx context.Context, q querier, id int64, in BodyInput) (Body, error) {
	unit := ref{"org_unit_id", "org_units", &in.OrgUnitID}
	if err := s.checked(ctx, in, unit); err != nil {
		return Body{}, err
	}
	sql, args := writeSQL(id, `INSERT INTO meeting_bodies (org_unit_id, code, name, kind)
		VALUES ($1, $2, $3, $4)`, `UPDATE meeting_bodies SET org_unit_id = $1, code = $2,
		name = $3, kind = $4`, bodyColumns, in.OrgUnitID, in.Code, in.Name, in.Kind)
	b, err := scanBody(q.QueryRow(ctx, sql, args...))
	if err != nil {
		return Body{}, s.explain(ctx, err, unit)
	}
	return b, nil
}

// GetBody returns meeting body id, or ErrNotFound.
func (s *Store) GetBody(ctx context.Context, id int64) (Body, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+bodyColumns+` FROM meeting_bodies WHERE id = $1`, id)
	b, err := scanBody(row)
	if err != nil {
		return Body{}, fmt.Errorf("get meeting body %d: %w", id, notFound(err))
	}
	return b, nil
}

// ListBodies returns a page of the meeting bodies that match f, by id.
func (s *Store) ListBodies(ctx context.Context, f BodyFilter, p Page) (List[Body], error) {
	if err := p.check(); err != nil {
		return List[Body]{}, fmt.Errorf("list meeting bodies: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+bodyColumns+` FROM meeting_bodies
		WHERE ($1::bigint IS NULL OR org_unit_id = $1) AND ($2::text IS NULL OR kind = $2)
		  AND ($3::text IS NULL OR code = $3)
		ORDER BY id LIMIT $4 OFFSET $5`, f.OrgUnitID, f.Kind, f.Code, limit, offset)
	if err != nil {
		return List[Body]{}, fmt.Errorf("list meeting bodies: %w", err)
	}
	bodies, err := collect(rows, scanBody)
	if err != nil {
		return List[Body]{}, fmt.Errorf("list meeting bodies: %w", err)
	}
	return cut(bodies, p), nil
}

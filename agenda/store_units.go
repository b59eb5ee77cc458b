package agenda

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OrgUnitInput is a new org unit.
type OrgUnitInput struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Level    Level  `json:"level"`
	ParentID *int64 `json:"parent_id"`
}

func (in OrgUnitInput) check() error {
	var fe fieldErrors
	fe.checkCode("code", in.Code)
	fe.checkText("name", in.Name, maxName, false)
	if !in.Level.Valid() {
		fe.add("level", "must be one of: "+joinValues(Levels))
	}
	fe.checkOptionalID("parent_id", in.ParentID)
	return fe.err()
}

// OrgUnitFilter narrows a listing of org units; nil fields match all.
type OrgUnitFilter struct {
	ParentID *int64
	Level    *Level
}

const orgUnitColumns = `id, code, name, level, parent_id, created_at`

func scanOrgUnit(row pgx.Row) (OrgUnit, error) {
	var u OrgUnit
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Level, &u.ParentID, &u.CreatedAt)
	return u, err
}

// CreateOrgUnit adds an org unit. A taken code is a *ConflictError, an
// unknown parent a *ValidationError.
func (s *Store) CreateOrgUnit(ctx context.Context, in OrgUnitInput) (OrgUnit, error) {
	if err := in.check(); err != nil {
		return OrgUnit{}, fmt.Errorf("create org unit: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO org_units (code, name, level, parent_id) VALUES ($1, $2, $3, $4)
		RETURNING `+orgUnitColumns, in.Code, in.Name, in.Level, in.ParentID)
	u, err := scanOrgUnit(row)
	if err != nil {
		return OrgUnit{}, fmt.Errorf("create org unit: %w", translate(err))
	}
	return u, nil
}

// GetOrgUnit returns org unit id, or ErrNotFound.
func (s *Store) GetOrgUnit(ctx context.Context, id int64) (OrgUnit, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units WHERE id = $1`, id)
	u, err := scanOrgUnit(row)
	if err != nil {
		return OrgUnit{}, fmt.Errorf("get org unit %d: %w", id, notFound(err))
	}
	return u, nil
}

// ListOrgUnits returns a page of the org units that match f, by id.
func (s *Store) ListOrgUnits(ctx context.Context, f OrgUnitFilter, p Page) (List[OrgUnit], error) {
	if err := p.check(); err != nil {
		return List[OrgUnit]{}, fmt.Errorf("list org units: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+orgUnitColumns+` FROM org_units
		WHERE ($1::bigint IS NULL OR parent_id = $1) AND ($2::text IS NULL OR level = $2)
		ORDER BY id LIMIT $3 OFFSET $4`, f.ParentID, f.Level, limit, offset)
	if err != nil {
		return List[OrgUnit]{}, fmt.Errorf("list org units: %w", err)
	}
	units, err := collect(rows, scanOrgUnit)
	if err != nil {
		return List[OrgUnit]{}, fmt.Errorf("list org units: %w", err)
	}
	return cut(units, p), nil
}

// BodyInput is a new meeting body.
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

// BodyFilter narrows a listing of meeting bodies; nil fields match all.
type BodyFilter struct {
	OrgUnitID *int64
	Kind      *BodyKind
}

const bodyColumns = `id, org_unit_id, code, name, kind, created_at`

func scanBody(row pgx.Row) (Body, error) {
	var b Body
	err := row.Scan(&b.ID, &b.OrgUnitID, &b.Code, &b.Name, &b.Kind, &b.CreatedAt)
	return b, err
}

// CreateBody adds a meeting body.
func (s *Store) CreateBody(ctx context.Context, in BodyInput) (Body, error) {
	if err := in.check(); err != nil {
		return Body{}, fmt.Errorf("create meeting body: %w", err)
	}
	row := s.pool.QueryRow(ctx, `
		INSERT INTO meeting_bodies (org_unit_id, code, name, kind) VALUES ($1, $2, $3, $4)
		RETURNING `+bodyColumns, in.OrgUnitID, in.Code, in.Name, in.Kind)
	b, err := scanBody(row)
	if err != nil {
		return Body{}, fmt.Errorf("create meeting body: %w", translate(err))
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
		ORDER BY id LIMIT $3 OFFSET $4`, f.OrgUnitID, f.Kind, limit, offset)
	if err != nil {
		return List[Body]{}, fmt.Errorf("list meeting bodies: %w", err)
	}
	bodies, err := collect(rows, scanBody)
	if err != nil {
		return List[Body]{}, fmt.Errorf("list meeting bodies: %w", err)
	}
	return cut(bodies, p), nil
}

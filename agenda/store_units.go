package agenda

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OrgUnitInput is a new org unit, or one as an update leaves it.
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

func (u OrgUnit) input() OrgUnitInput {
	return OrgUnitInput{Code: u.Code, Name: u.Name, Level: u.Level, ParentID: u.ParentID}
}

// parentLevels is the hierarchy of org units: the level a unit's parent
// must have. A county has no parent; a township or a department sits under
// a county, a village under a township. The parent may be left out, for a
// unit whose superiors Liuhen does not keep.
var parentLevels = map[Level]Level{
	LevelTownship:   LevelCounty,
	LevelDepartment: LevelCounty,
	LevelVillage:    LevelTownship,
}

// childLevels lists the levels that may sit under a unit of each level.
func childLevels(l Level) []string {
	levels := []string{} // never NULL in SQL
	for _, child := range Levels {
		if parentLevels[child] == l {
			levels = append(levels, string(child))
		}
	}
	return levels
}

// OrgUnitFilter narrows a listing of org units; nil fields match all.
type OrgUnitFilter struct {
	ParentID *int64
	Level    *Level
	Code     *string
}

const orgUnitColumns = `id, code, name, level, parent_id, created_at`

func scanOrgUnit(row pgx.Row) (OrgUnit, error) {
	var u OrgUnit
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Level, &u.ParentID, &u.CreatedAt)
	return u, err
}

// CreateOrgUnit adds an org unit. A taken code is a *ConflictError; an
// unknown parent, or one of the wrong level, a *ValidationError.
func (s *Store) CreateOrgUnit(ctx context.Context, in OrgUnitInput) (OrgUnit, error) {
	u, err := create(ctx, s, in, func(tx pgx.Tx, in OrgUnitInput) (OrgUnit, error) {
		return s.saveOrgUnit(ctx, tx, 0, in)
	})
	if err != nil {
		return OrgUnit{}, fmt.Errorf("create org unit: %w", err)
	}
	return u, nil
}

// UpdateOrgUnit changes org unit id as patch says. Besides the checks of
// CreateOrgUnit, a new level must still fit the unit's sub-units.
func (s *Store) UpdateOrgUnit(ctx context.Context, id int64, patch Patch[OrgUnitInput]) (
	OrgUnit, error) {
	load := func(tx pgx.Tx) (OrgUnitInput, error) {
		u, err := scanOrgUnit(tx.QueryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units
			WHERE id = $1 FOR NO KEY UPDATE`, id))
		return u.input(), err
	}
	u, err := update(ctx, s, load, patch, func(tx pgx.Tx, in OrgUnitInput) (OrgUnit, error) {
		return s.saveOrgUnit(ctx, tx, id, in)
	})
	if err != nil {
		return OrgUnit{}, fmt.Errorf("update org unit %d: %w", id, err)
	}
	return u, nil
}

// saveOrgUnit checks in and inserts it (id 0) or writes it over unit id.
func (s *Store) saveOrgUnit(ctx context.Context, tx pgx.Tx, id int64, in OrgUnitInput) (
	OrgUnit, error) {
	if err := in.check(); err != nil {
		return OrgUnit{}, err
	}
	fe, err := checkHierarchy(ctx, tx, id, in)
	if err != nil {
		return OrgUnit{}, err
	}
	if err := fe.err(); err != nil {
		return OrgUnit{}, err
	}
	sql, args := writeSQL(id, `INSERT INTO org_units (code, name, level, parent_id)
		VALUES ($1, $2, $3, $4)`, `UPDATE org_units SET code = $1, name = $2, level = $3,
		parent_id = $4`, orgUnitColumns, in.Code, in.Name, in.Level, in.ParentID)
	u, err := scanOrgUnit(tx.QueryRow(ctx, sql, args...))
	if err != nil {
		return OrgUnit{}, translate(err)
	}
	return u, nil
}

// checkHierarchy reports a parent of the wrong level and, for an existing
// unit id, sub-units that its level no longer admits. It locks the parent,
// so that the parent's level cannot change before the write commits.
func checkHierarchy(ctx context.Context, q querier, id int64, in OrgUnitInput) (
	fieldErrors, error) {
	var fe fieldErrors
	want, hasParent := parentLevels[in.Level]
	switch {
	case in.ParentID == nil:
	case id != 0 && *in.ParentID == id:
		fe.add("parent_id", "must not be the org unit itself")
	case !hasParent:
		fe.add("parent_id", fmt.Sprintf("must be null: a %s has no parent org unit", in.Level))
	default:
		var got Level
		err := q.QueryRow(ctx, `SELECT level FROM org_units WHERE id = $1 FOR SHARE`,
			*in.ParentID).Scan(&got)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			fe.add("parent_id", missingReason("parent_id"))
		case err != nil:
			return nil, fmt.Errorf("read parent org unit: %w", err)
		case got != want:
			fe.add("parent_id", fmt.Sprintf("must be a %s: a %s sits under a %s, "+
				"but org unit %d is a %s", want, in.Level, want, *in.ParentID, got))
		}
	}
	if id == 0 {
		return fe, nil
	}
	var child *Level
	err := q.QueryRow(ctx, `SELECT level FROM org_units
		WHERE parent_id = $1 AND NOT (level = ANY($2)) LIMIT 1`, id, childLevels(in.Level)).
		Scan(&child)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("read sub-units: %w", err)
	default:
		fe.add("level", fmt.Sprintf("cannot be %s: org unit %d holds %s units, "+
			"which cannot sit under a %s", in.Level, id, *child, in.Level))
	}
	return fe, nil
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
		  AND ($3::text IS NULL OR code = $3)
		ORDER BY id LIMIT $4 OFFSET $5`, f.ParentID, f.Level, f.Code, limit, offset)
	if err != nil {
		return List[OrgUnit]{}, fmt.Errorf("list org units: %w", err)
	}
	units, err := collect(rows, scanOrgUnit)
	if err != nil {
		return List[OrgUnit]{}, fmt.Errorf("list org units: %w", err)
	}
	return cut(units, p), nil
}

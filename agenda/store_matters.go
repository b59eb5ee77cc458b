package agenda

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// MatterInput is a new matter of a procedure list.
type MatterInput struct {
	OrgUnitID        int64     `json:"org_unit_id"`
	Code             string    `json:"code"`
	Name             string    `json:"name"`
	Category         Category  `json:"category"`
	RequiredBodyKind *BodyKind `json:"required_body_kind"`
	AmountThreshold  *Amount   `json:"amount_threshold"`
	// MustRecord defaults to true when nil.
	MustRecord *bool  `json:"must_record"`
	LegalBasis string `json:"legal_basis"`
}

func (in MatterInput) check() error {
	var fe fieldErrors
	fe.checkID("org_unit_id", in.OrgUnitID)
	fe.checkCode("code", in.Code)
	fe.checkText("name", in.Name, maxName, false)
	if !in.Category.Valid() {
		fe.add("category", "must be one of: "+joinValues(Categories))
	}
	if in.RequiredBodyKind != nil && !in.RequiredBodyKind.Valid() {
		fe.add("required_body_kind",
			"must be null (no meeting needed) or one of: "+joinValues(BodyKinds))
	}
	if in.AmountThreshold != nil && *in.AmountThreshold < 0 {
		fe.add("amount_threshold", "must not be negative")
	}
	if in.AmountThreshold != nil && in.RequiredBodyKind == nil {
		fe.add("amount_threshold", "needs required_body_kind: "+
			"a threshold says when the meeting is required")
	}
	fe.checkText("legal_basis", in.LegalBasis, maxLongText, true)
	return fe.err()
}

// MatterFilter narrows a listing of matters; nil fields match all.
type MatterFilter struct {
	OrgUnitID *int64
	Category  *Category
}

const matterColumns = `id, org_unit_id, code, name, category, required_body_kind,
	(amount_threshold * 100)::bigint, must_record, legal_basis, created_at`

func scanMatter(row pgx.Row) (Matter, error) {
	var m Matter
	var threshold *int64
	err := row.Scan(&m.ID, &m.OrgUnitID, &m.Code, &m.Name, &m.Category,
		&m.RequiredBodyKind, &threshold, &m.MustRecord, &m.LegalBasis, &m.CreatedAt)
	m.AmountThreshold = amountPtr(threshold)
	return m, err
}

func amountPtr(fen *int64) *Amount {
	if fen == nil {
		return nil
	}
	a := Amount(*fen)
	return &a
}

// fenPtr is the parameter for an amount: fen, or NULL. SQL divides by 100.
func fenPtr(a *Amount) *int64 {
	if a == nil {
		return nil
	}
	f := int64(*a)
	return &f
}

// CreateMatter adds a matter to a procedure list.
func (s *Store) CreateMatter(ctx context.Context, in MatterInput) (Matter, error) {
	if err := in.check(); err != nil {
		return Matter{}, fmt.Errorf("create matter: %w", err)
	}
	mustRecord := in.MustRecord == nil || *in.MustRecord
	row := s.pool.QueryRow(ctx, `
		INSERT INTO matters (org_unit_id, code, name, category, required_body_kind,
			amount_threshold, must_record, legal_basis)
		VALUES ($1, $2, $3, $4, $5, $6::bigint / 100.0, $7, $8)
		RETURNING `+matterColumns,
		in.OrgUnitID, in.Code, in.Name, in.Category, in.RequiredBodyKind,
		fenPtr(in.AmountThreshold), mustRecord, in.LegalBasis)
	m, err := scanMatter(row)
	if err != nil {
		return Matter{}, fmt.Errorf("create matter: %w", translate(err))
	}
	return m, nil
}

// GetMatter returns matter id, or ErrNotFound.
func (s *Store) GetMatter(ctx context.Context, id int64) (Matter, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+matterColumns+` FROM matters WHERE id = $1`, id)
	m, err := scanMatter(row)
	if err != nil {
		return Matter{}, fmt.Errorf("get matter %d: %w", id, notFound(err))
	}
	return m, nil
}

// ListMatters returns a page of the matters that match f, by id.
func (s *Store) ListMatters(ctx context.Context, f MatterFilter, p Page) (List[Matter], error) {
	if err := p.check(); err != nil {
		return List[Matter]{}, fmt.Errorf("list matters: %w", err)
	}
	limit, offset := p.query()
	rows, err := s.pool.Query(ctx, `
		SELECT `+matterColumns+` FROM matters
		WHERE ($1::bigint IS NULL OR org_unit_id = $1) AND ($2::text IS NULL OR category = $2)
		ORDER BY id LIMIT $3 OFFSET $4`, f.OrgUnitID, f.Category, limit, offset)
	if err != nil {
		return List[Matter]{}, fmt.Errorf("list matters: %w", err)
	}
	matters, err := collect(rows, scanMatter)
	if err != nil {
		return List[Matter]{}, fmt.Errorf("list matters: %w", err)
	}
	return cut(matters, p), nil
}

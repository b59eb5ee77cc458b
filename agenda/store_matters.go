package agenda

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MatterInput is a new matter of a procedure list, or one as an update
// leaves it. The fields left empty take the defaults the schema gives.
type MatterInput struct {
	OrgUnitID int64    `json:"org_unit_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Category  Category `json:"category"`
	// RequiredBodyKind and RequiredBodyKinds say the same when both are
	// given: the last kind of the list is the one whose meeting decides.
	// Either alone is enough; the other is derived from it.
	RequiredBodyKind  *BodyKind  `json:"required_body_kind"`
	RequiredBodyKinds []BodyKind `json:"required_body_kinds"`
	AmountThreshold   *Amount    `json:"amount_threshold"`
	// MustRecord defaults to true when nil.
	MustRecord *bool  `json:"must_record"`
	LegalBasis string `json:"legal_basis"`
	// MajorClass defaults to none, AmountBasis to single, SplitWindowDays
	// to 90, and both majorities to more_than_half.
	MajorClass       MajorClass  `json:"major_class"`
	AmountBasis      AmountBasis `json:"amount_basis"`
	SplitWindowDays  int         `json:"split_window_days"`
	QuorumRule       Majority    `json:"quorum_rule"`
	VoteRule         Majority    `json:"vote_rule"`
	LeaderSpeaksLast bool        `json:"leader_speaks_last"`
	RecusalApplies   bool        `json:"recusal_applies"`
}

// Bounds of a matter's rules.
const (
	defaultSplitWindow = 90
	maxSplitWindow     = 3660 // ten years
	maxBodyKinds       = 5
)

func (in MatterInput) check() error {
	var fe fieldErrors
	fe.checkID("org_unit_id", in.OrgUnitID)
	fe.checkCode("code", in.Code)
	fe.checkText("name", in.Name, maxName, false)
	if !in.Category.Valid() {
		fe.add("category", "must be one of: "+joinValues(Categories))
	}
	in.checkBodyKinds(&fe)
	if in.AmountThreshold != nil && *in.AmountThreshold < 0 {
		fe.add("amount_threshold", "must not be negative")
	}
	if in.AmountThreshold != nil && in.RequiredBodyKind == nil &&
		len(in.RequiredBodyKinds) == 0 {
		fe.add("amount_threshold", "needs required_body_kind: "+
			"a threshold says when the meeting is required")
	}
	fe.checkText("legal_basis", in.LegalBasis, maxLongText, true)
	checkEnum(&fe, "major_class", in.MajorClass, MajorClasses)
	checkEnum(&fe, "amount_basis", in.AmountBasis, AmountBases)
	if in.SplitWindowDays < 0 || in.SplitWindowDays > maxSplitWindow {
		fe.add("split_window_days", fmt.Sprintf("must be from 1 to %d, "+
			"or left out for %d", maxSplitWindow, defaultSplitWindow))
	}
	checkEnum(&fe, "quorum_rule", in.QuorumRule, Majorities)
	checkEnum(&fe, "vote_rule", in.VoteRule, Majorities)
	return fe.err()
}

// checkEnum reports a value that is neither "" (the default) nor valid.
func checkEnum[T ~string](fe *fieldErrors, field string, v T, valid []T) {
	if v != "" && !oneOf(v, valid) {
		fe.add(field, "must be one of: "+joinValues(valid))
	}
}

func (in MatterInput) checkBodyKinds(fe *fieldErrors) {
	kind, kinds := in.RequiredBodyKind, in.RequiredBodyKinds
	if kind != nil && !kind.Valid() {
		fe.add("required_body_kind",
			"must be null (no meeting needed) or one of: "+joinValues(BodyKinds))
	}
	seen := map[BodyKind]bool{}
	for i, k := range kinds {
		switch {
		case !k.Valid():
			fe.add("required_body_kinds", fmt.Sprintf("item %d (%q) must be one of: %s",
				i+1, k, joinValues(BodyKinds)))
			return
		case seen[k]:
			fe.add("required_body_kinds", fmt.Sprintf("lists %s twice", k))
			return
		}
		seen[k] = true
	}
	switch {
	case len(kinds) > maxBodyKinds:
		fe.add("required_body_kinds", fmt.Sprintf("must list at most %d kinds", maxBodyKinds))
	case kind != nil && len(kinds) > 0 && kinds[len(kinds)-1] != *kind:
		fe.add("required_body_kind", fmt.Sprintf("must be %s, the last of "+
			"required_body_kinds, or be left out", kinds[len(kinds)-1]))
	}
}

// normalized fills in the defaults and derives the body kind from the
// list, or the list from the kind.
func (in MatterInput) normalized() MatterInput {
	switch {
	case len(in.RequiredBodyKinds) == 0 && in.RequiredBodyKind != nil:
		in.RequiredBodyKinds = []BodyKind{*in.RequiredBodyKind}
	case len(in.RequiredBodyKinds) > 0 && in.RequiredBodyKind == nil:
		in.RequiredBodyKind = &in.RequiredBodyKinds[len(in.RequiredBodyKinds)-1]
	}
	if in.MustRecord == nil {
		in.MustRecord = new(true)
	}
	in.MajorClass = orDefault(in.MajorClass, MajorNone)
	in.AmountBasis = orDefault(in.AmountBasis, BasisSingle)
	in.QuorumRule = orDefault(in.QuorumRule, MoreThanHalf)
	in.VoteRule = orDefault(in.VoteRule, MoreThanHalf)
	if in.SplitWindowDays == 0 {
		in.SplitWindowDays = defaultSplitWindow
	}
	return in
}

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}

// beforePatch lets a patch that names only one of required_body_kind and
// required_body_kinds set both: the other is derived from it, so that
// setting required_body_kind alone makes the list that one kind.
func (in *MatterInput) beforePatch(present map[string]bool) {
	switch {
	case present["required_body_kinds"] && !present["required_body_kind"]:
		in.RequiredBodyKind = nil
	case present["required_body_kind"] && !present["required_body_kinds"]:
		in.RequiredBodyKinds = nil
	}
}

func (m Matter) input() MatterInput {
	return MatterInput{OrgUnitID: m.OrgUnitID, Code: m.Code, Name: m.Name,
		Category: m.Category, RequiredBodyKind: m.RequiredBodyKind,
		RequiredBodyKinds: m.RequiredBodyKinds, AmountThreshold: m.AmountThreshold,
		MustRecord: &m.MustRecord, LegalBasis: m.LegalBasis, MajorClass: m.MajorClass,
		AmountBasis: m.AmountBasis, SplitWindowDays: m.SplitWindowDays,
		QuorumRule: m.QuorumRule, VoteRule: m.VoteRule,
		LeaderSpeaksLast: m.LeaderSpeaksLast, RecusalApplies: m.RecusalApplies}
}

// MatterFilter narrows a listing of matters; nil fields match all.
// BodyKind matches the kind whose meeting decides.
type MatterFilter struct {
	OrgUnitID  *int64
	Category   *Category
	Code       *string
	MajorClass *MajorClass
	BodyKind   *BodyKind
}

const matterColumns = `id, org_unit_id, code, name, category, required_body_kind,
	(amount_threshold * 100)::bigint, must_record, legal_basis, major_class,
	required_body_kinds, amount_basis, split_window_days, quorum_rule, vote_rule,
	leader_speaks_last, recusal_applies, created_at`

func scanMatter(row pgx.Row) (Matter, error) {
	var m Matter
	var threshold *int64
	var kinds []string
	err := row.Scan(&m.ID, &m.OrgUnitID, &m.Code, &m.Name, &m.Category,
		&m.RequiredBodyKind, &threshold, &m.MustRecord, &m.LegalBasis, &m.MajorClass,
		&kinds, &m.AmountBasis, &m.SplitWindowDays, &m.QuorumRule, &m.VoteRule,
		&m.LeaderSpeaksLast, &m.RecusalApplies, &m.CreatedAt)
	m.AmountThreshold = amountPtr(threshold)
	m.RequiredBodyKinds = make([]BodyKind, len(kinds))
	for i, k := range kinds {
		m.RequiredBodyKinds[i] = BodyKind(k)
	}
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
	m, err := s.saveMatter(ctx, s.pool, 0, in)
	if err != nil {
		return Matter{}, fmt.Errorf("create matter: %w", err)
	}
	return m, nil
}

// UpdateMatter changes matter id as patch says. Moving it to another unit
// is a *ConflictError while decisions of its unit are on it: a decision's
// matter is of its own unit's procedure list.
func (s *Store) UpdateMatter(ctx context.Context, id int64, patch Patch[MatterInput]) (
	Matter, error) {
	var unit int64 // the matter's unit before the update
	load := func(tx pgx.Tx) (MatterInput, error) {
		m, err := scanMatter(tx.QueryRow(ctx, `SELECT `+matterColumns+` FROM matters
			WHERE id = $1 FOR NO KEY UPDATE`, id))
		unit = m.OrgUnitID
		return m.input(), err
	}
	m, err := update(ctx, s, load, patch, func(tx pgx.Tx, in MatterInput) (Matter, error) {
		m, err := s.saveMatter(ctx, tx, id, in)
		if err != nil || m.OrgUnitID == unit {
			return m, err
		}
		return m, refuseMovingUsedMatter(ctx, tx, id, unit)
	})
	if err != nil {
		return Matter{}, fmt.Errorf("update matter %d: %w", id, err)
	}
	return m, nil
}

// refuseMovingUsedMatter returns a *ConflictError when decisions of unit,
// which matter id has just left, are on it.
func refuseMovingUsedMatter(ctx context.Context, tx pgx.Tx, id, unit int64) error {
	var n int
	var first []int64
	var from, to string
	err := tx.QueryRow(ctx, `
		SELECT count(*), (array_agg(d.id ORDER BY d.id))[1:5], fu.code, tu.code
		FROM decisions d
		JOIN matters m ON m.id = d.matter_id
		JOIN org_units fu ON fu.id = d.org_unit_id
		JOIN org_units tu ON tu.id = m.org_unit_id
		WHERE d.matter_id = $1 AND d.org_unit_id = $2
		GROUP BY fu.code, tu.code`, id, unit).Scan(&n, &first, &from, &to)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the matter's decisions: %w", err)
	}
	list := make([]string, len(first))
	for i, d := range first {
		list[i] = strconv.FormatInt(d, 10)
	}
	if n > len(first) {
		list = append(list, "…")
	}
	on := fmt.Sprintf("%d decisions of unit %s (%s) are", n, from, strings.Join(list, ", "))
	if n == 1 {
		on = fmt.Sprintf("decision %s of unit %s is", list[0], from)
	}
	return &ConflictError{Field: "org_unit_id", Reason: fmt.Sprintf("moves the matter to "+
		"unit %s, but %s on it, and a decision's matter is on its own unit's procedure "+
		"list: give them another matter first, or add the matter to unit %s under a code "+
		"of its own", to, on, to)}
}

func (s *Store) saveMatter(ctx context.Context, q querier, id int64, in MatterInput) (
	Matter, error) {
	unit := ref{"org_unit_id", "org_units", &in.OrgUnitID}
	if err := s.checked(ctx, in, unit); err != nil {
		return Matter{}, err
	}
	in = in.normalized()
	kinds := make([]string, len(in.RequiredBodyKinds))
	for i, k := range in.RequiredBodyKinds {
		kinds[i] = string(k)
	}
	sql, args := writeSQL(id, `INSERT INTO matters (org_unit_id, code, name, category,
			required_body_kind, amount_threshold, must_record, legal_basis, major_class,
			required_body_kinds, amount_basis, split_window_days, quorum_rule, vote_rule,
			leader_speaks_last, recusal_applies)
		VALUES ($1, $2, $3, $4, $5, $6::bigint / 100.0, $7, $8, $9, $10, $11, $12, $13,
			$14, $15, $16)`,
		`UPDATE matters SET org_unit_id = $1, code = $2, name = $3, category = $4,
			required_body_kind = $5, amount_threshold = $6::bigint / 100.0,
			must_record = $7, legal_basis = $8, major_class = $9,
			required_body_kinds = $10, amount_basis = $11, split_window_days = $12,
			quorum_rule = $13, vote_rule = $14, leader_speaks_last = $15,
			recusal_applies = $16`, matterColumns,
		in.OrgUnitID, in.Code, in.Name, in.Category, in.RequiredBodyKind,
		fenPtr(in.AmountThreshold), *in.MustRecord, in.LegalBasis, in.MajorClass, kinds,
		in.AmountBasis, in.SplitWindowDays, in.QuorumRule, in.VoteRule,
		in.LeaderSpeaksLast, in.RecusalApplies)
	m, err := scanMatter(q.QueryRow(ctx, sql, args...))
	if err != nil {
		return Matter{}, s.explain(ctx, err, unit)
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
		  AND ($3::text IS NULL OR code = $3) AND ($4::text IS NULL OR major_class = $4)
		  AND ($5::text IS NULL OR required_body_kind = $5)
		ORDER BY id LIMIT $6 OFFSET $7`,
		f.OrgUnitID, f.Category, f.Code, f.MajorClass, f.BodyKind, limit, offset)
	if err != nil {
		return List[Matter]{}, fmt.Errorf("list matters: %w", err)
	}
	matters, err := collect(rows, scanMatter)
	if err != nil {
		return List[Matter]{}, fmt.Errorf("list matters: %w", err)
	}
	return cut(matters, p), nil
}

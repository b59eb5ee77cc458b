package agenda

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/internal/problem"
)

// Store reads and writes the agenda tables.
type Store struct {
	pool *pgxpool.Pool
	// recorderID marks the tracks OpenTrack opens; nil for none (see As).
	recorderID *int32
}

// NewStore returns a store on pool. The schema must be migrated (Migrate).
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool}
}

// Page selects a window of a listing ordered by id.
type Page struct {
	Limit  int // 1..MaxLimit; 0 means DefaultLimit
	Offset int
}

// Paging bounds, as of every list endpoint.
const (
	DefaultLimit = param.DefaultLimit
	MaxLimit     = param.MaxLimit
	MaxOffset    = param.MaxOffset
)

// List is one page of a listing (param.List).
type List[T any] = param.List[T]

func (p Page) check() error {
	var fe fieldErrors
	if p.Limit < 0 || p.Limit > MaxLimit {
		fe.add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	if p.Offset < 0 || p.Offset > MaxOffset {
		fe.add("offset", fmt.Sprintf("must be between 0 and %d", MaxOffset))
	}
	return fe.err()
}

func (p Page) limit() int {
	if p.Limit == 0 {
		return DefaultLimit
	}
	return p.Limit
}

// query returns the LIMIT and OFFSET to ask for: one row more than the page
// holds, to learn whether another page follows.
func (p Page) query() (limit, offset int) { return p.limit() + 1, p.Offset }

// cut trims the extra row that Page.query asked for.
func cut[T any](items []T, p Page) List[T] { return param.Cut(items, p.limit(), p.Offset) }

// collect scans every row with scan.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// notFound turns pgx.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// uniqueFields names the field behind each unique constraint.
var uniqueFields = map[string]string{
	"org_units_code_key":                             "code",
	"meeting_bodies_code_key":                        "code",
	"matters_code_key":                               "code",
	"agenda_items_meeting_id_seq_key":                "seq",
	"tracks_session_id_key":                          "session_id",
	"segments_object_key_key":                        "object_key",
	"segments_track_id_seq_key":                      "seq",
	"decisions_reference_idx":                        "reference",
	"meetings_code_key":                              "code",
	"members_code_key":                               "code",
	"body_members_body_id_member_id_served_from_key": "served_from",
	"meeting_attendance_pkey":                        "member_id",
	"recusals_pkey":                                  "member_id",
	"statements_pkey":                                "seq",
}

// refNouns names what each foreign key column refers to.
var refNouns = map[string]string{
	"org_unit_id":     "org unit",
	"parent_id":       "org unit",
	"body_id":         "meeting body",
	"matter_id":       "matter",
	"meeting_id":      "meeting",
	"agenda_item_id":  "agenda item",
	"recording_id":    "recording",
	"track_id":        "track",
	"member_id":       "member",
	"chair_member_id": "member",
}

// translate turns the PostgreSQL errors that bad input can cause into the
// package's errors: a unique violation into a *ConflictError, a foreign key
// or check violation into a *ValidationError.
func translate(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "23505": // unique_violation
		field := uniqueFields[pgErr.ConstraintName]
		return &ConflictError{Field: field, Reason: "is already taken"}
	case "23503": // foreign_key_violation
		field := strings.TrimSuffix(
			strings.TrimPrefix(pgErr.ConstraintName, pgErr.TableName+"_"), "_fkey")
		return &ValidationError{Fields: []problem.FieldError{{
			Field: field, Reason: missingReason(field)}}}
	case "23514": // check_violation; the checks in Go should have caught it
		field := pgErr.ColumnName
		if field == "" {
			field = pgErr.TableName
		}
		return &ValidationError{Fields: []problem.FieldError{{
			Field: field, Reason: "breaks the rule " + pgErr.ConstraintName}}}
	}
	return err
}

func missingReason(field string) string {
	noun, ok := refNouns[field]
	if !ok {
		noun = "record"
	}
	return "no " + noun + " has this id"
}

// ref is a foreign key of an input: the field, the table it refers to and
// the id given (nil when the field is empty).
type ref struct {
	field string
	table string
	id    *int64
}

// explain translates err; when it is a foreign key violation it checks every
// ref at once, so that all missing references are reported together.
func (s *Store) explain(ctx context.Context, err error, refs ...ref) error {
	err = translate(err)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(refs) == 0 {
		return err
	}
	missing, qerr := s.missingRefs(ctx, refs)
	if qerr != nil || len(missing) == 0 {
		return err
	}
	return missing.err()
}

// checked runs c's own checks. When they fail it also looks up the refs
// that they did not already report, so that one answer lists every bad
// field, unknown references among them.
func (s *Store) checked(ctx context.Context, c checker, refs ...ref) error {
	err := c.check()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	reported := map[string]bool{}
	for _, f := range ve.Fields {
		reported[f.Field] = true
	}
	var open []ref
	for _, r := range refs {
		if !reported[r.field] && r.id != nil && *r.id > 0 {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		return err
	}
	missing, qerr := s.missingRefs(ctx, open)
	if qerr != nil || len(missing) == 0 {
		return err
	}
	return &ValidationError{Fields: append(ve.Fields, missing...)}
}

// missing reports, as a *ValidationError, every ref that names no record,
// when the first is known to name none.
func (s *Store) missing(ctx context.Context, known ref, refs ...ref) error {
	fe, err := s.missingRefs(ctx, append([]ref{known}, refs...))
	if err != nil {
		return fmt.Errorf("check references: %w", err)
	}
	if len(fe) == 0 {
		fe.add(known.field, missingReason(known.field))
	}
	return fe.err()
}

func (s *Store) missingRefs(ctx context.Context, refs []ref) (fieldErrors, error) {
	exprs := make([]string, len(refs))
	args := make([]any, len(refs))
	for i, r := range refs {
		// Table names come from the code, never from input.
		exprs[i] = fmt.Sprintf("$%d::bigint IS NULL OR EXISTS (SELECT 1 FROM %s WHERE id = $%d)",
			i+1, r.table, i+1)
		args[i] = r.id
	}
	found := make([]bool, len(refs))
	dest := make([]any, len(refs))
	for i := range found {
		dest[i] = &found[i]
	}
	sql := "SELECT " + strings.Join(exprs, ", ")
	if err := s.pool.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		return nil, err
	}
	var fe fieldErrors
	for i, ok := range found {
		if !ok {
			fe.add(refs[i].field, missingReason(refs[i].field))
		}
	}
	return fe, nil
}

// Text limits of inputs.
const (
	maxName     = 200
	maxLongText = 2000
	codeExplain = "must be 1 to 64 letters, digits, '.', '_' or '-', " +
		"starting with a letter or digit"
	requiredText = "is required"
)

// CodeSyntax is the form of a code (of an org unit, body, matter,
// meeting or member) as a regular expression without anchors, for the
// patterns that read codes inside other text.
const CodeSyntax = `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`

var codePattern = regexp.MustCompile(`^` + CodeSyntax + `$`)

// ValidCode reports whether code has the form of a code.
func ValidCode(code string) bool { return codePattern.MatchString(code) }

// checkCode reports a bad code.
func (f *fieldErrors) checkCode(field, code string) {
	switch {
	case code == "":
		f.add(field, requiredText)
	case !ValidCode(code):
		f.add(field, codeExplain)
	}
}

// checkText reports an empty or too long text; optional allows empty.
func (f *fieldErrors) checkText(field, text string, max int, optional bool) {
	switch {
	case strings.TrimSpace(text) == "" && !optional:
		f.add(field, requiredText)
	case text != strings.TrimSpace(text):
		f.add(field, "must not begin or end with white space")
	case utf8.RuneCountInString(text) > max:
		f.add(field, fmt.Sprintf("must be at most %d characters", max))
	case !pgtext.Valid(text):
		f.add(field, "must be valid UTF-8 without NUL characters")
	}
}

// checkID reports a missing (zero) or negative required id.
func (f *fieldErrors) checkID(field string, id int64) {
	switch {
	case id == 0:
		f.add(field, requiredText)
	case id < 0:
		f.add(field, "must be a positive integer")
	}
}

// checkOptionalID reports a non-positive id; nil is allowed.
func (f *fieldErrors) checkOptionalID(field string, id *int64) {
	if id != nil && *id <= 0 {
		f.add(field, "must be a positive integer")
	}
}

// prefixed qualifies every column of a column list with alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

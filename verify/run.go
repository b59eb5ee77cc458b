package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/internal/textcell"
)

// Decision statuses in a report.
const (
	StatusPass = "PASS"
	StatusFail = "FAIL"
)

// A Report is the outcome of one Run.
type Report struct {
	GeneratedAt time.Time        `json:"generated_at"`
	Scope       Scope            `json:"scope"`
	Checked     int              `json:"checked"` // decisions in scope
	Passed      int              `json:"passed"`  // decisions without findings
	Decisions   []DecisionResult `json:"decisions"`
	Findings    []Finding        `json:"findings"`
}

// Scope records what a report covers.
type Scope struct {
	Unit string `json:"unit,omitempty"`
	// Meeting is the meeting whose linked decisions were checked, when the
	// run was limited to one (Options.Meeting).
	Meeting int64      `json:"meeting,omitempty"`
	From    *time.Time `json:"from,omitempty"`
	To      *time.Time `json:"to,omitempty"`
	Codes   []string   `json:"codes"` // the rules that ran
	Rehash  bool       `json:"rehash"`
	// BackdateDays is the lag BACKDATED allowed.
	BackdateDays int `json:"backdate_days"`
}

// A DecisionResult is one checked decision. NeedsMeeting is false when the
// procedure list asks no meeting of it (no body kind, or an amount under the
// threshold); such a decision passes without further checks.
type DecisionResult struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	MatterCode   string    `json:"matter_code"`
	UnitCode     string    `json:"unit_code"`
	DecidedAt    time.Time `json:"decided_at"`
	NeedsMeeting bool      `json:"needs_meeting"`
	Status       string    `json:"status"` // StatusPass or StatusFail
	Findings     int       `json:"findings"`
}

// decisionRow is a decision in scope with what the messages need.
type decisionRow struct {
	ID           int64
	Title        string
	DecidedAt    time.Time
	UnitCode     string
	MatterCode   string
	MatterName   string
	RequiredKind *string
	Amount       *string
	Threshold    *string
	MustRecord   bool
	NeedsMeeting bool
}

// checkRun carries one Run's state through the rules.
type checkRun struct {
	tx        pgx.Tx
	opts      Options
	objects   ObjectChecker
	decisions map[int64]*decisionRow
	pending   *objectWork // set by RECORDING_TAMPERED for after the snapshot
	done      int         // rules run so far, for Options.Progress
}

// snapshotSettings tune the verify transaction. The rule queries are a
// dozen mid-sized joins whose estimated cost sets off JIT compilation,
// which took seconds per query and saved nothing (BenchmarkVerifyRules: a
// query of 0.2 s spent 3.5 s compiling); and their range aggregates and
// sorts spill to disk under the default work_mem of 4 MB.
const snapshotSettings = `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`

// Run checks every decision in the scope opts describes and returns the
// report. Bad options give an error wrapping ErrInvalidOptions (several
// joined, each an *OptionError); a failing database or object store gives
// any other error, and no report.
//
// All rules read one snapshot of the database (a repeatable-read
// transaction), so a report never mixes states. The transaction writes
// nothing but its own temporary tables (snapshotSQL), and is read-only
// once they are made.
func Run(ctx context.Context, pool *pgxpool.Pool, objects ObjectChecker,
	opts Options) (Report, error) {
	if objects == nil && opts.Runs(CodeRecordingTampered) && opts.Validate() == nil {
		return Report{}, fmt.Errorf("run verify: %w; configure the object store, "+
			"or choose codes without %s", ErrNoObjectChecker, CodeRecordingTampered)
	}
	// Read-write, even where the role's default is read-only: the
	// temporary tables need it (the transaction turns read-only once they
	// are made).
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead,
		AccessMode: pgx.ReadWrite})
	if err != nil {
		return Report{}, beginError(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, snapshotSettings); err != nil {
		return Report{}, fmt.Errorf("set up verify transaction: %w", err)
	}

	unitID, bad, err := opts.check(ctx, tx)
	if err != nil {
		return Report{}, err
	}
	if len(bad) > 0 {
		return Report{}, errors.Join(bad...)
	}
	started := time.Now()
	if err := materialise(ctx, tx, unitID, opts); err != nil {
		return Report{}, err
	}
	c := &checkRun{tx: tx, opts: opts, objects: objects}
	return c.run(ctx, started)
}

// materialise makes the temporary tables of snapshotSQL, then turns the
// transaction read-only.
func materialise(ctx context.Context, tx pgx.Tx, unitID *int64, opts Options) error {
	sc := scopeArgs{unitID: unitID, from: opts.from(), to: opts.to(), meeting: opts.meeting()}
	for i, st := range snapshotSQL(sc) {
		if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
			return snapshotError(tx, i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, `SET TRANSACTION READ ONLY`); err != nil {
		return fmt.Errorf("set up verify transaction: %w", err)
	}
	return nil
}

// run checks the decisions materialise selected, which it began at
// selecting.
func (c *checkRun) run(ctx context.Context, selecting time.Time) (Report, error) {
	order, err := c.loadDecisions(ctx)
	if err != nil {
		return Report{}, err
	}
	if c.opts.Selected != nil {
		c.opts.Selected(len(order), time.Since(selecting))
	}
	var findings []Finding
	for _, r := range rules {
		if !c.opts.Runs(r.code) {
			continue
		}
		started := time.Now()
		found, err := r.run(ctx, c)
		if err != nil {
			return Report{}, fmt.Errorf("check %s: %w", r.code, err)
		}
		findings = append(findings, found...)
		if r.code != CodeRecordingTampered { // told after its object checks
			c.progress(r.code, len(found), time.Since(started))
		}
	}
	// Object I/O may take long (Rehash reads every segment); it runs after
	// the snapshot ends, so no transaction stays open meanwhile.
	if err := c.tx.Commit(ctx); err != nil {
		return Report{}, fmt.Errorf("end verify transaction: %w", err)
	}
	started := time.Now()
	found, err := c.checkStore(ctx)
	if err != nil {
		return Report{}, err
	}
	if c.opts.Runs(CodeRecordingTampered) {
		c.progress(CodeRecordingTampered, len(found), time.Since(started))
	}
	return c.report(order, append(findings, found...)), nil
}

// progress tells Options.Progress, if set, that the rule code has run.
func (c *checkRun) progress(code string, findings int, took time.Duration) {
	if c.opts.Progress == nil {
		return
	}
	c.done++
	c.opts.Progress(RuleDone{Code: code, N: c.done, Of: len(c.opts.Rules()),
		Findings: findings, Took: took})
}

// beginError explains a verify transaction the database would not begin.
// A hot standby refuses a read-write transaction (SQLSTATE 0A000, "during
// recovery"); verify's temporary tables need one.
func beginError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "0A000" {
		return fmt.Errorf("begin verify transaction: the database is a hot standby, and "+
			"verify needs temporary tables, which only a primary allows; point "+
			"LIUHEN_DATABASE_URL at the primary: %w", err)
	}
	return fmt.Errorf("begin verify transaction: %w", err)
}

// snapshotError explains why step (from 1) of snapshotSQL failed when the
// database refused it for a reason the operator can fix.
func snapshotError(tx pgx.Tx, step int, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" && // insufficient_privilege
		strings.Contains(pgErr.Message, "temporary") {
		cfg := tx.Conn().Config()
		return fmt.Errorf("select the decisions in scope: the database role may not "+
			"create temporary tables, which verify needs; grant it with "+
			"GRANT TEMPORARY ON DATABASE %s TO %s: %w", pgx.Identifier{cfg.Database}.Sanitize(),
			pgx.Identifier{cfg.User}.Sanitize(), err)
	}
	return fmt.Errorf("select the decisions in scope (step %d): %w", step, err)
}

// Check tells every problem of opts that Run would, without checking a
// decision: those Validate finds and those only the database shows, such as
// an org unit or a meeting that does not exist. It returns nil for options
// Run accepts, the problems joined as Run returns them, or, when the
// database could not be asked, an error that does not wrap
// ErrInvalidOptions.
func Check(ctx context.Context, pool *pgxpool.Pool, opts Options) error {
	_, bad, err := opts.check(ctx, pool)
	if err != nil {
		return err
	}
	return errors.Join(bad...)
}

// querier reads the database: the transaction of a run, or a pool.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// check finds every problem of o, each an *OptionError: validate's, and
// those of looking up the org unit and the meeting, which are looked up
// whatever else is wrong. It returns the unit's id (nil for none), and an
// error when the database could not be read.
func (o Options) check(ctx context.Context, q querier) (*int64, []error, error) {
	bad := o.validate()
	var unitID *int64
	if pgtext.Valid(o.Unit) { // else validate has said so, and PostgreSQL would refuse it
		id, err := lookupUnit(ctx, q, o.Unit)
		if !errors.Is(err, ErrUnknownUnit) && err != nil {
			return nil, nil, err
		}
		unitID = id
		bad = appendErr(bad, err)
	}
	if o.Meeting > 0 {
		m, err := lookupMeeting(ctx, q, o.Meeting, unitID, o)
		if !errors.Is(err, ErrUnknownMeeting) && err != nil {
			return nil, nil, err
		}
		if bad = appendErr(bad, err); len(bad) == 0 {
			bad = o.outsideMeeting(m)
		}
	}
	return unitID, bad, nil
}

// appendErr appends err to errs unless it is nil.
func appendErr(errs []error, err error) []error {
	if err == nil {
		return errs
	}
	return append(errs, err)
}

// lookupUnit returns the id of the unit with code, nil for an empty code,
// or an *OptionError when no unit has that code.
func lookupUnit(ctx context.Context, q querier, code string) (*int64, error) {
	if code == "" {
		return nil, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM org_units WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &OptionError{
			Field: "unit",
			Reason: fmt.Sprintf("no org unit has code %s; give the code of an "+
				"existing org unit (its sub-units are included)", textcell.Echo(code)),
			Err: ErrUnknownUnit,
		}
	}
	if err != nil {
		return nil, fmt.Errorf("look up org unit: %w", err)
	}
	return &id, nil
}

// meetingSQL reads the meeting $1 as lookupMeeting tells it, against the
// org unit $2 (its sub-units included; NULL for all) and the period from
// $3 (included) to $4 (excluded), either NULL for an open end.
const meetingSQL = `
WITH RECURSIVE units AS (
    SELECT id FROM org_units WHERE id = $2::bigint
    UNION
    SELECT o.id FROM org_units o JOIN units u ON o.parent_id = u.id
)
SELECT u.code, u.name, coalesce(mt.started_at, mt.planned_start), mt.started_at IS NOT NULL,
       $2::bigint IS NULL OR b.org_unit_id IN (SELECT id FROM units),
       EXISTS (SELECT 1 FROM agenda_items ai JOIN decisions d ON d.agenda_item_id = ai.id
               WHERE ai.meeting_id = mt.id
                 AND ($2::bigint IS NULL OR d.org_unit_id IN (SELECT id FROM units))
                 AND ($3::timestamptz IS NULL OR d.decided_at >= $3::timestamptz)
                 AND ($4::timestamptz IS NULL OR d.decided_at < $4::timestamptz))
FROM meetings mt
JOIN meeting_bodies b ON b.id = mt.body_id
JOIN org_units u ON u.id = b.org_unit_id
WHERE mt.id = $1`

// meetingInScope is the meeting of Options.Meeting against the rest of the
// scope.
type meetingInScope struct {
	id                 int64
	unitCode, unitName string    // of the meeting's body
	held               time.Time // its start, else its planned start
	started            bool
	inUnit             bool // the body is of Options.Unit or a unit below it
	decides            bool // a decision linked to it is in scope
}

// lookupMeeting reads meeting id against the unit unitID and o's period,
// or returns an *OptionError when no meeting has id.
func lookupMeeting(ctx context.Context, q querier, id int64, unitID *int64,
	o Options) (meetingInScope, error) {
	m := meetingInScope{id: id}
	err := q.QueryRow(ctx, meetingSQL, id, unitID, o.from(), o.to()).Scan(&m.unitCode,
		&m.unitName, &m.held, &m.started, &m.inUnit, &m.decides)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, &OptionError{
			Field: "meeting",
			Reason: fmt.Sprintf("no meeting has id %d; give the id of an existing "+
				"meeting, or 0 for the decisions of every meeting", id),
			Err: ErrUnknownMeeting,
		}
	}
	if err != nil {
		return m, fmt.Errorf("look up meeting: %w", err)
	}
	return m, nil
}

// outsideMeeting refuses a unit or a period that leaves out meeting m,
// when no decision linked to it is in scope either: the run would check
// none, and not say why. A decision of the unit linked to another unit's
// meeting, or one decided in the period before its meeting, keeps the
// scope (WRONG_BODY, DECIDED_BEFORE_MEETING).
func (o Options) outsideMeeting(m meetingInScope) []error {
	if m.decides {
		return nil
	}
	var errs []error
	const none = "and none of the decisions linked to it is in scope"
	if !m.inUnit {
		errs = append(errs, &OptionError{
			Field: "unit",
			Reason: fmt.Sprintf("meeting %d is of org unit %s (%s), not of %s or a unit "+
				"below it, %s; give unit %s or a unit above it, or leave unit out", m.id,
				m.unitCode, m.unitName, o.Unit, none, m.unitCode),
			Err: ErrOutOfScope,
		})
	}
	loc := o.From.Location()
	if o.From.IsZero() {
		loc = o.To.Location()
	}
	began := "began"
	if !m.started {
		began = "is planned to begin"
	}
	held := m.held.In(loc).Format(time.RFC3339)
	switch {
	case !o.From.IsZero() && m.held.Before(o.From):
		errs = append(errs, &OptionError{
			Field: "from",
			Reason: fmt.Sprintf("meeting %d %s at %s, before the period starts (%s), %s; "+
				"give a 'from' on or before the meeting's day, or leave 'from' out", m.id,
				began, held, o.From.Format(time.RFC3339), none),
			Err: ErrOutOfScope,
		})
	case !o.To.IsZero() && !m.held.Before(o.To):
		errs = append(errs, &OptionError{
			Field: "to",
			Reason: fmt.Sprintf("meeting %d %s at %s, after the period ends (%s), %s; "+
				"give a 'to' of the meeting's day or later, or leave 'to' out", m.id, began,
				held, o.To.Format(time.RFC3339), none),
			Err: ErrOutOfScope,
		})
	}
	return errs
}

// zoneOffset is the server zone's offset from UTC now, in seconds, by
// which linkedTableSQL finds a meeting's day.
// TODO(timezone): one offset for every meeting is wrong across a DST change
// (China has none); the org unit's own zone would be better once units
// carry one.
func zoneOffset() int {
	_, off := time.Now().Zone()
	return off
}

// loadDecisions reads the decisions in scope, in report order. Their org
// units and matters are few and read once: each decision shares their
// codes, names and thresholds rather than carrying copies.
func (c *checkRun) loadDecisions(ctx context.Context) ([]int64, error) {
	units, err := c.codes(ctx, `SELECT id, code, '', NULL, NULL FROM org_units
		WHERE id IN (SELECT DISTINCT org_unit_id FROM scope)`)
	if err != nil {
		return nil, fmt.Errorf("load org units: %w", err)
	}
	matters, err := c.codes(ctx, `SELECT id, code, name, required_body_kind,
		amount_threshold::text FROM matters WHERE id IN (SELECT DISTINCT matter_id FROM scope)`)
	if err != nil {
		return nil, fmt.Errorf("load matters: %w", err)
	}
	rows, err := c.tx.Query(ctx, decisionsSQL)
	if err != nil {
		return nil, fmt.Errorf("load decisions: %w", err)
	}
	defer rows.Close()
	c.decisions = map[int64]*decisionRow{}
	var order []int64
	var unitID, matterID int64
	for rows.Next() {
		d := &decisionRow{}
		if err := rows.Scan(&d.ID, &d.Title, &d.DecidedAt, &unitID, &matterID, &d.Amount,
			&d.MustRecord, &d.NeedsMeeting); err != nil {
			return nil, fmt.Errorf("read decision: %w", err)
		}
		u, m := units[unitID], matters[matterID]
		d.UnitCode = u.code
		d.MatterCode, d.MatterName, d.RequiredKind, d.Threshold = m.code, m.name, m.kind,
			m.threshold
		c.decisions[d.ID] = d
		order = append(order, d.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load decisions: %w", err)
	}
	return order, nil
}

// coded is an org unit or a matter as a decision refers to it.
type coded struct {
	code, name      string
	kind, threshold *string
}

// codes reads sql's rows of id, code, name, kind and threshold by id.
func (c *checkRun) codes(ctx context.Context, sql string) (map[int64]coded, error) {
	rows, err := c.tx.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]coded{}
	for rows.Next() {
		var id int64
		var x coded
		if err := rows.Scan(&id, &x.code, &x.name, &x.kind, &x.threshold); err != nil {
			return nil, err
		}
		out[id] = x
	}
	return out, rows.Err()
}

// finding starts a finding about decision id with the decision's fields.
func (c *checkRun) finding(id int64, code, severity string) Finding {
	d := c.decisions[id]
	return Finding{
		Code: code, Severity: severity, DecisionID: id,
		DecisionTitle: d.Title, MatterCode: d.MatterCode, UnitCode: d.UnitCode,
	}
}

// report sorts the findings by decision (in report order), then by rule,
// then as the rules found them, and counts the decisions that passed.
func (c *checkRun) report(order []int64, findings []Finding) Report {
	rank := make(map[int64]int, len(order))
	for i, id := range order {
		rank[id] = i
	}
	ruleRank := make(map[string]int, len(allCodes))
	for i, code := range allCodes {
		ruleRank[code] = i
	}
	type sortKey struct{ decision, rule, found int }
	keys := make([]sortKey, len(findings))
	perDecision := make([]int, len(order))
	for i, f := range findings {
		r := rank[f.DecisionID]
		keys[i] = sortKey{r, ruleRank[f.Code], i}
		perDecision[r]++
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		return cmp.Or(cmp.Compare(a.decision, b.decision), cmp.Compare(a.rule, b.rule),
			cmp.Compare(a.found, b.found))
	})
	rep := Report{
		GeneratedAt: time.Now(),
		Scope:       c.scope(),
		Decisions:   make([]DecisionResult, 0, len(order)),
		Findings:    make([]Finding, len(findings)),
	}
	for i, k := range keys {
		rep.Findings[i] = findings[k.found]
	}
	for i, id := range order {
		rep.Decisions = append(rep.Decisions, c.result(id, perDecision[i]))
		rep.Checked++
		if perDecision[i] == 0 {
			rep.Passed++
		}
	}
	return rep
}

func (c *checkRun) result(id int64, findings int) DecisionResult {
	d := c.decisions[id]
	status := StatusPass
	if findings > 0 {
		status = StatusFail
	}
	return DecisionResult{
		ID: id, Title: d.Title, MatterCode: d.MatterCode, UnitCode: d.UnitCode,
		DecidedAt: d.DecidedAt, NeedsMeeting: d.NeedsMeeting,
		Status: status, Findings: findings,
	}
}

func (c *checkRun) scope() Scope {
	return Scope{Unit: c.opts.Unit, Meeting: c.opts.Meeting, From: c.opts.from(),
		To:    c.opts.to(),
		Codes: c.opts.Rules(), Rehash: c.opts.Rehash,
		BackdateDays: c.opts.backdateDays()}
}

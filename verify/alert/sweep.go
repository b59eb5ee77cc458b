package alert

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// sweepLock is the advisory lock that lets one sweep at a time run on a
// database, from serve or from the command line ("liuhen-alert").
const sweepLock = 0x6c6975616c657274

// inserter queues River jobs inside a transaction; *river.Client does.
type inserter interface {
	InsertManyTx(ctx context.Context, tx pgx.Tx,
		params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Sweeper runs the verifier and keeps what it finds.
type Sweeper struct {
	pool    *pgxpool.Pool
	objects verify.ObjectChecker // nil: RECORDING_TAMPERED is not checked
	cfg     Config
	jobs    inserter
	logger  *slog.Logger
}

// NewSweeper returns a sweeper of pool's decisions. objects lets the
// verifier check segment objects; without it, sweeps leave
// RECORDING_TAMPERED out (and its findings as they are). The warnings it
// queues are sent by the process that runs the jobs of AddTo.
func NewSweeper(pool *pgxpool.Pool, objects verify.ObjectChecker, cfg Config,
	logger *slog.Logger) (*Sweeper, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// A client without queues only inserts jobs.
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("prepare warning queue: %w", err)
	}
	return &Sweeper{pool: pool, objects: objects, cfg: cfg, jobs: client,
		logger: logger.With("component", "alert")}, nil
}

// SweepResult counts what one sweep did.
type SweepResult struct {
	Checked  int `json:"checked"`  // decisions the verifier checked
	Found    int `json:"found"`    // distinct findings it found
	Opened   int `json:"opened"`   // new findings
	Reopened int `json:"reopened"` // resolved findings found again
	// Escalated counts open or acknowledged findings found again at a
	// higher severity than before, Deescalated those found at a lower one.
	Escalated   int      `json:"escalated"`
	Deescalated int      `json:"deescalated"`
	Resolved    int      `json:"resolved"` // findings no longer found
	Queued      int      `json:"queued"`   // warnings queued for the webhooks
	Codes       []string `json:"codes"`    // the rules that ran
	// StoreErr is why a sweep with an object store left RECORDING_TAMPERED
	// out: the store could not be reached. It is nil when the rule ran, was
	// skipped, or the sweeper has no store; it is not kept.
	StoreErr error `json:"-"`
}

// Sweep runs the verifier over every decision (without rehashing) and
// brings the findings table in line with what it found, in one
// transaction that also queues the warnings. Sweeps of one database run one
// at a time.
func (s *Sweeper) Sweep(ctx context.Context) (SweepResult, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return SweepResult{}, fmt.Errorf("sweep findings: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, sweepLock); err != nil {
		return SweepResult{}, fmt.Errorf("wait for another sweep: %w", err)
	}
	defer func() {
		_, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`,
			sweepLock)
		if err != nil { // the session may still hold the lock: do not reuse it
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()

	// The database's clock, as the findings' times are: every change it
	// committed before started is in the verifier's snapshot.
	var started time.Time
	if err := conn.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&started); err != nil {
		return SweepResult{}, fmt.Errorf("sweep findings: %w", err)
	}
	rep, storeErr, err := s.verify(ctx)
	if err != nil {
		return SweepResult{}, err
	}
	res := SweepResult{Checked: rep.Checked, Codes: rep.Scope.Codes, StoreErr: storeErr}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := s.apply(ctx, tx, rep, &res); err != nil {
			return err
		}
		return recordSweep(ctx, tx, started, res)
	})
	if err != nil {
		return SweepResult{}, err
	}
	level := slog.LevelDebug // a sweep that changes nothing is routine
	if res.Opened+res.Reopened+res.Escalated+res.Deescalated+res.Resolved > 0 {
		level = slog.LevelInfo
	}
	s.logger.Log(ctx, level, "findings swept", "checked", res.Checked, "found", res.Found,
		"opened", res.Opened, "reopened", res.Reopened, "escalated", res.Escalated,
		"deescalated", res.Deescalated, "resolved", res.Resolved,
		"warnings_queued", res.Queued)
	return res, nil
}

// recordSweep notes in finding_sweeps that a sweep whose verifier began at
// started has written res, in the transaction that writes it.
func recordSweep(ctx context.Context, tx pgx.Tx, started time.Time, res SweepResult) error {
	_, err := tx.Exec(ctx, `INSERT INTO finding_sweeps (started_at, finished_at, codes,
		    checked, found, opened, reopened, escalated, deescalated, resolved, queued)
		VALUES ($1, greatest($1, clock_timestamp()), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		started, res.Codes, res.Checked, res.Found, res.Opened, res.Reopened, res.Escalated,
		res.Deescalated, res.Resolved, res.Queued)
	if err != nil {
		return fmt.Errorf("record sweep: %w", err)
	}
	return nil
}

// verify runs every rule that can run. While the object store cannot be
// reached, RECORDING_TAMPERED is left out rather than the whole sweep, and
// storeErr says why.
func (s *Sweeper) verify(ctx context.Context) (rep verify.Report, storeErr, err error) {
	opts := verify.Options{Skip: s.cfg.Skip}
	objects := s.objects
	if objects == nil {
		opts.Skip = append(slices.Clone(opts.Skip), verify.CodeRecordingTampered)
	}
	rep, err = s.run(ctx, objects, opts)
	if (errors.Is(err, storage.ErrUnavailable) || errors.Is(err, verify.ErrStoreUnavailable)) &&
		ctx.Err() == nil {
		s.logger.Warn("the evidence store cannot be reached; sweeping without "+
			verify.CodeRecordingTampered, "err", err)
		storeErr = err
		opts.Skip = append(slices.Clone(opts.Skip), verify.CodeRecordingTampered)
		rep, err = s.run(ctx, nil, opts)
	}
	if err != nil {
		return verify.Report{}, nil, fmt.Errorf("sweep findings: %w", err)
	}
	return rep, storeErr, nil
}

// run is verify.Run of opts, whose Skip, with RECORDING_TAMPERED added
// for want of the store, may leave no rule.
func (s *Sweeper) run(ctx context.Context, objects verify.ObjectChecker,
	opts verify.Options) (verify.Report, error) {
	if len(opts.Rules()) == 0 {
		return verify.Report{}, errors.New("no rule is left to sweep: LIUHEN_ALERT_SKIP " +
			"leaves out every other, and the evidence store cannot be reached")
	}
	return verify.Run(ctx, s.pool, objects, opts)
}

// kept is a findings row as a sweep needs it.
type kept struct {
	id                    int64
	code, state, severity string
	message, messageZH    string
	title, matter, unit   string
	warned                string // the highest severity warned of since it opened, or ""
	absent                bool
}

func (k kept) sameAs(f verify.Finding) bool {
	return k.severity == f.Severity && k.message == f.Message && k.messageZH == f.MessageZH &&
		k.title == f.DecisionTitle && k.matter == f.MatterCode && k.unit == f.UnitCode
}

// apply writes what rep found: see the package documentation.
func (s *Sweeper) apply(ctx context.Context, tx pgx.Tx, rep verify.Report,
	res *SweepResult) error {
	found, order := distinct(rep.Findings)
	res.Found = len(order)
	rows, err := loadKept(ctx, tx, order)
	if err != nil {
		return err
	}
	q := &warnings{cfg: s.cfg}
	var seen []int64
	for _, fp := range order {
		f, k := found[fp], rows[fp]
		switch {
		case k == nil:
			err = s.open(ctx, tx, fp, f, q)
			res.Opened++
		case k.state == StateResolved && k.absent:
			err = s.reopen(ctx, tx, k, f, q)
			res.Reopened++
		default:
			seen = append(seen, k.id)
			if !k.sameAs(f) {
				err = updateDetails(ctx, tx, k.id, f)
			}
			if err != nil || k.state == StateResolved {
				break
			}
			switch now, was := severityRank(f.Severity), severityRank(k.severity); {
			case now > was:
				err = s.escalate(ctx, tx, k, f, q)
				res.Escalated++
			case now < was:
				err = s.deescalate(ctx, tx, k, f)
				res.Deescalated++
			}
		}
		if err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE findings SET last_seen = now() WHERE id = ANY($1)`,
		seen); err != nil {
		return fmt.Errorf("note findings seen: %w", err)
	}
	if res.Resolved, err = markGone(ctx, tx, rows, found, rep.Scope.Codes); err != nil {
		return err
	}
	res.Queued = len(q.jobs)
	return q.insert(ctx, tx, s.jobs)
}

// distinct keys the findings by fingerprint, in report order. Findings of
// one fingerprint (two tracks of a recording with holes) are merged.
func distinct(list []verify.Finding) (map[string]verify.Finding, []string) {
	found := map[string]verify.Finding{}
	var order []string
	for _, f := range list {
		fp := Fingerprint(f)
		prev, dup := found[fp]
		if !dup {
			found[fp] = f
			order = append(order, fp)
			continue
		}
		if !strings.Contains(prev.Message, f.Message) {
			prev.Message += "; " + f.Message
			prev.MessageZH += "；" + f.MessageZH
		}
		if severityRank(f.Severity) > severityRank(prev.Severity) {
			prev.Severity = f.Severity
		}
		found[fp] = prev
	}
	return found, order
}

// loadKept locks the rows a sweep may change: those found now, and every
// row still open, acknowledged, or resolved without having gone.
func loadKept(ctx context.Context, tx pgx.Tx, fingerprints []string) (map[string]*kept,
	error) {
	rows, err := tx.Query(ctx, `
		SELECT id, fingerprint, code, state, severity, message, message_zh, decision_title,
		       matter_code, unit_code, coalesce(warned_severity, ''), absent_since IS NOT NULL
		FROM findings
		WHERE fingerprint = ANY($1) OR state <> 'resolved' OR absent_since IS NULL
		ORDER BY id FOR UPDATE`, fingerprints)
	if err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}
	defer rows.Close()
	out := map[string]*kept{}
	for rows.Next() {
		var k kept
		var fp string
		if err := rows.Scan(&k.id, &fp, &k.code, &k.state, &k.severity, &k.message,
			&k.messageZH, &k.title, &k.matter, &k.unit, &k.warned, &k.absent); err != nil {
			return nil, fmt.Errorf("read finding: %w", err)
		}
		out[fp] = &k
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load findings: %w", err)
	}
	return out, nil
}

// open inserts a new finding with its "opened" event.
func (s *Sweeper) open(ctx context.Context, tx pgx.Tx, fp string, f verify.Finding,
	q *warnings) error {
	warned := q.warnedAt(f.Severity)
	var id, event int64
	err := tx.QueryRow(ctx, `
		WITH added AS (
		    INSERT INTO findings (fingerprint, code, severity, decision_id, decision_title,
		        matter_code, unit_code, meeting_id, agenda_item_id, recording_id, object_key,
		        message, message_zh, state, state_actor, state_reason, state_changed_at,
		        first_seen, last_seen, opened_at, warned_severity)
		    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open', $14,
		        'found by the verifier', now(), now(), now(), now(), $15)
		    RETURNING id)
		INSERT INTO finding_events (finding_id, kind, to_state, actor, reason)
		SELECT id, 'opened', 'open', $14, 'found by the verifier' FROM added
		RETURNING finding_id, id`,
		fp, f.Code, f.Severity, f.DecisionID, f.DecisionTitle, f.MatterCode, f.UnitCode,
		f.MeetingID, f.AgendaItemID, f.RecordingID, f.ObjectKey, f.Message, f.MessageZH,
		ActorVerifier, warned).Scan(&id, &event)
	if err != nil {
		return fmt.Errorf("add finding %s of decision %d: %w", f.Code, f.DecisionID, err)
	}
	// Debug: a first sweep of a large county opens hundreds of thousands;
	// the sweep's summary line counts them, the findings table has each.
	s.logger.Debug("finding opened", "finding", id, "code", f.Code, "severity", f.Severity,
		"decision", f.DecisionID)
	if warned == nil {
		return nil
	}
	return q.add(ctx, tx, id, event)
}

// reopen opens a resolved finding that is found again, and warns of it as
// of a new one.
func (s *Sweeper) reopen(ctx context.Context, tx pgx.Tx, k *kept, f verify.Finding,
	q *warnings) error {
	warned := q.warnedAt(f.Severity)
	if _, err := tx.Exec(ctx, `UPDATE findings SET last_seen = now(), opened_at = now(),
		absent_since = NULL, warned_severity = $2 WHERE id = $1`, k.id, warned); err != nil {
		return fmt.Errorf("reopen finding %d: %w", k.id, err)
	}
	if err := updateDetails(ctx, tx, k.id, f); err != nil {
		return err
	}
	event, err := setState(ctx, tx, stateChange{id: k.id, from: k.state, to: StateOpen,
		kind: EventReopened, actor: ActorVerifier, reason: "found again"})
	if err != nil {
		return err
	}
	s.logger.Debug("finding reopened", "finding", k.id, "code", f.Code,
		"severity", f.Severity, "decision", f.DecisionID)
	if warned == nil {
		return nil
	}
	return q.add(ctx, tx, k.id, event)
}

// escalate records that a finding still open or acknowledged is found at a
// higher severity than before, and warns of it as of a new one unless it
// was warned of at that severity or higher since it opened (it fell and
// rose again). Its state stays as it is: a person who acknowledged it has
// seen the finding, not its new severity.
func (s *Sweeper) escalate(ctx context.Context, tx pgx.Tx, k *kept, f verify.Finding,
	q *warnings) error {
	warned := q.warnedAt(f.Severity)
	reason := fmt.Sprintf("severity rose from %s to %s", k.severity, f.Severity)
	if severityRank(f.Severity) <= severityRank(k.warned) {
		warned = nil
		reason += fmt.Sprintf("; warned of at %s already", k.warned)
	}
	event, err := s.severityEvent(ctx, tx, k, f, EventEscalated, reason)
	if err != nil || warned == nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE findings SET warned_severity = $2 WHERE id = $1`,
		k.id, warned); err != nil {
		return fmt.Errorf("note the warning of finding %d: %w", k.id, err)
	}
	return q.add(ctx, tx, k.id, event)
}

// deescalate records that a finding still open or acknowledged is found at
// a lower severity than before; no one is warned of it.
func (s *Sweeper) deescalate(ctx context.Context, tx pgx.Tx, k *kept, f verify.Finding) error {
	_, err := s.severityEvent(ctx, tx, k, f, EventDeescalated,
		fmt.Sprintf("severity fell from %s to %s", k.severity, f.Severity))
	return err
}

// severityEvent records a change of a finding's severity that leaves its
// state as it is, and returns the event's id.
func (s *Sweeper) severityEvent(ctx context.Context, tx pgx.Tx, k *kept, f verify.Finding,
	kind, reason string) (int64, error) {
	var event int64
	err := tx.QueryRow(ctx, `INSERT INTO finding_events (finding_id, kind, from_state,
		to_state, actor, reason) VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`,
		k.id, kind, k.state, ActorVerifier, reason).Scan(&event)
	if err != nil {
		return 0, fmt.Errorf("record %s of finding %d: %w", kind, k.id, err)
	}
	s.logger.Debug("finding "+kind, "finding", k.id, "code", f.Code,
		"from", k.severity, "to", f.Severity, "decision", f.DecisionID)
	return event, nil
}

// updateDetails copies what may change from one sweep to the next.
func updateDetails(ctx context.Context, tx pgx.Tx, id int64, f verify.Finding) error {
	_, err := tx.Exec(ctx, `UPDATE findings SET severity = $2, message = $3, message_zh = $4,
		decision_title = $5, matter_code = $6, unit_code = $7 WHERE id = $1`,
		id, f.Severity, f.Message, f.MessageZH, f.DecisionTitle, f.MatterCode, f.UnitCode)
	if err != nil {
		return fmt.Errorf("update finding %d: %w", id, err)
	}
	return nil
}

// markGone resolves the open and acknowledged findings of the rules that
// ran that were not found, and notes when a resolved one was not found.
func markGone(ctx context.Context, tx pgx.Tx, rows map[string]*kept,
	found map[string]verify.Finding, ran []string) (int, error) {
	var gone []*kept
	for fp, k := range rows {
		if _, ok := found[fp]; !ok && slices.Contains(ran, k.code) {
			gone = append(gone, k)
		}
	}
	slices.SortFunc(gone, func(a, b *kept) int { return cmp.Compare(a.id, b.id) })
	resolved := 0
	for _, k := range gone {
		if _, err := tx.Exec(ctx, `UPDATE findings SET absent_since = now()
			WHERE id = $1 AND absent_since IS NULL`, k.id); err != nil {
			return 0, fmt.Errorf("note finding %d gone: %w", k.id, err)
		}
		if k.state == StateResolved {
			continue
		}
		if _, err := setState(ctx, tx, stateChange{id: k.id, from: k.state,
			to: StateResolved, kind: EventResolved, actor: ActorVerifier,
			reason: ReasonGone}); err != nil {
			return 0, err
		}
		resolved++
	}
	return resolved, nil
}

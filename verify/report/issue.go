package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/pgtext"
	"github.com/liuhen/liuhen/internal/textcell"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// Triggers: who asked for a report.
const (
	TriggerOnDemand = "on_demand"
	TriggerDaily    = "daily"
	TriggerWeekly   = "weekly"
	TriggerMonthly  = "monthly"
)

// Objects is the part of the evidence store reports are issued into. Put
// stores size bytes under key once, under object lock, refusing bytes that
// do not hash to sum; PresignGet gives a link to read an object for ttl.
type Objects interface {
	Put(ctx context.Context, key string, r io.Reader, size int64, sum [32]byte,
		contentType string) error
	PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error)
}

// Issuer makes reports and keeps them: every report it issues is stored in
// the evidence store and catalogued in the reports table.
type Issuer struct {
	pool    *pgxpool.Pool
	objects Objects
	checker verify.ObjectChecker // nil: RECORDING_TAMPERED is not checked
	printer Printer              // nil: no PDF
	logger  *slog.Logger
}

// NewIssuer returns an issuer. checker lets the verifier check segment
// objects; without it, reports leave RECORDING_TAMPERED out. printer makes
// PDFs; without it, asking for a PDF fails with ErrNoPrinter.
func NewIssuer(pool *pgxpool.Pool, objects Objects, checker verify.ObjectChecker,
	printer Printer, logger *slog.Logger) *Issuer {
	return &Issuer{pool: pool, objects: objects, checker: checker, printer: printer,
		logger: logger.With("component", "report")}
}

// Request is a report to issue.
type Request struct {
	Trigger  string // one of the Trigger constants; "" is TriggerOnDemand
	Options  verify.Options
	Format   Format
	IssuedBy string // who asked: "liuhen report", IssuedByAPI or "schedule"
}

// Issued is the catalogue entry of an issued report.
type Issued struct {
	ID        int64      `json:"id"`
	Trigger   string     `json:"trigger"`
	UnitCode  string     `json:"unit_code"`
	From      *time.Time `json:"from"`
	To        *time.Time `json:"to"`
	Format    Format     `json:"format"`
	ObjectKey string     `json:"object_key"`
	SHA256    string     `json:"sha256"`
	Size      int64      `json:"size_bytes"`
	Checked   int        `json:"checked"`
	Passed    int        `json:"passed"`
	Findings  int        `json:"findings"`
	IssuedBy  string     `json:"issued_by"`
	CreatedAt time.Time  `json:"created_at"`
	// URL reads the stored report for an hour; set by Get, not by List.
	URL string `json:"url,omitempty"`
}

// Make runs the verification req asks for and renders it, without
// storing anything.
func (is *Issuer) Make(ctx context.Context, w io.Writer, req Request) (Compliance, error) {
	opts := req.Options
	if is.checker == nil && len(opts.Codes) == 0 {
		opts.Codes = withoutCode(verify.Codes(), verify.CodeRecordingTampered)
	}
	if err := startsAfterToday(opts); err != nil {
		if all := Check(ctx, is.pool, opts); errors.Is(all, verify.ErrInvalidOptions) {
			return Compliance{}, all
		}
		return Compliance{}, err
	}
	v, err := verify.Run(ctx, is.pool, is.checker, opts)
	if err != nil {
		return Compliance{}, err
	}
	c, err := Build(ctx, is.pool, v)
	if err != nil {
		return Compliance{}, err
	}
	if err := Render(ctx, w, c, req.Format, is.printer); err != nil {
		return Compliance{}, err
	}
	return c, nil
}

// Validate checks what it can of the options of a report without the
// database: what verify.Options.Validate checks, and that a period without
// an end does not start after today. It returns every problem at once, each
// an *verify.OptionError, joined.
func Validate(opts verify.Options) error {
	return errors.Join(opts.Validate(), startsAfterToday(opts))
}

// Check tells every problem of the options of a report at once, as Make
// would: Validate's and those only the database shows (verify.Check). It
// returns nil for options Make accepts and, when the database could not be
// asked, an error that does not wrap verify.ErrInvalidOptions.
func Check(ctx context.Context, pool *pgxpool.Pool, opts verify.Options) error {
	err := verify.Check(ctx, pool, opts)
	if err != nil && !errors.Is(err, verify.ErrInvalidOptions) {
		return err
	}
	return errors.Join(err, startsAfterToday(opts))
}

// startsAfterToday refuses a period without 'to' that starts after today:
// a report without 'to' runs to today, so this one would end before it
// starts, and be printed (and, issued, locked) as such.
func startsAfterToday(opts verify.Options) error {
	if opts.From.IsZero() || !opts.To.IsZero() || !opts.From.After(time.Now()) {
		return nil
	}
	return &verify.OptionError{
		Field: "from",
		Reason: fmt.Sprintf("the period starts %s, after today, where a report without "+
			"'to' ends; give a 'from' in the past, or a 'to' as well",
			opts.From.In(Zone).Format("2006-01-02")),
		Err: verify.ErrBadPeriod,
	}
}

// Issue makes the report req asks for, stores it and catalogues it, and
// writes a copy of the stored bytes to copyTo unless it is nil. A scheduled
// report (a trigger other than on demand) is issued once per trigger, unit,
// period and format: asking again returns the one issued, and writes
// nothing to copyTo.
func (is *Issuer) Issue(ctx context.Context, req Request, copyTo io.Writer) (Issued, error) {
	if req.Trigger == "" {
		req.Trigger = TriggerOnDemand
	}
	if req.Trigger != TriggerOnDemand {
		if prev, ok, err := is.scheduled(ctx, req); err != nil || ok {
			return prev, err
		}
	}
	var body bytes.Buffer
	c, err := is.Make(ctx, &body, req)
	if err != nil {
		return Issued{}, err
	}
	var id int64
	if err := is.pool.QueryRow(ctx, `SELECT nextval('reports_id_seq')`).Scan(&id); err != nil {
		return Issued{}, fmt.Errorf("issue report: %w", err)
	}
	out := Issued{
		ID: id, Trigger: req.Trigger, UnitCode: req.Options.Unit, From: c.From, To: c.To,
		Format: req.Format, Size: int64(body.Len()), Checked: c.Checked, Passed: c.Passed,
		Findings: len(c.Findings), IssuedBy: req.IssuedBy,
	}
	out.ObjectKey = objectKey(out)
	sum := sha256.Sum256(body.Bytes())
	out.SHA256 = hex.EncodeToString(sum[:])
	if err := is.put(ctx, out.ObjectKey, body.Bytes(), sum, req.Format); err != nil {
		return Issued{}, fmt.Errorf("store report %s: %w", out.ObjectKey, err)
	}
	if err := is.catalogue(ctx, &out, sum); err != nil {
		// The object is stored and locked; without its row nobody finds it.
		is.logger.Error("report stored but not catalogued", "key", out.ObjectKey, "err", err)
		return Issued{}, err
	}
	if copyTo != nil {
		if _, err := copyTo.Write(body.Bytes()); err != nil {
			return out, fmt.Errorf("copy report %d: %w", out.ID, err)
		}
	}
	is.logger.Info("report issued", "id", out.ID, "trigger", out.Trigger, "unit", out.UnitCode,
		"format", out.Format, "findings", out.Findings, "key", out.ObjectKey)
	return out, nil
}

// putTimeout bounds storing a report of size bytes: a report is issued
// in one request, which must not hang on an evidence store that accepts
// connections and answers nothing. A variable so that a test can run out
// of it.
var putTimeout = func(size int) time.Duration {
	return 30*time.Second + time.Duration(size>>20)*time.Second
}

// put stores body under key, giving up after putTimeout with
// storage.ErrUnavailable.
func (is *Issuer) put(ctx context.Context, key string, body []byte, sum [32]byte,
	f Format) error {
	limit := putTimeout(len(body))
	pctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := is.objects.Put(pctx, key, bytes.NewReader(body), int64(len(body)), sum,
		f.ContentType())
	if err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: the evidence store took over %v to store %d bytes",
			storage.ErrUnavailable, limit, len(body))
	}
	return err
}

// objectKey names a report's object: its unit, period and id. A report of
// every unit is under "_all", which no unit code can be (a code begins
// with a letter or a digit), so that a unit coded "all" keeps a prefix of
// its own.
func objectKey(r Issued) string {
	unit := r.UnitCode
	if unit == "" {
		unit = "_all"
	}
	period := "all-time"
	if r.From != nil || r.To != nil {
		period = keyDay(r.From, "start") + "_" + keyDay(r.To, "now")
	}
	return fmt.Sprintf("reports/%s/%s/report-%d.%s", url.PathEscape(unit), period, r.ID, r.Format)
}

func keyDay(t *time.Time, open string) string {
	if t == nil {
		return open
	}
	return t.In(Zone).Format("20060102")
}

func (is *Issuer) catalogue(ctx context.Context, r *Issued, sum [32]byte) error {
	err := is.pool.QueryRow(ctx, `
		INSERT INTO reports (id, trigger, unit_code, period_from, period_to, format,
		    object_key, sha256, size_bytes, checked, passed, findings, issued_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING created_at`,
		r.ID, r.Trigger, r.UnitCode, r.From, r.To, string(r.Format), r.ObjectKey, sum[:],
		r.Size, r.Checked, r.Passed, r.Findings, r.IssuedBy).Scan(&r.CreatedAt)
	if err != nil {
		return fmt.Errorf("catalogue report %d: %w", r.ID, err)
	}
	return nil
}

// scheduled finds the report a schedule already issued for req.
func (is *Issuer) scheduled(ctx context.Context, req Request) (Issued, bool, error) {
	rows, err := is.pool.Query(ctx, selectIssued+`
		WHERE trigger = $1 AND unit_code = $2 AND period_from = $3 AND format = $4`,
		req.Trigger, req.Options.Unit, req.Options.From, string(req.Format))
	if err != nil {
		return Issued{}, false, fmt.Errorf("look up scheduled report: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanIssued)
	if err != nil || len(list) == 0 {
		return Issued{}, false, err
	}
	return list[0], true, nil
}

const selectIssued = `
SELECT id, trigger, unit_code, period_from, period_to, format, object_key, sha256,
       size_bytes, checked, passed, findings, issued_by, created_at
FROM reports`

func scanIssued(row pgx.CollectableRow) (Issued, error) {
	var r Issued
	var sum []byte
	var format string
	err := row.Scan(&r.ID, &r.Trigger, &r.UnitCode, &r.From, &r.To, &format, &r.ObjectKey,
		&sum, &r.Size, &r.Checked, &r.Passed, &r.Findings, &r.IssuedBy, &r.CreatedAt)
	r.Format, r.SHA256 = Format(format), hex.EncodeToString(sum)
	// The period in China Standard Time, as the report gives it and as
	// Issue answered when it was issued.
	for _, t := range []*time.Time{r.From, r.To} {
		if t != nil {
			*t = t.In(Zone)
		}
	}
	return r, err
}

// List returns issued reports, newest first: when unit is not "", those
// issued for that unit code (not those of its sub-units), at most limit from
// offset. A unit code it does not know (knownUnit) is refused.
func (is *Issuer) List(ctx context.Context, unit string, limit, offset int) ([]Issued, error) {
	if err := is.knownUnit(ctx, unit); err != nil {
		return nil, err
	}
	rows, err := is.pool.Query(ctx, selectIssued+`
		WHERE $1 = '' OR unit_code = $1
		ORDER BY id DESC LIMIT $2 OFFSET $3`, unit, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanIssued)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return list, nil
}

// knownUnit refuses a unit code to list reports by, as the findings API
// refuses one, with an *verify.OptionError wrapping verify.ErrUnknownUnit:
// a code that is not text, or that no org unit has and no report was
// issued for. The org unit is looked up by verify.Check, as for issuing a
// report. A report keeps the code it was issued for, and the unit's code
// may have changed since (PATCH /org-units/{id}), so a code that issued
// reports carry is known: those reports can still be listed by it.
func (is *Issuer) knownUnit(ctx context.Context, unit string) error {
	err := verify.Check(ctx, is.pool, verify.Options{Unit: unit})
	if !errors.Is(err, verify.ErrUnknownUnit) || !pgtext.Valid(unit) {
		return err
	}

	var issued bool
	err = is.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reports WHERE unit_code = $1)`,
		unit).Scan(&issued)
	if err != nil {
		return fmt.Errorf("look up reports of unit %q: %w", unit, err)
	}
	if issued {
		return nil
	}
	return &verify.OptionError{
		Field: "unit",
		Reason: fmt.Sprintf("no org unit has code %s and no report was issued for one; "+
			"give the code of an org unit, or leave unit out for the reports of every unit",
			textcell.Echo(unit)),
		Err: verify.ErrUnknownUnit,
	}
}

// Get returns one issued report with a link to read it for an hour.
func (is *Issuer) Get(ctx context.Context, id int64) (Issued, error) {
	rows, err := is.pool.Query(ctx, selectIssued+` WHERE id = $1`, id)
	if err != nil {
		return Issued{}, fmt.Errorf("get report %d: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanIssued)
	if errors.Is(err, pgx.ErrNoRows) {
		return Issued{}, fmt.Errorf("report %d: %w", id, ErrNotFound)
	} else if err != nil {
		return Issued{}, fmt.Errorf("get report %d: %w", id, err)
	}
	u, err := is.objects.PresignGet(ctx, r.ObjectKey, time.Hour)
	if err != nil {
		return Issued{}, fmt.Errorf("link report %d: %w", id, err)
	}
	r.URL = u.String()
	return r, nil
}

func withoutCode(codes []string, drop string) []string {
	out := codes[:0:0]
	for _, c := range codes {
		if c != drop {
			out = append(out, c)
		}
	}
	return out
}

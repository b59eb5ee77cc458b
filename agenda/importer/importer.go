package importer

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
)

// Kind is what a file holds.
type Kind string

// The kinds of import, in the order a new county loads them.
const (
	KindUnits     Kind = "units"
	KindBodies    Kind = "bodies"
	KindMatters   Kind = "matters"
	KindMeetings  Kind = "meetings"
	KindDecisions Kind = "decisions"
)

// Kinds lists every Kind.
var Kinds = []Kind{KindUnits, KindBodies, KindMatters, KindMeetings, KindDecisions}

// ParseKind returns the Kind named s, or an error matching ErrUnknownKind
// that lists the kinds.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", fmt.Errorf("%w %q: use one of %s", ErrUnknownKind, s, strings.Join(names, ", "))
}

// DefaultMaxBytes is the largest file an import reads unless told otherwise.
const DefaultMaxBytes = 32 << 20

// Options tune an import.
type Options struct {
	// DryRun reads and checks the file and runs every write, then rolls
	// the transaction back: the counts say what an import would change.
	DryRun bool
	// Location is the zone of dates and times without one; nil means
	// ChinaStandardTime.
	Location *time.Location
	// Progress, when set, hears how far the import is.
	Progress Progress
}

// Progress hears how far an import is: phase is "reading" while rows are
// checked and "writing TABLE" while a table's rows are written; done of
// total rows. Calls come from the importing goroutine, every 1000 rows and
// at the end of a phase.
type Progress func(phase string, done, total int)

// Count says what an import did to one table.
type Count struct {
	Table     string `json:"table"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	// Removed counts rows replaced by the file's list: attendance and
	// recusals of the meetings the file holds, earlier-stage links of its
	// decisions.
	Removed int `json:"removed"`
}

// Result is what an import read and did.
type Result struct {
	Kind   Kind    `json:"kind"`
	DryRun bool    `json:"dry_run"`
	Rows   int     `json:"rows"` // data rows read
	Counts []Count `json:"counts"`
	// Ignored lists the columns no field was read from, as "sheet: header".
	Ignored []string `json:"ignored_columns"`
}

// importLock serialises imports (pg_advisory_xact_lock), so that two of
// them never race to create the same codes.
const importLock = 0x6c68696d706f7274 // "lhimport"

// ReadAll reads r up to max bytes (DefaultMaxBytes when max <= 0),
// returning an error matching ErrTooLarge as soon as r holds more; it never
// holds more than max+1 bytes.
func ReadAll(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if int64(len(data)) > max {
		return nil, TooLarge(max)
	}
	return data, nil
}

// TooLarge is the error for a file over max bytes.
func TooLarge(max int64) error {
	return fmt.Errorf("%w: it is larger than %d bytes (%d MiB), the limit of an import; "+
		"split it into several files, or raise LIUHEN_IMPORT_MAX_BYTES", ErrTooLarge, max,
		max>>20)
}

// Import reads the file data, named name, as a file of kind and writes it
// in one transaction. A file with bad rows is an error matching ErrInvalid
// (a *FileError listing every problem) and changes nothing.
func Import(ctx context.Context, pool *pgxpool.Pool, kind Kind, name string, data []byte,
	opts Options) (Result, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return Result{}, err
	}
	if opts.Location == nil {
		opts.Location = ChinaStandardTime
	}
	if opts.Progress == nil {
		opts.Progress = func(string, int, int) {}
	}
	sheets, err := readSheets(name, data)
	if err != nil {
		return Result{}, err
	}
	j := &job{opts: opts, res: Result{Kind: kind, DryRun: opts.DryRun, Ignored: []string{}}}
	tables := j.locate(sheets, layouts[kind])
	if err := j.p.err(); err != nil {
		return Result{}, err
	}

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, importLock); err != nil {
			return fmt.Errorf("lock imports: %w", err)
		}
		j.tx = tx
		if err := runners[kind](ctx, j, tables); err != nil {
			return err
		}
		if err := j.p.err(); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if ce, ok := agenda.CommitConflict(err); ok {
		return Result{}, &FileError{Errors: []RowError{{Reason: ce.Reason}}}
	}
	if err != nil && err != errDryRun {
		return Result{}, fmt.Errorf("import %s: %w", kind, err)
	}
	return j.res, nil
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = fmt.Errorf("dry run")

// job is the state of one import.
type job struct {
	opts Options
	tx   pgx.Tx
	p    problems
	res  Result
	// stages counts the staging tables made, to name them apart.
	stages int
	// written counts rows written towards writeTotal; when writeTotal is
	// 0, each table's rows are counted alone.
	written, writeTotal int
}

// reading reports that row i (from 0) of n has been checked.
func (j *job) reading(i, n int) {
	if (i+1)%1000 == 0 || i+1 == n {
		j.opts.Progress("reading", i+1, n)
	}
}

// locate finds the header of every sheet that has one. Sheets without
// one (instructions, lists for drop-downs) are skipped, unless no sheet
// has one.
func (j *job) locate(sheets []sheet, l layout) []*table {
	var tables []*table
	for i := range sheets {
		h, ok := findHeader(&sheets[i], l)
		if !ok {
			continue
		}
		t := newTable(&sheets[i], i, h, l, &j.p)
		for _, ig := range t.ignored {
			j.res.Ignored = append(j.res.Ignored, sheets[i].name+": "+ig)
		}
		tables = append(tables, t)
	}
	if len(tables) == 0 {
		var names []string
		for _, c := range l {
			if c.required {
				names = append(names, c.names[0])
			}
		}
		j.p.list = append(j.p.list, issue{RowError: RowError{Sheet: sheets[0].name,
			Reason: fmt.Sprintf("no header row found in the first %d rows of any sheet: "+
				"the file needs a row naming the columns, with at least %s",
				headerRows, strings.Join(names, ", "))}})
	}
	return tables
}

// records returns the data rows of every table.
func (j *job) records(tables []*table) []record {
	var out []record
	for _, t := range tables {
		out = append(out, t.records(&j.p, j.opts.Location)...)
	}
	j.res.Rows = len(out)
	if len(out) == 0 && len(tables) > 0 {
		t := tables[0]
		j.p.list = append(j.p.list, issue{sheet: t.index, row: t.header, RowError: RowError{
			Sheet: t.sheet.name, Row: t.header,
			Reason: "there are no rows below the header: nothing to import"}})
	}
	return out
}

// counted adds a table's count to the result.
func (j *job) counted(c Count) { j.res.Counts = append(j.res.Counts, c) }

package county

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// flushRows is about how many rows a batch holds before it is written.
const flushRows = 100_000

// skipRowTriggers lets Generate switch PostgreSQL's per-row foreign-key
// triggers off where the role may; tests turn it off to run the triggers.
var skipRowTriggers = true

// Generate writes the county opts describes into the database, in one
// transaction: all of it or, on any error, nothing. It refuses, with an
// error wrapping ErrCountyExists, when an org unit already has the county's
// code or a code the county would use; bad options give an error wrapping
// ErrInvalidOptions.
//
// While it runs, the tables it writes are locked against other writers
// (readers go on), since it hands out their ids itself. Foreign keys are
// checked per row, or once at the end when the role may switch the row
// triggers off (see checks.go).
func Generate(ctx context.Context, pool *pgxpool.Pool, opts Options) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, fmt.Errorf("generate county: %w", err)
	}
	started := time.Now()
	var res Result
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := lockTables(ctx, tx); err != nil {
			return err
		}
		if err := refuseExisting(ctx, tx, opts.Code); err != nil {
			return err
		}
		skipped := false
		if skipRowTriggers {
			var err error
			if skipped, err = skipRowChecks(ctx, tx); err != nil {
				return err
			}
		}
		a, err := startIDs(ctx, tx)
		if err != nil {
			return err
		}
		g := &generator{opts: opts, ids: a, res: newResult(opts)}
		if err := g.run(ctx, tx); err != nil {
			return err
		}
		g.report("finishing")
		if skipped {
			if err := checkForeignKeys(ctx, tx, a); err != nil {
				return err
			}
			if err := checkStages(ctx, tx, a); err != nil {
				return err
			}
			if err := refreshSearch(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := noViewingCopies(ctx, tx, a); err != nil {
			return err
		}
		if err := finishIDs(ctx, tx, a); err != nil {
			return err
		}
		if err := analyze(ctx, tx); err != nil {
			return err
		}
		res = g.result()
		res.KeysCheckedAtEnd = skipped
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("generate county %s: %w", opts.Code, err)
	}
	res.Elapsed = time.Since(started)
	return res, nil
}

// refuseExisting fails when an org unit has code or a code under it.
func refuseExisting(ctx context.Context, tx pgx.Tx, code string) error {
	var found string
	err := tx.QueryRow(ctx, `SELECT code FROM org_units WHERE code = $1 OR code LIKE $1 || '-%'
		ORDER BY code LIMIT 1`, code).Scan(&found)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("look for county %s: %w", code, err)
	}
	return fmt.Errorf("%w: the database already holds org unit %q; give another county "+
		"code, or generate into a database without it", ErrCountyExists, found)
}

// A generator holds one Generate call's state. Everything but run's write
// loop happens on the producing goroutine.
type generator struct {
	opts     Options
	ids      *ids
	units    []*unit
	res      *Result
	workdays []int
	written  int // decisions written, for progress
}

// rand gives unit u its own random stream, so a unit's data depends only
// on the seed and its position, not on what was generated before it.
func (g *generator) rand(u *unit, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.opts.Seed, uint64(u.index+1)<<8|stream))
}

func (g *generator) report(phase string) {
	if g.opts.Progress != nil {
		g.opts.Progress(Progress{Phase: phase, Decisions: g.written, Total: g.opts.Decisions})
	}
}

// run produces batches on one goroutine while this one copies them into
// the database.
func (g *generator) run(ctx context.Context, tx pgx.Tx) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan *batch, 1)
	done := make(chan error, 1)
	go func() {
		defer close(out)
		done <- g.produce(ctx, out)
	}()
	var werr error
	for b := range out {
		if werr != nil {
			continue // drain until the producer sees the cancel
		}
		if werr = b.write(ctx, tx); werr != nil {
			cancel()
			continue
		}
		g.written += b.decisions
		g.report(b.phase)
	}
	if err := <-done; werr == nil {
		return err
	}
	return werr
}

func (g *generator) produce(ctx context.Context, out chan<- *batch) error {
	g.workdays = g.listWorkdays()
	g.buildUnits()
	s := &sink{ctx: ctx, out: out, res: g.res, b: &batch{phase: "structure"}}
	g.buildStaff(s.b)
	if err := s.flush("meetings"); err != nil {
		return err
	}
	shares := g.assign(g.blocks())
	var carried []block
	for i, u := range g.units {
		blocks := append(carried, shares[i]...)
		p, left := g.planUnit(u, blocks, i == len(g.units)-1)
		carried = left
		if err := g.emitUnit(s, p); err != nil {
			return err
		}
	}
	return s.flush("")
}

// A sink hands full batches to the writer and starts the next one.
type sink struct {
	ctx context.Context
	out chan<- *batch
	res *Result
	b   *batch
}

func (s *sink) flushIfFull() error {
	if s.b.n < flushRows {
		return nil
	}
	return s.flush(s.b.phase)
}

// flush sends the batch, counting its rows, and starts one for phase.
func (s *sink) flush(phase string) error {
	for t := range numTables {
		s.res.rows[t] += len(s.b.rows[t])
	}
	select {
	case s.out <- s.b:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	s.b = &batch{phase: phase}
	return nil
}

// A block is what one draw of the violation schedule gives a unit: one
// normal decision (kind ""), or size decisions that carry one violation
// together (a split payment, a meeting without quorum, ...).
type block struct {
	kind    Kind
	variant string
	size    int
}

// blockSizes gives, per kind, the largest block (a meeting or an item
// whose every decision carries the fault); 1 for faults of one decision.
var blockSizes = map[Kind]int{
	NoQuorum: 3, NoRecording: 3, RecordingInterrupted: 3, ItemNotCovered: 2,
	VoteShort: 2, RecusalMissed: 2, LeaderNotLast: 2, SplitSpending: 4, Backdated: 3,
	StageSkipped: 2,
}

// blocks is the county's violation schedule, shuffled.
func (g *generator) blocks() []block {
	r := rand.New(rand.NewPCG(g.opts.Seed, 0))
	counts := g.opts.counts()
	var out []block
	planted := 0
	for _, k := range allKinds {
		for left := counts[k]; left > 0; {
			bl := block{kind: k, size: 1 + r.IntN(max(blockSizes[k], 1))}
			switch k {
			case SplitSpending:
				bl.size = 2 + r.IntN(3)
				if left-bl.size == 1 {
					bl.size++
				}
			case Backdated:
				bl.variant = pick(r, []string{"registered", "registered", "minutes"})
			case ItemNotCovered:
				bl.variant = pick(r, []string{"no-index", "paused"})
			case StageSkipped:
				bl.variant = pick(r, []string{"missing", "late"})
			}
			if bl.variant == "registered" {
				bl.size = 1
			}
			bl.size = min(bl.size, left)
			out = append(out, bl)
			left -= bl.size
			planted += bl.size
		}
	}
	for range g.opts.Decisions - planted {
		out = append(out, block{size: 1})
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// assign deals the blocks out to the units, each unit getting about its
// weight's share of the decisions; the units' lists share blocks' array.
func (g *generator) assign(blocks []block) [][]block {
	total := 0.0
	for _, u := range g.units {
		total += u.weight
	}
	out := make([][]block, len(g.units))
	cum, taken, next := 0.0, 0, 0
	for i, u := range g.units {
		cum += u.weight
		target := int(math.Round(cum / total * float64(g.opts.Decisions)))
		if i == len(g.units)-1 {
			target = math.MaxInt
		}
		start := next
		for next < len(blocks) && taken < target {
			taken += blocks[next].size
			next++
		}
		out[i] = blocks[start:next:next]
	}
	return out
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

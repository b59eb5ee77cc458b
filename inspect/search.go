package inspect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/liuhen/liuhen/internal/textcell"
	"github.com/liuhen/liuhen/verify/alert"
)

// Searcher searches agenda items (see the package doc).
type Searcher struct {
	pool     *pgxpool.Pool
	findings *alert.Store
}

// NewSearcher returns a searcher over the database of pool.
func NewSearcher(pool *pgxpool.Pool) *Searcher {
	return &Searcher{pool: pool, findings: alert.NewStore(pool)}
}

// similarThreshold is the word_similarity a result must reach to be
// listed when nothing contains the text: half the text's trigrams in one
// stretch of the item's text.
const similarThreshold = 0.5

// Search returns the page of items q asks for. Bad input, such as an
// unknown unit, is an *InputError; has_findings before any sweep of the
// findings has completed is ErrNotSwept.
func (s *Searcher) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	filters, err := s.where(ctx, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{Query: q, Match: MatchAll, Items: []Item{}}
	if q.HasFindings != nil {
		// Read before the page: a sweep that ends meanwhile makes the page
		// newer than AsOf says, never older.
		if res.Findings, err = findingsBasis(ctx, s.findings); err != nil {
			return Result{}, err
		}
	}
	w := filters.clone()
	if q.Text != "" {
		res.Match = MatchContains
		w.contains(q.Text)
	}
	if err := s.page(ctx, w, q, "", &res); err != nil {
		return Result{}, err
	}
	if res.Total == 0 && utf8.RuneCountInString(q.Text) >= 3 {
		w = filters.clone()
		rank := w.similar(q.Text)
		res.Match = MatchSimilar
		if err := s.page(ctx, w, q, rank, &res); err != nil {
			return Result{}, err
		}
	}
	res.markNotYetChecked()
	return res, nil
}

// page fills res with the page and the count of w's matches, ranked by
// rank (an SQL expression, best first) before the meeting's time. The
// page and the count run at once, on two connections. Similar items
// (rank set) are not counted, as each costs a word_similarity: their
// total is the page's, "at least" when the page is full.
func (s *Searcher) page(ctx context.Context, w *where, q Query, rank string,
	res *Result) error {
	var items []Item
	total, exact := -1, false
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return s.read(gctx, true, rank != "", func(tx pgx.Tx) (err error) {
			items, err = loadPage(gctx, tx, w, q, rank)
			return err
		})
	})
	if rank == "" {
		g.Go(func() error {
			return s.read(gctx, false, false, func(tx pgx.Tx) (err error) {
				total, exact, err = count(gctx, tx, w)
				return err
			})
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	res.Items, res.Total, res.TotalExact = items, total, exact
	if total < 0 || (len(items) > 0 && len(items) < q.Limit) {
		res.Total = q.Offset + len(items)
		res.TotalExact = len(items) < q.Limit && (len(items) > 0 || q.Offset == 0)
	}
	for i := range res.Items {
		res.Items[i].finish(q.Text, rank != "")
	}
	return nil
}

// read runs f in a read-only transaction. noSeqScan keeps the planner off
// sequential scans: it takes a LIKE on Chinese text for almost free, when
// each costs microseconds, and would read a large part of the table to
// count a common word within a period. similar sets the threshold of
// pg_trgm's <% operator.
func (s *Searcher) read(ctx context.Context, noSeqScan, similar bool,
	f func(pgx.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin search: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var set []string
	if noSeqScan {
		set = append(set, "SET LOCAL enable_seqscan = off")
	}
	if similar {
		set = append(set, fmt.Sprintf("SET LOCAL pg_trgm.word_similarity_threshold = %g",
			similarThreshold))
	}
	if len(set) > 0 {
		if _, err := tx.Exec(ctx, strings.Join(set, "; "),
			pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("prepare search: %w", err)
		}
	}
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// count counts w's matches up to CountLimit. It looks at the rows whose
// keys hold the text's bigrams, and rechecks the LIKE on those only, so
// that the planner estimates from the keys alone and may scan the table
// for a common word, checking each row's keys for microseconds less than
// a LIKE would take. The count is exact when every row found was looked
// at; a row with every bigram of the text but not the text itself makes
// it "at least".
func count(ctx context.Context, tx pgx.Tx, w *where) (int, bool, error) {
	hit := "true"
	if w.recheck != "" {
		hit = w.recheck
	}
	sql := fmt.Sprintf(`SELECT count(*) FILTER (WHERE hit), count(*)
		FROM (SELECT %s AS hit FROM search_items s WHERE %s LIMIT %d) x`,
		hit, w.countSQL(), CountLimit+1)
	var hits, seen int
	args := append([]any{pgx.QueryExecModeExec}, w.args...)
	if err := tx.QueryRow(ctx, sql, args...).Scan(&hits, &seen); err != nil {
		return 0, false, fmt.Errorf("count search results: %w", err)
	}
	switch {
	case seen <= CountLimit:
		return hits, true, nil
	case hits > CountLimit:
		return CountLimit, false, nil
	}
	return hits, false, nil
}

// where builds the conditions of a search on search_items s.
type where struct {
	args  []any
	keys  []string // int[] expressions the row's keys must contain
	conds []string
	// recheck is the LIKE of a text, and textKeys its bigram keys; bigram
	// says the text has two characters.
	recheck, textKeys string
	bigram            bool
}

func (w *where) clone() *where {
	c := *w
	c.args, c.keys, c.conds = slices.Clone(w.args), slices.Clone(w.keys), slices.Clone(w.conds)
	return &c
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

// where turns q's filters into conditions, looking up its unit.
func (s *Searcher) where(ctx context.Context, q Query) (*where, error) {
	w := &where{}
	if q.Unit != "" {
		id, err := unitID(ctx, s.pool, q.Unit)
		if err != nil {
			return nil, err
		}
		w.keys = append(w.keys, fmt.Sprintf("ARRAY[-%s::int]", w.arg(id)))
	}
	for _, f := range []struct{ facet, value string }{
		{"kind:", q.BodyKind}, {"category:", q.Category}, {"class:", q.MajorClass},
	} {
		if f.value != "" {
			w.keys = append(w.keys,
				fmt.Sprintf("ARRAY[search_facet_key(%s::text)]", w.arg(f.facet+f.value)))
		}
	}
	if !q.From.IsZero() {
		w.conds = append(w.conds, "s.held_at >= "+w.arg(q.From))
	}
	if !q.To.IsZero() {
		w.conds = append(w.conds, "s.held_at < "+w.arg(q.To))
	}
	if q.HasFindings != nil {
		cond := hasFindingsSQL
		if !*q.HasFindings {
			cond = "NOT " + cond
		}
		w.conds = append(w.conds, cond)
	}
	return w, nil
}

// contains asks for items whose text contains t, ignoring case: the text
// is kept in lower case, so LIKE, cheaper than ILIKE, does. The page looks
// t up in the trigram index (t's bigram keys, for a t of two characters,
// which has no trigram); the count looks up its bigram keys, which cost
// little to check on each row, and rechecks the LIKE on the rows found
// (see count).
func (w *where) contains(t string) {
	p := w.arg(t)
	w.recheck = fmt.Sprintf(likeSQL, p)
	w.textKeys = fmt.Sprintf("search_bigram_keys(%s::text)", p)
	w.bigram = utf8.RuneCountInString(t) == 2
}

// likeSQL is the LIKE of a text given as a parameter: its wildcards and
// escape character escaped, in lower case. The planner folds the pattern
// to a constant, so the trigram index serves it.
const likeSQL = `s.doc LIKE '%%' || lower(replace(replace(replace(%[1]s::text, '\', '\\'),
    '%%', '\%%'), '_', '\_')) || '%%'`

// similar asks for items with a stretch of text similar to t (pg_trgm's
// <% operator, under pg_trgm.word_similarity_threshold), and returns the
// rank of a result: its word_similarity to t.
func (w *where) similar(t string) string {
	p := w.arg(t)
	w.conds = append(w.conds, p+"::text <% s.doc")
	return fmt.Sprintf("word_similarity(%s::text, s.doc)", p)
}

// sql is the condition of a match, as the page query writes it.
func (w *where) sql() string {
	keys := w.keys
	if w.bigram {
		keys = append(slices.Clone(keys), w.textKeys)
	}
	return w.join(keys, w.recheck)
}

// countSQL is the condition of a row the count looks at: the text's bigram
// keys without its LIKE.
func (w *where) countSQL() string {
	keys := w.keys
	if w.textKeys != "" {
		keys = append(slices.Clone(keys), w.textKeys)
	}
	return w.join(keys, "")
}

func (w *where) join(keys []string, like string) string {
	conds := slices.Clone(w.conds)
	if len(keys) > 0 {
		conds = append(conds, "s.keys @> ("+strings.Join(keys, " || ")+")")
	}
	if like != "" {
		conds = append(conds, like)
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// unitID looks up an org unit by code; an unknown code is an *InputError.
func unitID(ctx context.Context, pool *pgxpool.Pool, code string) (int64, error) {
	var id int64
	err := pool.QueryRow(ctx, `SELECT id FROM org_units WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, inputError("unit", fmt.Sprintf("no org unit has code %s; give the code "+
			"of an org unit (the units below it are included)", textcell.Echo(code)))
	}
	if err != nil {
		return 0, fmt.Errorf("look up org unit %q: %w", code, err)
	}
	return id, nil
}

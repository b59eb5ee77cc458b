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
)

// Searcher searches agenda items (see the package doc).
type Searcher struct {
	pool     *pgxpool.Pool
	findings *findingsCache
}

// NewSearcher returns a searcher over the database of pool.
func NewSearcher(pool *pgxpool.Pool) *Searcher {
	return &Searcher{pool: pool, findings: newFindingsCache(pool)}
}

// similarThreshold is the word_similarity a result must reach to be
// listed when nothing contains the text: half the text's trigrams in one
// stretch of the item's text.
const similarThreshold = 0.5

// Search returns the page of items q asks for. Bad input, such as an
// unknown unit, is an *InputError.
func (s *Searcher) Search(ctx context.Context, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	filters, err := s.where(ctx, q)
	if err != nil {
		return Result{}, err
	}
	res := Result{Query: q, Match: MatchAll, Items: []Item{}}
	w := filters.clone()
	if q.Text != "" {
		res.Match = MatchContains
		w.contains(q.Text)
	}
	if err := s.page(ctx, w, q, "", &res); err != nil {
		return Result{}, err
	}
	if res.Total > 0 || utf8.RuneCountInString(q.Text) < 3 {
		return res, nil
	}
	w = filters.clone()
	rank := w.similar(q.Text)
	res.Match = MatchSimilar
	return res, s.page(ctx, w, q, rank, &res)
}

// page fills res with the page and the count of w's matches, ranked by
// rank (an SQL expression, best first) before the meeting's time.
func (s *Searcher) page(ctx context.Context, w *where, q Query, rank string,
	res *Result) error {
	var db querier = s.pool
	if rank != "" {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("begin search: %w", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.Exec(ctx, fmt.Sprintf(
			"SET LOCAL pg_trgm.word_similarity_threshold = %g", similarThreshold)); err != nil {
			return fmt.Errorf("prepare similar search: %w", err)
		}
		db = tx
	}
	var err error
	if res.Items, err = loadPage(ctx, db, w, q, rank); err != nil {
		return err
	}
	res.Total, res.TotalExact = q.Offset+len(res.Items), true
	if len(res.Items) == q.Limit || (len(res.Items) == 0 && q.Offset > 0) {
		if res.Total, res.TotalExact, err = count(ctx, db, w); err != nil {
			return err
		}
	}
	for i := range res.Items {
		res.Items[i].finish(q.Text, rank != "")
	}
	return nil
}

// querier is a pool or a transaction. Searches run with
// pgx.QueryExecModeExec, an unnamed statement planned for its parameters
// each time: how common the text is decides between walking the time
// index and scanning the text indexes, which a plan cached for any text
// could not.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// count counts w's matches up to CountLimit.
func count(ctx context.Context, db querier, w *where) (int, bool, error) {
	var n int
	sql := fmt.Sprintf(`SELECT count(*) FROM (SELECT 1 FROM search_items s WHERE %s LIMIT %d) x`,
		w.sql(), CountLimit+1)
	args := append([]any{pgx.QueryExecModeExec}, w.args...)
	if err := db.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("count search results: %w", err)
	}
	if n > CountLimit {
		return CountLimit, false, nil
	}
	return n, true, nil
}

// where builds the conditions of a search on search_items s.
type where struct {
	args  []any
	keys  []string // int[] expressions the row's keys must contain
	conds []string
}

func (w *where) clone() *where {
	return &where{args: slices.Clone(w.args), keys: slices.Clone(w.keys),
		conds: slices.Clone(w.conds)}
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return fmt.Sprintf("$%d", len(w.args))
}

// where turns q's filters into conditions, looking up its unit and, for
// has_findings, the verifier's findings.
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
		items, err := s.findings.items(ctx, q.Unit)
		if err != nil {
			return nil, err
		}
		cond := "s.agenda_item_id = ANY(" + w.arg(items) + "::bigint[])"
		if !*q.HasFindings {
			cond = "NOT " + cond
		}
		w.conds = append(w.conds, cond)
	}
	return w, nil
}

// contains asks for items whose text contains t, ignoring case. A text of
// two characters has no trigram, so its bigram key finds it; the ILIKE
// keeps out the rare item whose bigram only shares the key's hash.
func (w *where) contains(t string) {
	if utf8.RuneCountInString(t) == 2 {
		w.keys = append(w.keys, fmt.Sprintf("search_bigram_keys(%s::text)", w.arg(t)))
	}
	w.conds = append(w.conds, "s.doc ILIKE "+w.arg("%"+escapeLike(t)+"%"))
}

// similar asks for items with a stretch of text similar to t (pg_trgm's
// <% operator, under pg_trgm.word_similarity_threshold), and returns the
// rank of a result: its word_similarity to t.
func (w *where) similar(t string) string {
	p := w.arg(t)
	w.conds = append(w.conds, p+"::text <% s.doc")
	return fmt.Sprintf("word_similarity(%s::text, s.doc)", p)
}

func (w *where) sql() string {
	conds := slices.Clone(w.conds)
	if len(w.keys) > 0 {
		conds = append(conds, "s.keys @> ("+strings.Join(w.keys, " || ")+")")
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

// escapeLike escapes the wildcards of LIKE and its escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// unitID looks up an org unit by code; an unknown code is an *InputError.
func unitID(ctx context.Context, pool *pgxpool.Pool, code string) (int64, error) {
	var id int64
	err := pool.QueryRow(ctx, `SELECT id FROM org_units WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, inputError("unit", fmt.Sprintf("no org unit has code %q; give the code "+
			"of an org unit (the units below it are included)", code))
	}
	if err != nil {
		return 0, fmt.Errorf("look up org unit %q: %w", code, err)
	}
	return id, nil
}

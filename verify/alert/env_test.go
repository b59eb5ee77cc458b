package alert

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/verify"
)

// env is a fresh database holding the sample township, with River's
// tables, and no recordings.
type env struct {
	pool   *pgxpool.Pool
	store  *Store
	sample agenda.Sample
	logger *slog.Logger
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	pool := testenv.Database(t)
	if err := jobs.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate River: %v", err)
	}
	sample, err := agenda.LoadSample(ctx, agenda.NewStore(pool))
	if err != nil {
		t.Fatalf("load sample: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &env{pool: pool, store: NewStore(pool), sample: sample, logger: logger}
}

// testLog sends logs to the test's log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// sweeper returns a sweeper without an object store.
func (e *env) sweeper(t testing.TB, cfg Config) *Sweeper {
	t.Helper()
	s, err := NewSweeper(e.pool, nil, cfg, e.logger)
	if err != nil {
		t.Fatalf("NewSweeper: %v", err)
	}
	return s
}

func (e *env) sweep(t testing.TB, s *Sweeper) SweepResult {
	t.Helper()
	res, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return res
}

// decision returns the id of the sample decision made to show code.
func (e *env) decision(t testing.TB, code string) int64 {
	t.Helper()
	for _, d := range e.sample.Decisions {
		if d.WantFinding == code {
			return d.ID
		}
	}
	t.Fatalf("the sample has no decision showing %s", code)
	return 0
}

func (e *env) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// addDecision registers a decision of matter QS-03 (a party committee for
// 50000 yuan or more) and returns its id.
func (e *env) addDecision(t testing.TB, title string, amount int, item *int64,
	decided time.Time) int64 {
	t.Helper()
	var id int64
	err := e.pool.QueryRow(context.Background(), `INSERT INTO decisions (org_unit_id,
		    matter_id, title, amount, decided_at, agenda_item_id, reference)
		VALUES ($1, $2, $3, $4, $5, $6, $3) RETURNING id`, e.sample.TownshipID,
		e.sample.Matters["QS-03"], title, amount, decided, item).Scan(&id)
	if err != nil {
		t.Fatalf("add decision: %v", err)
	}
	return id
}

// row is a findings row, all columns but last_seen, as text.
type row struct {
	lastSeen time.Time
	rest     string
}

func (e *env) rows(t testing.TB) map[int64]row {
	t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT id, last_seen,
		(to_jsonb(f) - 'last_seen')::text FROM findings f ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]row{}
	for rows.Next() {
		var id int64
		var r row
		if err := rows.Scan(&id, &r.lastSeen, &r.rest); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	return queryOne[int](t, e, sql, args...)
}

// queryOne returns the one value sql selects.
func queryOne[T any](t testing.TB, e *env, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// finding returns the kept finding of decision with code.
func (e *env) finding(t testing.TB, decision int64, code string) Detail {
	t.Helper()
	var id int64
	err := e.pool.QueryRow(context.Background(), `SELECT id FROM findings
		WHERE decision_id = $1 AND code = $2`, decision, code).Scan(&id)
	if err == pgx.ErrNoRows {
		t.Fatalf("no finding %s of decision %d is kept", code, decision)
	} else if err != nil {
		t.Fatal(err)
	}
	d, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return d
}

// verifierFingerprints runs the verifier as a sweep without objects does.
func (e *env) verifierFingerprints(t testing.TB) map[string]verify.Finding {
	t.Helper()
	rep, err := verify.Run(context.Background(), e.pool, nil, verify.Options{
		Skip: []string{verify.CodeRecordingTampered}})
	if err != nil {
		t.Fatal(err)
	}
	found, _ := distinct(rep.Findings)
	return found
}

func lastEvent(d Detail) Event {
	if len(d.Events) == 0 {
		return Event{}
	}
	return d.Events[len(d.Events)-1]
}

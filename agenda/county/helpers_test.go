package county

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// smallOptions is a county small enough to generate in a second, with
// three percent of each kind of violation.
func smallOptions(seed uint64) Options {
	o := DefaultOptions()
	o.Code, o.Name, o.Seed = "testc", "试验县", seed
	o.Townships, o.Departments, o.Villages, o.Decisions = 3, 2, 7, 1500
	for _, k := range allKinds {
		o.Shares[k] = 0.03
	}
	return o
}

func generate(t testing.TB, pool *pgxpool.Pool, o Options) Result {
	t.Helper()
	res, err := Generate(context.Background(), pool, o)
	if err != nil {
		t.Fatalf("generate %v: %v", o, err)
	}
	return res
}

// count runs a query that returns one integer.
func count(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

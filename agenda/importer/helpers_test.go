package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/testenv"
)

// fixtures is where the test files live.
var fixtures = filepath.Join("..", "..", "testdata", "import")

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

// newDB returns a fresh migrated database.
func newDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	return testenv.Database(t)
}

// importOK imports a fixture and fails the test on any error.
func importOK(t testing.TB, pool *pgxpool.Pool, kind Kind, name string) Result {
	t.Helper()
	res, err := Import(context.Background(), pool, kind, name, fixture(t, name), Options{})
	if err != nil {
		t.Fatalf("import %s %s: %v", kind, name, err)
	}
	return res
}

// importBad imports data and returns the row errors it must give.
func importBad(t testing.TB, pool *pgxpool.Pool, kind Kind, name string, data []byte) []RowError {
	t.Helper()
	_, err := Import(context.Background(), pool, kind, name, data, Options{})
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("import %s %s: got error %v, want a *FileError", kind, name, err)
	}
	return fe.Errors
}

// count returns the counts of table in res.
func count(t testing.TB, res Result, table string) Count {
	t.Helper()
	for _, c := range res.Counts {
		if c.Table == table {
			return c
		}
	}
	t.Fatalf("result has no count for %s: %+v", table, res.Counts)
	return Count{}
}

// wantCount checks the created/updated/unchanged counts of a table.
func wantCount(t testing.TB, res Result, table string, created, updated, unchanged int) {
	t.Helper()
	c := count(t, res, table)
	if c.Created != created || c.Updated != updated || c.Unchanged != unchanged {
		t.Errorf("%s: got created %d, updated %d, unchanged %d; want %d, %d, %d", table,
			c.Created, c.Updated, c.Unchanged, created, updated, unchanged)
	}
}

// query returns the rows of a query as strings joined by "|", one per row.
func query(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("query %q: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatalf("query %q: %v", sql, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = format(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query %q: %v", sql, err)
	}
	return out
}

// format writes a value of a query row for comparison.
func format(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Location() == time.UTC {
			return x.Format(time.DateOnly)
		}
		return x.In(ChinaStandardTime).Format("2006-01-02 15:04")
	case pgtype.Numeric:
		f, _ := x.Float64Value()
		return strconv.FormatFloat(f.Float64, 'f', 2, 64)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = format(p)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}

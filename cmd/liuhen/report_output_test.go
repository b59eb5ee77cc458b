package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/liuhen/liuhen/internal/testenv"
)

// TestReportStoreRefusesAnUnwritableOutputFirst: report --store with an
// --output that cannot be written is refused as bad usage before the
// report is issued, so no report is stored and locked for nothing.
func TestReportStoreRefusesAnUnwritableOutputFirst(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	t.Setenv("LIUHEN_DATABASE_URL", dbURL)
	withNewBucket(t)
	liuhen(t, "sample")

	dir := t.TempDir()
	for _, bad := range []string{filepath.Join(dir, "no-such-dir", "r.json"), dir} {
		err := liuhenFails(t, "report", "--unit", "qingshan", "--format", "json",
			"--skip", "RECORDING_TAMPERED", "--store", "-o", bad)
		if !strings.Contains(err.Error(), "--output "+bad) {
			t.Errorf("got %v, want it to name --output %s", err, bad)
		}
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(),
		"SELECT count(*) FROM reports").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d reports issued by a command refused as bad usage, want none", n)
	}

	good := filepath.Join(t.TempDir(), "r.json")
	liuhen(t, "report", "--unit", "qingshan", "--format", "json", "--skip",
		"RECORDING_TAMPERED", "--store", "-o", good)
	if err := conn.QueryRow(context.Background(),
		"SELECT count(*) FROM reports").Scan(&n); err != nil || n != 1 {
		t.Errorf("after a good report: %d reports, %v; want 1", n, err)
	}
}

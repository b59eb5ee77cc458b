package main

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda/county"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestSampleCountyCommand generates a small county from the command line,
// is refused the second time, and names each bad flag.
func TestSampleCountyCommand(t *testing.T) {
	dsn := testenv.DatabaseURL(t)
	t.Setenv("LIUHEN_DATABASE_URL", dsn)
	args := []string{"sample", "county", "--code", "clitest", "--townships", "2",
		"--departments", "1", "--villages", "3", "--decisions", "300", "--violations", "0",
		"--violation", "no_quorum=0.05", "--violation", "SPLIT_SPENDING=0.02"}

	status, out := captureStdout(t, func() int { return run(args) })
	if status != exitOK {
		t.Fatalf("first run: got exit status %d, want %d", status, exitOK)
	}
	for _, want := range []string{"NO_QUORUM               15", "SPLIT_SPENDING          6",
		"NO_MEETING              0", "decisions           300",
		"county clitest (" + county.NameFor("clitest") + ")"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	err = pool.QueryRow(context.Background(), `SELECT count(*) FROM decisions d
		JOIN org_units u ON u.id = d.org_unit_id WHERE u.code LIKE 'clitest%'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Errorf("got %d decisions in the database, want 300", n)
	}
	var name string
	err = pool.QueryRow(context.Background(), `SELECT name FROM org_units WHERE code = 'clitest'`).
		Scan(&name)
	if err != nil || name != county.NameFor("clitest") || name == "临溪县" {
		t.Errorf("got the county named %q (%v), want %s, the name its code picks", name, err,
			county.NameFor("clitest"))
	}
	if status, _ := captureStdout(t, func() int { return run(args) }); status != exitUsage {
		t.Errorf("second run: got exit status %d, want %d (county exists)", status, exitUsage)
	}

	bad := map[string][]string{
		"unknown kind":    {"--violation", "bogus=0.1"},
		"share not given": {"--violation", "no_quorum"},
		"share too large": {"--violations", "2"},
		"bad code":        {"--code", "Lin-Xi"},
		"no townships":    {"--townships", "0"},
		"not a number":    {"--decisions", "many"},
	}
	for name, extra := range bad {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"sample", "county", "--code", "clibad"}, extra...)
			if status, _ := captureStdout(t, func() int { return run(args) }); status != exitUsage {
				t.Errorf("liuhen %v: got exit status %d, want %d", args, status, exitUsage)
			}
		})
	}
}

// captureStdout runs f with os.Stdout going to a pipe and returns what f
// returned and what it printed.
func captureStdout(t testing.TB, f func() int) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	status := f()
	os.Stdout = saved
	w.Close()
	return status, <-done
}

package agenda

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
)

// TestMigrateFromTheOldNumbering migrates a database laid out as before the
// migrations were numbered in order (1 to 6, then reports as 13) to the
// current schema.
func TestMigrateFromTheOldNumbering(t *testing.T) {
	ctx := context.Background()
	// internal/testenv imports this package, so the database is made here.
	admin := os.Getenv("LIUHEN_DATABASE_URL")
	if admin == "" {
		t.Fatal("LIUHEN_DATABASE_URL is not set: run `make services` and `. .liuhen/env`")
	}
	pool, err := pgxpool.New(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	old := fmt.Sprintf("liuhen_test_old_layout_%d", time.Now().UnixNano())
	if _, err := pool.Exec(ctx, `CREATE DATABASE `+old); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Exec(context.Background(), `DROP DATABASE `+old+` WITH (FORCE)`) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + old
	oldPool, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer oldPool.Close()
	db := stdlib.OpenDBFromPool(oldPool)
	defer db.Close()

	layout := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(migrations, "migrations/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case e.Name() < "00007":
			layout[e.Name()] = &fstest.MapFile{Data: data}
		case strings.HasSuffix(e.Name(), "_reports.sql"):
			layout["00013_reports.sql"] = &fstest.MapFile{Data: data}
		}
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, layout,
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("old layout: %v", err)
	}

	if err := Migrate(ctx, oldPool); err != nil {
		t.Fatalf("migrate the old layout: %v", err)
	}
	var findings, recorders bool
	if err := oldPool.QueryRow(ctx, `SELECT to_regclass('findings') IS NOT NULL,
		to_regclass('recorder_ids') IS NOT NULL`).Scan(&findings, &recorders); err != nil {
		t.Fatal(err)
	}
	if !findings || !recorders {
		t.Errorf("after migrating: findings table %v, recorder_ids sequence %v; want both",
			findings, recorders)
	}
	// The migrations numbered after the old reports' 13 apply too.
	var escalated bool
	if err := oldPool.QueryRow(ctx, `SELECT pg_get_constraintdef(oid) LIKE '%escalated%'
		FROM pg_constraint WHERE conname = 'finding_events_kind_check'`).Scan(
		&escalated); err != nil {
		t.Fatal(err)
	}
	if !escalated {
		t.Error("after migrating: finding events cannot be escalated (a migration after " +
			"version 13 did not apply)")
	}
}

package agenda

import (
	"context"
	"database/sql"
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
	oldPool, db := scratchDatabase(t, "old_layout")

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

// scratchDatabase creates an empty database, dropped after the test, and
// returns a pool and a database/sql handle of it. internal/testenv imports
// this package, so the database is made here.
func scratchDatabase(t *testing.T, name string) (*pgxpool.Pool, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	admin := os.Getenv("LIUHEN_DATABASE_URL")
	if admin == "" {
		t.Fatal("LIUHEN_DATABASE_URL is not set: run `make services` and `. .liuhen/env`")
	}
	pool, err := pgxpool.New(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	dbName := fmt.Sprintf("liuhen_test_%s_%d", name, time.Now().UnixNano())
	if _, err := pool.Exec(ctx, `CREATE DATABASE `+dbName); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Exec(context.Background(), `DROP DATABASE `+dbName+` WITH (FORCE)`) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + dbName
	scratch, err := pgxpool.New(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDBFromPool(scratch)
	t.Cleanup(func() {
		db.Close()
		scratch.Close()
	})
	return scratch, db
}

// TestMigratingKeptFindings: findings kept before version 15 count as warned
// of at their severity when a warning was queued since they last opened, and
// as not warned of otherwise; changes recorded as by "admin" before version
// 16 were made with the admin token; decisions of before version 17 get a
// change time when they change.
func TestMigratingKeptFindings(t *testing.T) {
	ctx := context.Background()
	pool, db := scratchDatabase(t, "deescalation")
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithDisableGlobalRegistry(true), goose.WithAllowOutofOrder(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatalf("migrate to version 14: %v", err)
	}
	// Finding 1 was warned of since it opened, 2 before it reopened, 3 never.
	if _, err := pool.Exec(ctx, `
		INSERT INTO org_units (id, code, name, level) VALUES (1, 'qs', '青山镇', 'township');
		INSERT INTO matters (id, org_unit_id, code, name, category)
		    VALUES (1, 1, 'QS-01', '事项', 'decision');
		INSERT INTO decisions (id, org_unit_id, matter_id, title, decided_at)
		    VALUES (1, 1, 1, '决策', now());
		INSERT INTO findings (id, fingerprint, code, severity, decision_id, decision_title,
		    matter_code, unit_code, message, message_zh, state, state_actor,
		    state_changed_at, first_seen, last_seen, opened_at)
		SELECT n, 'fp' || n, 'NO_MEETING', 'medium', 1, '决策', 'QS-01', 'qs', 'm', 'm',
		    'open', 'verifier', now(), now() - interval '1 day', now(), now() - interval '1 hour'
		FROM generate_series(1, 3) n;
		INSERT INTO finding_events (id, finding_id, kind, to_state, actor)
		SELECT n, n, 'opened', 'open', 'verifier' FROM generate_series(1, 3) n;
		INSERT INTO finding_events (id, finding_id, kind, from_state, to_state, actor)
		VALUES (4, 3, 'acknowledged', 'open', 'acknowledged', 'admin');
		INSERT INTO finding_deliveries (finding_id, event_id, webhook_url, state, created_at)
		VALUES (1, 1, 'http://a.example', 'queued', now()),
		       (2, 2, 'http://a.example', 'queued', now() - interval '2 hours');`); err != nil {
		t.Fatalf("findings of version 14: %v", err)
	}
	if err := Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	rows, err := pool.Query(ctx, `SELECT id, coalesce(warned_severity, '-') FROM findings
		ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var warned string
		if err := rows.Scan(&id, &warned); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%s", id, warned))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "1:medium 2:- 3:-"; strings.Join(got, " ") != want {
		t.Errorf("got warned severities %v, want %s", got, want)
	}
	var vias string
	if err := pool.QueryRow(ctx, `SELECT string_agg(actor || ':' || via, ',' ORDER BY id)
		FROM finding_events WHERE finding_id = 3`).Scan(&vias); err != nil {
		t.Fatal(err)
	}
	if want := "verifier:,admin:admin token"; vias != want {
		t.Errorf("got the events' actors and credentials %q, want %q", vias, want)
	}

	// A decision of before version 17 has no change time until it changes;
	// a write that changes nothing leaves the time as it is.
	changedAt := func() *time.Time {
		var at *time.Time
		if err := pool.QueryRow(ctx, `SELECT updated_at FROM decisions WHERE id = 1`).Scan(
			&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	if at := changedAt(); at != nil {
		t.Errorf("an old decision: got change time %v, want none", at)
	}
	before := time.Now()
	if _, err := pool.Exec(ctx, `UPDATE decisions SET title = '决策二' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	changed := changedAt()
	if changed == nil || changed.Before(before.Add(-time.Second)) {
		t.Fatalf("edited: got change time %v, want about %v", changed, before)
	}
	if _, err := pool.Exec(ctx, `UPDATE decisions SET title = title WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	if at := changedAt(); at == nil || !at.Equal(*changed) {
		t.Errorf("written unchanged: got change time %v, want %v as before", at, changed)
	}
}

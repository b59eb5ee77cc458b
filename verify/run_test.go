package verify

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/testenv"
)

func decisionIDs(rep Report) []int64 {
	var out []int64
	for _, d := range rep.Decisions {
		out = append(out, d.ID)
	}
	return out
}

func TestRunScope(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	county := f.unit(f.unique("C"), "county", nil)
	township := f.unit(f.unique("T"), "township", &county)
	village := f.unit(f.unique("V"), "village", &township)
	sibling := f.unit(f.unique("T"), "township", &county)
	matter := f.matter(county, "", "", true) // needs no meeting
	day := time.Date(2024, 3, 5, 10, 0, 0, 0, cst)
	inTownship := f.decision(township, matter, "", day, nil)
	inVillage := f.decision(village, matter, "", day.Add(time.Hour), nil)
	inSibling := f.decision(sibling, matter, "", day, nil)
	early := f.decision(village, matter, "", day.AddDate(0, -1, 0), nil)
	code := func(id int64) string {
		var c string
		if err := f.pool.QueryRow(context.Background(),
			`SELECT code FROM org_units WHERE id = $1`, id).Scan(&c); err != nil {
			t.Fatalf("unit code: %v", err)
		}
		return c
	}

	for _, tc := range []struct {
		name string
		opts Options
		want []int64
	}{
		{"unit includes its sub-units", Options{Unit: code(township)},
			[]int64{early, inTownship, inVillage}},
		{"county includes everything below", Options{Unit: code(county)},
			[]int64{early, inTownship, inSibling, inVillage}},
		{"village alone", Options{Unit: code(village)}, []int64{early, inVillage}},
		{"from is included", Options{Unit: code(township), From: day},
			[]int64{inTownship, inVillage}},
		{"to is excluded", Options{Unit: code(township), From: day, To: day.Add(time.Hour)},
			[]int64{inTownship}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Codes = []string{CodeNoMeeting}
			rep, err := Run(context.Background(), f.pool, nil, tc.opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := decisionIDs(rep); !slices.Equal(got, tc.want) {
				t.Errorf("decisions: got %v, want %v", got, tc.want)
			}
			if rep.Checked != len(tc.want) || rep.Passed != len(tc.want) {
				t.Errorf("checked/passed: got %d/%d, want %d/%d", rep.Checked, rep.Passed,
					len(tc.want), len(tc.want))
			}
		})
	}
}

func TestRunCodes(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	unlink(f, w) // NO_MEETING
	other := f.compliant()
	f.store.remove(other.keys[0]) // RECORDING_TAMPERED
	parent := f.unit(f.unique("C"), "county", nil)
	f.exec(`UPDATE org_units SET parent_id = $1 WHERE id IN ($2, $3)`, parent, w.unit,
		other.unit)
	var parentCode string
	if err := f.pool.QueryRow(context.Background(), `SELECT code FROM org_units
		WHERE id = $1`, parent).Scan(&parentCode); err != nil {
		t.Fatalf("unit code: %v", err)
	}

	t.Run("all codes", func(t *testing.T) {
		rep, err := Run(context.Background(), f.pool, f.store, Options{Unit: parentCode})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		want := []string{CodeNoMeeting, CodeRecordingTampered}
		if got := codesOf(rep.Findings); !slices.Equal(got, want) {
			t.Errorf("codes: got %v, want %v", got, want)
		}
		if !slices.Equal(rep.Scope.Codes, allCodes) {
			t.Errorf("scope codes: got %v, want all", rep.Scope.Codes)
		}
	})
	t.Run("progress after each rule", func(t *testing.T) {
		var got []RuleDone
		selected := -1
		opts := Options{Unit: parentCode, Progress: func(d RuleDone) { got = append(got, d) },
			Selected: func(n int, _ time.Duration) {
				if len(got) > 0 {
					t.Errorf("Selected called after %d rules, want before the first", len(got))
				}
				selected = n
			}}
		rep, err := Run(context.Background(), f.pool, f.store, opts)
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if selected != rep.Checked || selected == 0 {
			t.Errorf("Selected: got %d decisions, want the %d checked", selected, rep.Checked)
		}
		if len(got) != len(allCodes) {
			t.Fatalf("progress calls: got %d, want %d", len(got), len(allCodes))
		}
		for i, d := range got {
			want := 0
			if d.Code == CodeNoMeeting || d.Code == CodeRecordingTampered {
				want = 1
			}
			if d.Code != allCodes[i] || d.N != i+1 || d.Of != len(allCodes) ||
				d.Findings != want {
				t.Errorf("call %d: got %+v, want %s, %d of %d, %d findings", i, d,
					allCodes[i], i+1, len(allCodes), want)
			}
		}
	})
	t.Run("only NO_MEETING, without object I/O", func(t *testing.T) {
		before := f.store.stats.Load()
		rep, err := Run(context.Background(), f.pool, nil,
			Options{Unit: parentCode, Codes: []string{CodeNoMeeting}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := codesOf(rep.Findings); !slices.Equal(got, []string{CodeNoMeeting}) {
			t.Errorf("codes: got %v, want [NO_MEETING]", got)
		}
		if rep.Checked != 2 || rep.Passed != 1 {
			t.Errorf("checked/passed: got %d/%d, want 2/1", rep.Checked, rep.Passed)
		}
		if n := f.store.stats.Load() - before; n != 0 {
			t.Errorf("object checks: got %d, want 0", n)
		}
	})
	t.Run("skip leaves rules out, the store's among them", func(t *testing.T) {
		before := f.store.stats.Load()
		rep, err := Run(context.Background(), f.pool, nil, Options{Unit: parentCode,
			Skip: []string{CodeRecordingTampered, CodeWrongBody}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if got := codesOf(rep.Findings); !slices.Equal(got, []string{CodeNoMeeting}) {
			t.Errorf("codes: got %v, want [NO_MEETING]", got)
		}
		if slices.Contains(rep.Scope.Codes, CodeRecordingTampered) ||
			slices.Contains(rep.Scope.Codes, CodeWrongBody) ||
			len(rep.Scope.Codes) != len(allCodes)-2 {
			t.Errorf("scope codes: got %v, want every code but the two skipped",
				rep.Scope.Codes)
		}
		if n := f.store.stats.Load() - before; n != 0 {
			t.Errorf("object checks: got %d, want 0", n)
		}
	})
	t.Run("skip leaves some of the codes chosen", func(t *testing.T) {
		rep, err := Run(context.Background(), f.pool, f.store, Options{Unit: parentCode,
			Codes: []string{CodeNoMeeting, CodeRecordingTampered},
			Skip:  []string{CodeNoMeeting}})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if !slices.Equal(rep.Scope.Codes, []string{CodeRecordingTampered}) ||
			!slices.Equal(codesOf(rep.Findings), []string{CodeRecordingTampered}) {
			t.Errorf("got scope %v and findings %v, want RECORDING_TAMPERED alone",
				rep.Scope.Codes, codesOf(rep.Findings))
		}
	})
}

func TestRunSharedMeeting(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	second := f.item(w.meeting, 2)
	d2 := f.decision(w.unit, w.matter, "90000", meetingStart.Add(time.Hour), &second)
	f.indexPoint(second, w.record, 20000, 25000)
	f.store.remove(w.keys[2])

	rep, err := Run(context.Background(), f.pool, f.store, Options{Unit: w.unitCode})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var got []int64
	for _, fd := range rep.Findings {
		got = append(got, fd.DecisionID)
	}
	if want := []int64{d2, w.decision}; !slices.Equal(got, want) {
		t.Errorf("findings for decisions: got %v, want %v (one each, in decided order)",
			got, want)
	}
	if calls := f.store.stats.Load(); calls != 3 {
		t.Errorf("Stat calls: got %d, want 3 (each segment once)", calls)
	}
}

func TestRunErrors(t *testing.T) {
	f := newFixture(t, testenv.Database(t))
	w := f.compliant()
	ctx := context.Background()

	t.Run("unknown unit", func(t *testing.T) {
		_, err := Run(ctx, f.pool, f.store, Options{Unit: "NOWHERE"})
		if !errors.Is(err, ErrUnknownUnit) || !strings.Contains(err.Error(), `"NOWHERE"`) {
			t.Errorf("got %v, want ErrUnknownUnit naming the code", err)
		}
	})
	t.Run("every bad option at once", func(t *testing.T) {
		opts := Options{Unit: "NOWHERE", Codes: []string{"BAD"},
			From: meetingStart, To: meetingStart.Add(-time.Hour)}
		_, err := Run(ctx, f.pool, f.store, opts)
		var got []string
		for _, oe := range OptionErrors(err) {
			got = append(got, oe.Field)
		}
		if want := []string{"codes", "to", "unit"}; !slices.Equal(got, want) {
			t.Errorf("bad options: got %v, want %v (from %v)", got, want, err)
		}
		if !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("got %v, want it to wrap ErrInvalidOptions", err)
		}
	})
	t.Run("no object checker", func(t *testing.T) {
		_, err := Run(ctx, f.pool, nil, Options{Unit: w.unitCode})
		if !errors.Is(err, ErrNoObjectChecker) {
			t.Errorf("got %v, want ErrNoObjectChecker", err)
		}
	})
	t.Run("store down", func(t *testing.T) {
		store := newFakeStore()
		store.fail = errStoreDown
		_, err := Run(ctx, f.pool, store, Options{Unit: w.unitCode})
		if !errors.Is(err, errStoreDown) || errors.Is(err, ErrInvalidOptions) {
			t.Errorf("got %v, want the store's error", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := Run(cctx, f.pool, f.store, Options{Unit: w.unitCode})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
}

// TestRunWhereTemporaryTablesAreRefused checks that a database role without
// the TEMPORARY privilege gets an error that says what to grant, and that a
// role whose transactions are read-only by default still runs.
func TestRunWhereTemporaryTablesAreRefused(t *testing.T) {
	dsn := testenv.DatabaseURL(t)
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	t.Run("role without TEMPORARY", func(t *testing.T) {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		role := "verify_no_temp_" + strings.TrimPrefix(u.Path, "/liuhen_test_")
		for _, sql := range []string{
			`CREATE ROLE ` + role + ` LOGIN PASSWORD 'x'`,
			`REVOKE TEMPORARY ON DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` FROM PUBLIC`,
			`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ` + role,
		} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		t.Cleanup(func() {
			admin.Exec(context.Background(), `DROP OWNED BY `+role)
			admin.Exec(context.Background(), `DROP ROLE `+role)
		})
		u.User = url.UserPassword(role, "x")
		pool, err := pgxpool.New(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		_, err = Run(ctx, pool, nil, Options{Codes: []string{CodeNoMeeting}})
		grant := `GRANT TEMPORARY ON DATABASE "` + strings.TrimPrefix(u.Path, "/") +
			`" TO "` + role + `"`
		if err == nil || !strings.Contains(err.Error(), grant) {
			t.Errorf("got %v, want an error saying %s", err, grant)
		}
	})
	t.Run("read-only by default", func(t *testing.T) {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		if _, err = Run(ctx, pool, nil, Options{Codes: []string{CodeNoMeeting}}); err != nil {
			t.Errorf("got %v, want a run: verify asks for a read-write transaction", err)
		}
	})
}

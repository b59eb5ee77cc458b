package county

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/liuhen/liuhen/internal/testenv"
)

// TestGenerateSmallCounty checks that the county has the units, bodies,
// procedure lists and decisions asked for, that the result counts the rows
// there are, and that each kind got its share of violations.
func TestGenerateSmallCounty(t *testing.T) {
	pool := testenv.Database(t)
	o := smallOptions(3)
	res := generate(t, pool, o)

	T, D, V := o.Townships, o.Departments, o.Villages
	want := []struct {
		sql  string
		want int
	}{
		{"SELECT count(*) FROM org_units WHERE level = 'county'", 1},
		{"SELECT count(*) FROM org_units WHERE level = 'department'", D},
		{"SELECT count(*) FROM org_units WHERE level = 'township'", T},
		{"SELECT count(*) FROM org_units WHERE level = 'village'", V},
		{"SELECT count(DISTINCT parent_id) FROM org_units WHERE level = 'village'", min(T, V)},
		{"SELECT count(*) FROM meeting_bodies", 2 + D + 4*T + 2*V},
		{"SELECT count(*) FROM matters", 12 + 12*D + 35*T + 12*V},
		{"SELECT count(*) FROM decisions", o.Decisions},
		{"SELECT count(*) FROM meeting_bodies b WHERE NOT EXISTS (SELECT 1 FROM body_members " +
			"bm WHERE bm.body_id = b.id AND bm.role = 'leader')", 0},
	}
	for _, w := range want {
		if got := count(t, pool, w.sql); got != w.want {
			t.Errorf("%s: got %d, want %d", w.sql, got, w.want)
		}
	}
	for name, n := range res.Rows {
		if got := count(t, pool, "SELECT count(*) FROM "+name); got != n {
			t.Errorf("%s: got %d rows, the result says %d", name, got, n)
		}
	}
	if m := res.Rows["meetings"]; m < o.Decisions/20 || m > o.Decisions/2 {
		t.Errorf("got %d meetings for %d decisions, want a tenth or so", m, o.Decisions)
	}
	for _, k := range allKinds {
		n := int(math.Round(o.Shares[k] * float64(o.Decisions)))
		if got := res.Planted[k]; got != n || len(res.Decisions(k)) != n {
			t.Errorf("%s: got %d planted (%d listed), want %d", k, got, len(res.Decisions(k)), n)
		}
	}
}

// TestGeneratePlantsWhatIsAsked checks shares per kind, including none and
// the rounding of a split payment up to two.
func TestGeneratePlantsWhatIsAsked(t *testing.T) {
	pool := testenv.Database(t)
	o := smallOptions(4)
	o.Decisions = 400
	o.Shares = map[Kind]float64{NoQuorum: 0.1, SplitSpending: 0.0025, WrongBody: 0.05}
	res := generate(t, pool, o)
	want := map[Kind]int{NoQuorum: 40, SplitSpending: 2, WrongBody: 20}
	for _, k := range allKinds {
		if got := res.Planted[k]; got != want[k] {
			t.Errorf("%s: got %d planted, want %d", k, got, want[k])
		}
	}
}

// TestGenerateWithoutDecisions writes the structure and the meetings that
// decide nothing, and no decisions.
func TestGenerateWithoutDecisions(t *testing.T) {
	pool := testenv.Database(t)
	o := smallOptions(2)
	o.Decisions = 0
	res := generate(t, pool, o)
	if n := count(t, pool, "SELECT count(*) FROM decisions"); n != 0 {
		t.Errorf("got %d decisions, want 0", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM matters"); n != res.Rows["matters"] || n == 0 {
		t.Errorf("got %d matters, the result says %d", n, res.Rows["matters"])
	}
	for k, n := range res.Planted {
		if n != 0 {
			t.Errorf("%s: got %d planted, want 0", k, n)
		}
	}
}

// TestGenerateSameSeedSameData generates twice into fresh databases with
// one seed, and once with another.
func TestGenerateSameSeedSameData(t *testing.T) {
	digest := func(seed uint64) map[string]string {
		pool := testenv.Database(t)
		generate(t, pool, smallOptions(seed))
		return tableDigests(t, pool)
	}
	a, b, c := digest(21), digest(21), digest(22)
	for name, d := range a {
		if b[name] != d {
			t.Errorf("%s differs between two runs with seed 21", name)
		}
	}
	if a["decisions"] == c["decisions"] || a["meetings"] == c["meetings"] {
		t.Errorf("seeds 21 and 22 gave the same meetings or decisions")
	}
}

// tableDigests sums up every table Generate writes, leaving out the
// created_at and updated_at columns PostgreSQL fills in.
func tableDigests(t testing.TB, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range tables {
		var d string
		err := pool.QueryRow(context.Background(), fmt.Sprintf(`
			SELECT count(*) || ':' || md5(coalesce(string_agg(x, E'\n' ORDER BY x), ''))
			FROM (SELECT (to_jsonb(t) - 'created_at' - 'updated_at')::text AS x FROM %s t) s`, s.name)).Scan(&d)
		if err != nil {
			t.Fatalf("digest %s: %v", s.name, err)
		}
		out[s.name] = d
	}
	return out
}

// TestGenerateRefusesExistingCounty runs Generate twice on one database,
// and once where another unit already has a code the county would use.
func TestGenerateRefusesExistingCounty(t *testing.T) {
	ctx := context.Background()
	t.Run("same county again", func(t *testing.T) {
		pool := testenv.Database(t)
		o := smallOptions(1)
		o.Decisions = 200
		generate(t, pool, o)
		before := tableDigests(t, pool)
		_, err := Generate(ctx, pool, o)
		if !errors.Is(err, ErrCountyExists) {
			t.Fatalf("second run: got %v, want ErrCountyExists", err)
		}
		after := tableDigests(t, pool)
		for name, d := range before {
			if after[name] != d {
				t.Errorf("%s changed in the refused run", name)
			}
		}
	})
	t.Run("a code under the county's", func(t *testing.T) {
		pool := testenv.Database(t)
		_, err := pool.Exec(ctx, `INSERT INTO org_units (code, name, level)
			VALUES ('testc-t01', '别处镇', 'township')`)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Generate(ctx, pool, smallOptions(1))
		if !errors.Is(err, ErrCountyExists) {
			t.Fatalf("got %v, want ErrCountyExists", err)
		}
		if n := count(t, pool, "SELECT count(*) FROM org_units"); n != 1 {
			t.Errorf("got %d org units after the refusal, want 1", n)
		}
	})
}

// TestOptionsValidate checks that each kind of bad option is named.
func TestOptionsValidate(t *testing.T) {
	if err := DefaultOptions().Validate(); err != nil {
		t.Fatalf("default options: %v", err)
	}
	tests := []struct {
		option string
		change func(*Options)
	}{
		{"code", func(o *Options) { o.Code = "Lin-xi" }},
		{"code", func(o *Options) { o.Code = "" }},
		{"name", func(o *Options) { o.Name = " " }},
		{"year", func(o *Options) { o.Year = 1999 }},
		{"townships", func(o *Options) { o.Townships = 0 }},
		{"departments", func(o *Options) { o.Departments = -1 }},
		{"villages", func(o *Options) { o.Villages = 100_001 }},
		{"decisions", func(o *Options) { o.Decisions = -5 }},
		{"segment-seconds", func(o *Options) { o.SegmentSeconds = 0 }},
		{"share NO_QUORUM", func(o *Options) { o.Shares[NoQuorum] = 1.5 }},
		{"share VOTE_SHORT", func(o *Options) { o.Shares[VoteShort] = math.NaN() }},
		{"share no_quorum", func(o *Options) { o.Shares["no_quorum"] = 0.1 }},
		{"shares", func(o *Options) {
			for _, k := range allKinds {
				o.Shares[k] = 0.1
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.option, func(t *testing.T) {
			o := DefaultOptions()
			tt.change(&o)
			err := o.Validate()
			var oe *OptionError
			if !errors.As(err, &oe) || !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("got %v, want an *OptionError", err)
			}
			if oe.Option != tt.option {
				t.Errorf("got option %q (%v), want %q", oe.Option, err, tt.option)
			}
			if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 1 {
				t.Errorf("got %d errors (%v), want one", n, err)
			}
			// Generate refuses before it touches the database.
			_, err = Generate(context.Background(), nil, o)
			if !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("Generate: got %v, want ErrInvalidOptions", err)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"no_quorum": NoQuorum, " LEADER_NOT_LAST ": LeaderNotLast,
		"split_spending": SplitSpending, "nope": ""} {
		if got, ok := ParseKind(in); got != want || ok != (want != "") {
			t.Errorf("ParseKind(%q): got %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestSegmentSpans(t *testing.T) {
	tests := []struct {
		name         string
		length, step int64
		pauses       []span
		want         []span
	}{
		{"even", 900, 300, nil, []span{{0, 300}, {300, 600}, {600, 900}}},
		{"short last", 1000, 300, nil, []span{{0, 300}, {300, 600}, {600, 900}, {900, 1000}}},
		{"pause inside a segment", 1000, 300, []span{{400, 600}},
			[]span{{0, 300}, {300, 400}, {600, 900}, {900, 1000}}},
		{"pause on a boundary", 900, 300, []span{{300, 600}}, []span{{0, 300}, {600, 900}}},
		{"two pauses", 1000, 500, []span{{100, 200}, {700, 800}},
			[]span{{0, 100}, {200, 700}, {800, 1000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := segmentSpans(tt.length, tt.step, tt.pauses)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

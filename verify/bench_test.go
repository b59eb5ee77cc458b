package verify

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/agenda/county"
	"github.com/liuhen/liuhen/internal/testenv"
)

var benchDecisions = flag.Int("verify.decisions", 100_000, "decisions of the sample county "+
	"BenchmarkVerifyRules generates (1000000 for the full size)")

// BenchmarkVerifyRules runs every rule but the object checks over a sample
// county of -verify.decisions decisions (agenda/county, 2% of them with each
// kind of violation; about one meeting to ten decisions) and reports
// decisions checked per second.
func BenchmarkVerifyRules(b *testing.B) {
	pool := testenv.Database(b)
	opts := county.DefaultOptions()
	opts.Decisions = *benchDecisions
	gen, err := county.Generate(context.Background(), pool, opts)
	if err != nil {
		b.Fatalf("generate county: %v", err)
	}
	b.Logf("county: %d decisions, %d meetings, generated in %v", gen.Rows["decisions"],
		gen.Rows["meetings"], gen.Elapsed.Round(time.Second))
	// A county's database fills over a year and autovacuum goes over it
	// meanwhile; one just copied in has every row's hint bits still to set,
	// which the first run over it would pay for, writing every page.
	vacuumed := time.Now()
	if _, err := pool.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	b.Logf("vacuumed in %v", time.Since(vacuumed).Round(time.Second))

	codes := slices.DeleteFunc(Codes(), func(c string) bool { return c == CodeRecordingTampered })
	took, found := map[string]time.Duration{}, map[string]int{}
	runOpts := Options{Codes: codes, Progress: func(d RuleDone) {
		took[d.Code] += d.Took
		found[d.Code] = d.Findings
	}}
	var checked, findings int
	b.ResetTimer()
	for b.Loop() {
		rep, err := Run(context.Background(), pool, nil, runOpts)
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		checked, findings = rep.Checked, len(rep.Findings)
	}
	if checked != opts.Decisions {
		b.Fatalf("checked: got %d, want %d", checked, opts.Decisions)
	}
	b.ReportMetric(float64(checked)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(findings), "findings")
	perRun := b.Elapsed() / time.Duration(b.N)
	rest := perRun
	for _, c := range codes {
		took := took[c] / time.Duration(b.N)
		rest -= took
		b.Logf("%-24s %8s per run, %6d findings", c, took.Round(time.Millisecond), found[c])
	}
	b.Logf("%-24s %8s per run (snapshot tables, decision list, report)", "the rest",
		rest.Round(time.Millisecond))
}

package verify

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

var benchScale = flag.Int("verify.scale", 1, "BenchmarkVerifyRules builds 100,000 × scale "+
	"decisions and 10,000 × scale meetings")

// BenchmarkVerifyRules runs every rule but the object checks over a whole
// benchmark database (bench_data_test.go) and reports decisions checked per
// second. Scale it with -verify.scale=10 for 1,000,000 decisions.
func BenchmarkVerifyRules(b *testing.B) {
	pool := testenv.Database(b)
	n := benchData(b, pool, *benchScale)
	codes := slices.DeleteFunc(Codes(), func(c string) bool { return c == CodeRecordingTampered })
	took, found := map[string]time.Duration{}, map[string]int{}
	opts := Options{Codes: codes, Progress: func(d RuleDone) {
		took[d.Code] += d.Took
		found[d.Code] = d.Findings
	}}
	var findings int
	b.ResetTimer()
	for b.Loop() {
		rep, err := Run(context.Background(), pool, nil, opts)
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		if rep.Checked != n {
			b.Fatalf("checked: got %d, want %d", rep.Checked, n)
		}
		findings = len(rep.Findings)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(findings), "findings")
	for _, c := range codes {
		b.Logf("%-24s %8s per run, %6d findings", c,
			(took[c] / time.Duration(b.N)).Round(time.Millisecond), found[c])
	}
}

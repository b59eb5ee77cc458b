package county

import (
	"os"
	"strconv"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
)

// BenchmarkGenerateCounty generates the default county (12 townships, 20
// departments, 150 villages, 2% of each violation) into a fresh database
// per iteration and reports decisions written per second. The size is
// LIUHEN_BENCH_DECISIONS (default 20000); with 1000000 it writes about a
// hundred thousand meetings:
//
//	LIUHEN_BENCH_DECISIONS=1000000 go test -run '^$' -bench GenerateCounty \
//		-benchtime 1x -timeout 30m ./agenda/county/
func BenchmarkGenerateCounty(b *testing.B) {
	o := DefaultOptions()
	o.Decisions = 20_000
	if s := os.Getenv("LIUHEN_BENCH_DECISIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("LIUHEN_BENCH_DECISIONS=%q: give a positive number of decisions", s)
		}
		o.Decisions = n
	}
	var res Result
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		pool := testenv.Database(b)
		b.StartTimer()
		res = generate(b, pool, o)
	}
	b.ReportMetric(float64(o.Decisions)*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(res.Rows["meetings"]), "meetings")
	rows := 0
	for _, n := range res.Rows {
		rows += n
	}
	b.ReportMetric(float64(rows)/res.Elapsed.Seconds(), "rows/s")
}

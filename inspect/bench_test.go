package inspect_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/testenv"
)

// benchQueries are what inspectors type, by kind, over the county that
// testdata/bench/fill.sql builds (its words, its unit codes B-T<n> and
// B-T<n>-V<m>).
var benchQueries = map[string][]string{
	"two characters": {"q=道路", "q=资金", "q=改造", "q=干部", "q=工程", "q=光伏", "q=秸秆",
		"q=食堂", "q=债券", "q=厕所", "q=扶贫", "q=合作"},
	"three or more characters": {"q=道路硬化", "q=敬老院", "q=危房改造", "q=土地征收补偿",
		"q=村集体经济", "q=招标方案", "q=办公设备政府采购", "q=杨家村", "q=青山镇", "q=党委会",
		"q=村民代表会议", "q=乡村振兴示范点"},
	"English": {"q=ppp", "q=EPC", "q=5g", "q=PPP项目"},
	"text and filters": {"q=道路&unit=B-T5", "q=道路&unit=B-T5-V3", "q=资金&unit=B-T12",
		"q=干部&body_kind=party_committee", "q=工程&category=implementation",
		"q=道路&major_class=major_project", "q=招标方案&from=2025-01-01&to=2025-12-31",
		"q=资金&from=2026-03-01&to=2026-03-31", "q=敬老院&unit=B-T3&from=2024-01-01",
		"q=道路&unit=B-T7&body_kind=villager_representatives&from=2023-01-01&to=2024-12-31",
		"q=ppp&unit=B-T20", "q=改造&major_class=cadre&unit=B-T9"},
	"filters only": {"unit=B-T5", "unit=B-T5-V3&from=2025-01-01", "body_kind=party_committee",
		"category=other&unit=B-T2", "major_class=large_funds&from=2026-01-01&to=2026-06-30",
		"from=2024-05-01&to=2024-05-31", "", "offset=100"},
	"similar, after no match": {"q=道路硬化工程项目", "q=敬老院改造资金安排方案"},
	"has findings": {"has_findings=true", "has_findings=false", "has_findings=true&unit=B-T5",
		"has_findings=false&unit=B-T5-V3", "has_findings=true&q=道路",
		"has_findings=false&q=资金&unit=B-T12",
		"has_findings=true&body_kind=party_committee&from=2025-01-01",
		"has_findings=true&offset=100"},
}

// BenchmarkSearch builds a county of LIUHEN_BENCH_ITEMS agenda items
// (1,000,000 by default; minutes to build) and runs each kind of query,
// reporting the 50th and 95th percentile latency of one search.
func BenchmarkSearch(b *testing.B) {
	items := 1_000_000
	if s := os.Getenv("LIUHEN_BENCH_ITEMS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 8 {
			b.Fatalf("LIUHEN_BENCH_ITEMS=%q: give a number of agenda items, at least 8", s)
		}
		items = n
	}
	pool := benchCounty(b, items)
	s := inspect.NewSearcher(pool)
	kinds := make([]string, 0, len(benchQueries))
	for k := range benchQueries {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var all []string
	for _, k := range kinds {
		all = append(all, benchQueries[k]...)
		b.Run(strings.ReplaceAll(k, " ", "_"), func(b *testing.B) {
			runQueries(b, s, benchQueries[k])
		})
	}
	b.Run("all", func(b *testing.B) { runQueries(b, s, all) })
}

// runQueries runs every query b.N times, in turn, and reports the
// percentiles of their latencies.
func runQueries(b *testing.B, s *inspect.Searcher, params []string) {
	queries := make([]inspect.Query, len(params))
	for i, p := range params {
		v, err := url.ParseQuery(p + "&limit=20")
		if err != nil {
			b.Fatal(err)
		}
		if queries[i], err = inspect.ParseQuery(v); err != nil {
			b.Fatalf("%s: %v", p, err)
		}
	}
	ctx := context.Background()
	for _, q := range queries { // warm the caches once
		if _, err := s.Search(ctx, q); err != nil {
			b.Fatalf("search %+v: %v", q, err)
		}
	}
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for _, q := range queries {
			start := time.Now()
			if _, err := s.Search(ctx, q); err != nil {
				b.Fatalf("search %+v: %v", q, err)
			}
			took = append(took, time.Since(start))
		}
	}
	slices.Sort(took)
	ms := func(p float64) float64 {
		return float64(took[int(p*float64(len(took)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.95), "p95-ms")
	b.ReportMetric(ms(1), "max-ms")
	b.ReportMetric(float64(len(took))/float64(b.N), "searches/op")
}

// benchCounty makes a database and fills it with testdata/bench/fill.sql.
func benchCounty(b *testing.B, items int) *pgxpool.Pool {
	b.Helper()
	sql, err := os.ReadFile(filepath.Join("testdata", "bench", "fill.sql"))
	if err != nil {
		b.Fatal(err)
	}
	pool := testenv.Database(b)
	ctx := context.Background()
	start := time.Now()
	fill := strings.ReplaceAll(string(sql), ":items", strconv.Itoa(items))
	if _, err := pool.Exec(ctx, fill, pgx.QueryExecModeSimpleProtocol); err != nil {
		b.Fatalf("fill the benchmark county: %v", err)
	}
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		b.Fatalf("vacuum: %v", err)
	}
	b.Logf("built a county of %d agenda items in %v", items, time.Since(start).Round(time.Second))
	return pool
}

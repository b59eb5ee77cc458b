package importer

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/xuri/excelize/v2"
)

const benchRows = 100_000

// decisionRows returns n decisions of the sample county in the forms
// offices write, their references made unique by prefix.
func decisionRows(prefix string, n int) [][]string {
	rows := [][]string{{"单位编码", "事项编码", "决策事项", "金额（元）", "收款单位", "项目名称",
		"决策时间", "登记时间", "文号", "会议编码", "议题序号"}}
	amounts := []string{"80,000.00", "5万元", "￥12000", "3000", "5.5万"}
	dates := []string{"2024年3月6日", "2024-03-06 10:00", "2024/3/7", "2024.3.8", "45360"}
	for i := range n {
		meeting, item := "", ""
		if i%4 == 0 {
			meeting, item = "QSZ-DW-2024-03", "1"
		}
		rows = append(rows, []string{"QSZ", "QS-03", fmt.Sprintf("第%d笔资金", i),
			amounts[i%len(amounts)], "青山建筑公司", fmt.Sprintf("项目%d", i%500),
			dates[i%len(dates)], dates[(i+1)%len(dates)],
			fmt.Sprintf("%s〔2024〕%d号", prefix, i), meeting, item})
	}
	return rows
}

func csvOf(rows [][]string) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte(',')
			}
			if bytes.ContainsAny([]byte(c), ",\"") {
				c = `"` + c + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func xlsxOf(b testing.TB, rows [][]string) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkImportDecisions imports 100,000 decisions: new ones from CSV
// and XLSX, and the same CSV again (every row unchanged).
func BenchmarkImportDecisions(b *testing.B) {
	pool := newDB(b)
	loadCounty(b, pool)
	ctx := context.Background()
	run := func(b *testing.B, name string, data func(i int) []byte) {
		b.Helper()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			file := data(i)
			b.SetBytes(int64(len(file)))
			b.StartTimer()
			res, err := Import(ctx, pool, KindDecisions, name, file, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if res.Rows != benchRows {
				b.Fatalf("imported %d rows, want %d", res.Rows, benchRows)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	}
	b.Run("csv new", func(b *testing.B) {
		run(b, "d.csv", func(i int) []byte {
			return csvOf(decisionRows(fmt.Sprintf("CSV%d", i), benchRows))
		})
	})
	again := csvOf(decisionRows("AGAIN", benchRows))
	if _, err := Import(ctx, pool, KindDecisions, "d.csv", again, Options{}); err != nil {
		b.Fatal(err)
	}
	b.Run("csv unchanged", func(b *testing.B) {
		run(b, "d.csv", func(int) []byte { return again })
	})
	b.Run("xlsx new", func(b *testing.B) {
		run(b, "d.xlsx", func(i int) []byte {
			return xlsxOf(b, decisionRows(fmt.Sprintf("XLSX%d", i), benchRows))
		})
	})
}

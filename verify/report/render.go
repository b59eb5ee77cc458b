package report

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/liuhen/liuhen/verify"
)

// Format is how a report is written.
type Format string

// The formats of a report.
const (
	FormatHTML Format = "html"
	FormatPDF  Format = "pdf"
	FormatCSV  Format = "csv"
	FormatJSON Format = "json"
)

// Formats lists every Format.
var Formats = []Format{FormatHTML, FormatPDF, FormatCSV, FormatJSON}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q: use html, pdf, csv or json", ErrUnknownFormat, s)
}

// ContentType is the media type of f.
func (f Format) ContentType() string {
	switch f {
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatPDF:
		return "application/pdf"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	}
	return "application/json"
}

// Printer turns HTML pages into PDF, one document for each. The pages must
// stand alone: they load nothing from elsewhere.
type Printer interface {
	PrintPDFs(ctx context.Context, pages [][]byte) ([][]byte, error)
}

// pdfPartFindings is how many findings one printed part of a PDF report
// holds. Chromium's time to print a page grows faster than its length:
// 2,700 findings took 8 s, 5,900 took 73 s and 23,500 did not finish in
// five minutes; printed 2,000 at a time and joined, they take time in
// proportion. A variable so that a test can print several parts of a small
// report.
var pdfPartFindings = 2000

// writePDF prints c in parts of at most pdfPartFindings findings (the
// first with the summary) and joins them into one PDF.
func (c Compliance) writePDF(ctx context.Context, w io.Writer, printer Printer) error {
	var pages [][]byte
	for first := 0; first == 0 || first < len(c.Findings); first += pdfPartFindings {
		part := c.Findings[first:min(first+pdfPartFindings, len(c.Findings))]
		var page bytes.Buffer
		if err := c.writePage(&page, first == 0, part, first+1); err != nil {
			return err
		}
		pages = append(pages, page.Bytes())
	}
	pdfs, err := printer.PrintPDFs(ctx, pages)
	if err != nil {
		return fmt.Errorf("render report as PDF: %w", err)
	}
	if len(pdfs) == 1 {
		_, err = w.Write(pdfs[0])
		return err
	}
	parts := make([]io.ReadSeeker, len(pdfs))
	for i, pdf := range pdfs {
		parts[i] = bytes.NewReader(pdf)
	}
	if err := api.MergeRaw(parts, w, false, nil); err != nil {
		return fmt.Errorf("render report as PDF: join its %d parts: %w", len(parts), err)
	}
	return nil
}

// Render writes c as f. PDF needs printer; the other formats ignore it.
func Render(ctx context.Context, w io.Writer, c Compliance, f Format, printer Printer) error {
	switch f {
	case FormatHTML:
		return c.WriteHTML(w)
	case FormatCSV:
		return c.verification.WriteCSV(w)
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case FormatPDF:
		if printer == nil {
			return fmt.Errorf("render report: %w", ErrNoPrinter)
		}
		return c.writePDF(ctx, w, printer)
	}
	return fmt.Errorf("render report: %w %q", ErrUnknownFormat, f)
}

//go:embed report.html.tmpl
var pageSource string

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"day":      func(t *time.Time) string { return t.In(Zone).Format("2006-01-02") },
	"lastDay":  func(t *time.Time) string { return t.Add(-time.Nanosecond).In(Zone).Format("2006-01-02") },
	"stamp":    func(t time.Time) string { return t.In(Zone).Format("2006-01-02 15:04 MST") },
	"ruleName": ruleName,
	"opt":      func(id *int64) string { return optID(id) },
	"percent":  percent,
	"add":      func(a, b int) int { return a + b },
}).Parse(pageSource))

// WriteHTML writes c as one HTML page with its styles and chart inline,
// laid out to print on A4.
func (c Compliance) WriteHTML(w io.Writer) error {
	return c.writePage(w, true, c.Findings, 1)
}

// writePage writes a page of c: the summary when cover is set, then the
// findings of part, numbered from first.
func (c Compliance) writePage(w io.Writer, cover bool, part []verify.Finding,
	first int) error {
	bars := c.chart()
	data := pageData{Compliance: c, Chart: bars, ChartHeight: 16 + barPitch*len(bars),
		Cover: cover, Part: part, First: first}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

type pageData struct {
	Compliance
	Chart       []bar
	ChartHeight int              // SVG units
	Cover       bool             // the page begins the report, with the summary
	Part        []verify.Finding // the findings on the page
	First       int              // the number of Part's first finding
}

// bar is one row of the chart of findings by rule.
type bar struct {
	RuleSummary
	Y, Width int // SVG units; the chart is 640 wide, bars start at 290
}

// The chart's geometry in SVG units: the room the longest bar may take,
// and the distance from one bar to the next.
const (
	chartWidth = 310
	barPitch   = 26
)

func (c Compliance) chart() []bar {
	most := 0
	for _, r := range c.Rules {
		most = max(most, r.Findings)
	}
	bars := make([]bar, len(c.Rules))
	for i, r := range c.Rules {
		bars[i] = bar{RuleSummary: r, Y: 8 + i*barPitch}
		if most > 0 {
			bars[i].Width = max(r.Findings*chartWidth/most, min(r.Findings, 1)*2)
		}
	}
	return bars
}

// Zone is the time zone of reports: their periods (LastPeriod), the dates
// of a requested period (ParseFromIn, ParseToIn) and the dates they are
// written with. It is China Standard Time, where the units keep their
// registers.
var Zone = time.FixedZone("CST", 8*60*60)

// ruleNames gives each finding code its Chinese name for the summary.
var ruleNames = map[string]string{
	verify.CodeNoMeeting:            "未经会议决策",
	verify.CodeSplitSpending:        "化整为零",
	verify.CodeWrongBody:            "决策主体不符",
	verify.CodeStageSkipped:         "未经前置程序",
	verify.CodeNoQuorum:             "到会人数不足",
	verify.CodeVoteShort:            "赞成票不足",
	verify.CodeRecusalMissed:        "应回避未回避",
	verify.CodeLeaderNotLast:        "主要负责人未末位表态",
	verify.CodeDecidedBeforeMeeting: "先决策后上会",
	verify.CodeBackdated:            "补登或补记纪要",
	verify.CodeNoRecording:          "会议无录像",
	verify.CodeRecordingInterrupted: "录像中断",
	verify.CodeItemNotCovered:       "议题未被录像覆盖",
	verify.CodeRecordingTampered:    "录像被篡改或缺失",
}

func ruleName(code string) string {
	if n, ok := ruleNames[code]; ok {
		return n
	}
	return code
}

func optID(id *int64) string {
	if id == nil {
		return ""
	}
	return fmt.Sprint(*id)
}

func percent(part, whole int) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(part)/float64(whole))
}

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

// Printer turns an HTML page into PDF. The page must stand alone: it loads
// nothing from elsewhere.
type Printer interface {
	PrintPDF(ctx context.Context, html []byte) ([]byte, error)
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
		var page bytes.Buffer
		if err := c.WriteHTML(&page); err != nil {
			return err
		}
		pdf, err := printer.PrintPDF(ctx, page.Bytes())
		if err != nil {
			return fmt.Errorf("render report as PDF: %w", err)
		}
		_, err = w.Write(pdf)
		return err
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
	"add1":     func(i int) int { return i + 1 },
}).Parse(pageSource))

// WriteHTML writes c as one HTML page with its styles and chart inline,
// laid out to print on A4.
func (c Compliance) WriteHTML(w io.Writer) error {
	bars := c.chart()
	data := pageData{Compliance: c, Chart: bars, ChartHeight: 16 + barPitch*len(bars)}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

type pageData struct {
	Compliance
	Chart       []bar
	ChartHeight int // SVG units
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

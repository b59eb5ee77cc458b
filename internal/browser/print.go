package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// printTimeout bounds the printing of one page (a part of a report of
// 2,000 findings prints in a few seconds on two cores). A variable so that
// a test can run out of it.
var printTimeout = 3 * time.Minute

// Printer prints standalone HTML pages to PDF on A4, with a headless
// Chromium of its own for each call that it stops afterwards.
type Printer struct{}

// PrintPDF returns page as PDF. The page is loaded from a temporary file,
// so it must load nothing from elsewhere.
func (p Printer) PrintPDF(ctx context.Context, page []byte) ([]byte, error) {
	pdfs, err := p.PrintPDFs(ctx, [][]byte{page})
	if err != nil {
		return nil, err
	}
	return pdfs[0], nil
}

// PrintPDFs returns each of pages as a PDF of its own, printed one after
// another by one Chromium; each page has printTimeout.
func (Printer) PrintPDFs(ctx context.Context, pages [][]byte) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "liuhen-print-")
	if err != nil {
		return nil, fmt.Errorf("print PDF: %w", err)
	}
	defer os.RemoveAll(dir)
	b, err := Start(ctx, Options{})
	if err != nil {
		return nil, fmt.Errorf("print PDF: %w", err)
	}
	defer b.Close()
	out := make([][]byte, len(pages))
	for i, html := range pages {
		path := filepath.Join(dir, fmt.Sprintf("page-%d.html", i+1))
		if err := os.WriteFile(path, html, 0o600); err != nil {
			return nil, fmt.Errorf("print PDF: %w", err)
		}
		if out[i], err = printPage(ctx, b, path, len(html)); err != nil {
			if len(pages) > 1 {
				err = fmt.Errorf("part %d of %d: %w", i+1, len(pages), err)
			}
			return nil, err
		}
		os.Remove(path)
	}
	return out, nil
}

// printPage prints the page of size bytes at path in b's tab.
func printPage(ctx context.Context, b *Browser, path string, size int) ([]byte, error) {
	tctx, cancel := context.WithTimeout(b.ctx, printTimeout)
	defer cancel()
	// tooLong names what to do when Chromium runs out of printTimeout,
	// laying the page out or printing it.
	tooLong := func(step string, err error) error {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return fmt.Errorf("print PDF: Chromium did not %s (%d MB of HTML) within %v; "+
				"print a smaller report (a narrower unit or period, fewer rules), or write "+
				"HTML or CSV: %w", step, size>>20, printTimeout, err)
		}
		return fmt.Errorf("print PDF: %s: %w", step, err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+path)); err != nil {
		return nil, tooLong("lay out the page", err)
	}
	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(
		chromedp.PDFPaper(chromedp.PaperA4),
		chromedp.PDFPrintBackground(),
		preferCSSPageSize,
	))
	if err != nil {
		return nil, tooLong("print the page", err)
	}
	return pdf, nil
}

// preferCSSPageSize lets the page's @page rule set the paper and margins.
func preferCSSPageSize(p *page.PrintToPDFParams) {
	yes := true
	p.PreferCSSPageSize = &yes
}

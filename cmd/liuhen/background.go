package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/internal/jobs"
	"github.com/liuhen/liuhen/verify/alert"
	"github.com/liuhen/liuhen/verify/report"
	"github.com/liuhen/liuhen/viewing"
)

// newIssuer returns the report issuer of a server. PDFs are printed with
// Chromium when it is installed; without it, asking for a PDF fails and
// says how to install it.
func newIssuer(svc services, ev *evidence, logger *slog.Logger) *report.Issuer {
	var printer report.Printer
	if _, err := browser.FindChromium(); err == nil {
		printer = browser.Printer{}
	} else {
		logger.Warn("PDF reports are not available", "err", err)
	}
	return report.NewIssuer(svc.pool, ev, ev, printer, logger)
}

// newBackground prepares the jobs serve runs besides its requests: viewing
// copies (which wait for their recording's segments still in the spool),
// scheduled reports, the sweep of findings and the warnings to webhooks, on
// one River client.
func newBackground(c config, svc services, ev *evidence, spool viewing.Spool,
	issuer *report.Issuer, logger *slog.Logger) (*jobs.Runner, error) {
	set := jobs.NewSet()
	err := viewing.AddTo(set, viewing.Config{Workers: c.TranscodeWorkers,
		Sweep: c.TranscodeSweep}, viewing.Deps{Pool: svc.pool, Objects: ev, Spool: spool,
		Logger: logger})
	if err != nil {
		return nil, usageError{err}
	}
	report.AddTo(set, issuer, report.Schedule{Triggers: c.ReportSchedule, Unit: c.ReportUnit,
		Formats: c.ReportFormats})
	if _, err := alert.AddTo(set, c.alertConfig(), alert.Deps{Pool: svc.pool, Objects: ev,
		Logger: logger}); err != nil {
		return nil, usageError{err}
	}
	return jobs.NewRunner(svc.pool, set, logger)
}

// Put stores an object other than a segment, such as a report.
func (e *evidence) Put(ctx context.Context, key string, r io.Reader, size int64, sum [32]byte,
	contentType string) error {
	s, err := e.get()
	if err != nil {
		return err
	}
	return s.Put(ctx, key, r, size, sum, contentType)
}

package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/internal/browser"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/report"
)

func newReportCommand() *cobra.Command {
	var (
		unit, from, to, period, rules, skip, format, output string
		store                                               bool
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write a compliance report of a unit and a period (HTML, PDF, CSV or JSON)",
		Long: `report checks the decisions of a unit (with its sub-units) in a period, as
verify does, and writes a compliance report: a summary by rule and by unit
with a chart, then every finding with its evidence.

With --store the report is also issued: kept in the evidence store under
object lock with its SHA-256 and listed by GET /api/v1/reports, as the
scheduled reports of serve are. --period daily, weekly or monthly chooses
the last whole day, week (Monday to Sunday) or month instead of --from and
--to. Report dates are China Standard Time: the periods, the dates of --from
and --to, and the dates the report is written with.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := verifyOptions(unit, from, to, rules, skip, false, report.Zone)
			if err != nil {
				return err
			}
			if period != "" {
				if from != "" || to != "" {
					return usagef("give either --period or --from and --to, not both")
				}
				if opts.From, opts.To, err = report.LastPeriod(period, time.Now()); err != nil {
					return usagef("--period %q: use daily, weekly or monthly", period)
				}
			}
			f, err := report.ParseFormat(format)
			if err != nil {
				return usagef("--format %q: use html, pdf, csv or json", format)
			}
			req := report.Request{Options: opts, Format: f, IssuedBy: "liuhen report"}
			return withCheckedOptions(cmd, needObjects, opts, reportChecks,
				func(_ config, svc services) error {
					return writeReport(cmd, svc, req, output, store)
				})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&unit, "unit", "", "org unit code: report on this unit and the units below it")
	fl.StringVar(&from, "from", "", "decisions made on or after this date (YYYY-MM-DD)")
	fl.StringVar(&to, "to", "", "decisions made up to and including this date (YYYY-MM-DD)")
	fl.StringVar(&period, "period", "", "the last whole period: daily, weekly or monthly")
	fl.StringVar(&rules, "rules", "", "comma-separated finding codes to check (default: all): "+
		codeList())
	fl.StringVar(&skip, "skip", "", "comma-separated finding codes to leave out")
	fl.StringVar(&format, "format", "html", "html, pdf, csv or json")
	fl.StringVarP(&output, "output", "o", "", "file to write (default: standard output)")
	fl.BoolVar(&store, "store", false, "also issue it: store it under object lock and list it")
	return cmd
}

// writeReport makes the report, issues it when store is set, and only
// then writes it: a report that fails leaves no file behind. The output
// file is opened first, so that an --output that cannot be written is
// told before a report is issued (and locked) for nothing.
func writeReport(cmd *cobra.Command, svc services, req report.Request, output string,
	store bool) error {
	var printer report.Printer
	if req.Format == report.FormatPDF {
		if _, err := browser.FindChromium(); err != nil {
			return fmt.Errorf("PDF reports: %w", err)
		}
		printer = browser.Printer{}
	}
	out, err := openOutput(cmd, output)
	if err != nil {
		return err
	}
	defer out.discard()
	issuer := report.NewIssuer(svc.pool, svc.objects, objectChecker{svc.objects}, printer,
		slog.New(slog.DiscardHandler))
	var body bytes.Buffer
	var issued report.Issued
	if store {
		issued, err = issuer.Issue(cmd.Context(), req, &body)
	} else {
		_, err = issuer.Make(cmd.Context(), &body, req)
	}
	if errors.Is(err, verify.ErrInvalidOptions) {
		return flagErrors(err)
	} else if err != nil {
		return err
	}
	if err := out.write(body.Bytes()); err != nil {
		return err
	}
	if store {
		fmt.Fprintf(cmd.ErrOrStderr(), "report %d stored as %s (%d bytes, SHA-256 %s)\n",
			issued.ID, issued.ObjectKey, issued.Size, issued.SHA256)
	}
	return nil
}

// output is where a report is written: standard output, or a file at path
// written whole or not at all, through a temporary file beside it.
type output struct {
	cmd  *cobra.Command
	path string
	tmp  *os.File
}

// openOutput opens the output for path ("" is standard output), creating
// the temporary file beside it now, so that a path that cannot be written
// is refused before any work.
func openOutput(cmd *cobra.Command, path string) (*output, error) {
	o := &output{cmd: cmd, path: path}
	if path == "" {
		return o, nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, usagef("--output %s is a directory; give the name of a file in it", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, usagef("--output %s: %v", path, err)
	}
	o.tmp = tmp
	if err := tmp.Chmod(0o644); err != nil {
		o.discard()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return o, nil
}

// write writes data, whole, and puts the file in place.
func (o *output) write(data []byte) error {
	if o.tmp == nil {
		_, err := o.cmd.OutOrStdout().Write(data)
		return err
	}
	if _, err := o.tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := o.tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	if err := os.Rename(o.tmp.Name(), o.path); err != nil {
		return fmt.Errorf("write %s: %w", o.path, err)
	}
	o.tmp = nil
	return nil
}

// discard removes the temporary file of an output not written.
func (o *output) discard() {
	if o.tmp != nil {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
		o.tmp = nil
	}
}

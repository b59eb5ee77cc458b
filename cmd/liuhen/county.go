package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/liuhen/liuhen/agenda/county"
	"github.com/liuhen/liuhen/verify"
)

func newSampleCountyCommand() *cobra.Command {
	o := county.DefaultOptions()
	var share float64
	var perKind []string
	cmd := &cobra.Command{
		Use:   "county",
		Short: "Generate a sample county: units, procedure lists, a year of meetings and decisions",
		Long: `county writes a whole sample county in one transaction: org units, meeting
bodies, members and their seats, each unit's procedure list, a year of meetings
with agenda items, attendance, votes, recusals, statements, the recordings
catalogue and index points, and the decisions registered over the year, with a
share of each kind of violation planted among them. It prints how many it
planted of each kind. The same options and --seed give the same data.

Segment objects are not uploaded, so verify's RECORDING_TAMPERED rule would find
them all missing: check a generated county with the other rules, for example
  liuhen verify --unit linxi --rules NO_MEETING,WRONG_BODY,DECIDED_BEFORE_MEETING

The county is named --name; without it, linxi is 临溪县 and any other --code
gets a made-up Chinese name of its own, the same for the same code. It refuses
a county code the database already holds (exit status 2). Other writers wait
while it runs; readers do not.`,
		Example: `  liuhen sample county
  liuhen sample county --code hexi --name 河西县 --decisions 1000000 --violations 0.05
  liuhen sample county --violations 0 --violation no_quorum=0.1 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := setShares(&o, cmd.Flags().Changed("violations"), share, perKind); err != nil {
				return err
			}
			if !cmd.Flags().Changed("name") {
				o.Name = county.NameFor(o.Code)
			}
			if err := o.Validate(); err != nil {
				return usageError{err}
			}
			return withServices(cmd, needDatabase, func(_ config, svc services) error {
				o.Progress = countyProgress(cmd.ErrOrStderr())
				res, err := county.Generate(cmd.Context(), svc.pool, o)
				if errors.Is(err, county.ErrCountyExists) {
					return usageError{err}
				} else if err != nil {
					return err
				}
				return printCounty(cmd.OutOrStdout(), o, res)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Code, "code", o.Code, "county org unit code (lower-case letters and digits); "+
		"every generated code starts with it")
	f.StringVar(&o.Name, "name", "", "county name (default: 临溪县 for linxi, else a made-up "+
		"name the code picks, such as "+county.NameFor("hexi")+" for hexi)")
	f.IntVar(&o.Year, "year", o.Year, "calendar year of the meetings")
	f.Uint64Var(&o.Seed, "seed", o.Seed, "random seed: the same seed gives the same data")
	f.IntVar(&o.Townships, "townships", o.Townships, "townships")
	f.IntVar(&o.Departments, "departments", o.Departments, "county departments")
	f.IntVar(&o.Villages, "villages", o.Villages, "villages, dealt out to the townships")
	f.IntVar(&o.Decisions, "decisions", o.Decisions, "decisions over the year, all units together")
	f.IntVar(&o.SegmentSeconds, "segment-seconds", o.SegmentSeconds,
		"media length of a catalogued segment")
	f.Float64Var(&share, "violations", county.DefaultShare,
		"share of the decisions planted with each kind of violation, 0 to 1")
	f.StringArrayVar(&perKind, "violation", nil,
		"KIND=SHARE for one kind, over --violations (repeatable), e.g. no_quorum=0.1")
	return cmd
}

// setShares applies --violations to every kind, when given, then each
// --violation KIND=SHARE.
func setShares(o *county.Options, all bool, share float64, perKind []string) error {
	if all {
		for _, k := range county.Kinds() {
			o.Shares[k] = share
		}
	}
	for _, kv := range perKind {
		name, value, ok := strings.Cut(kv, "=")
		k, known := county.ParseKind(name)
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		switch {
		case !ok || err != nil:
			return usagef("--violation %q: write KIND=SHARE, such as no_quorum=0.1", kv)
		case !known:
			return usagef("--violation %q: unknown kind %q; kinds are %s", kv, name,
				kindNames())
		}
		o.Shares[k] = v
	}
	return nil
}

func kindNames() string {
	var names []string
	for _, k := range county.Kinds() {
		names = append(names, strings.ToLower(string(k)))
	}
	return strings.Join(names, ", ")
}

// countyProgress shows a bar on a terminal, else a line per phase and per
// tenth of the decisions.
func countyProgress(w io.Writer) func(county.Progress) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(p county.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(w),
					progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(200*time.Millisecond),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
			}
			bar.Describe(p.Phase)
			_ = bar.Set(p.Decisions)
		}
	}
	phase, tenth := "", -1
	return func(p county.Progress) {
		t := 10
		if p.Total > 0 {
			t = 10 * p.Decisions / p.Total
		}
		if p.Phase != phase || t != tenth {
			fmt.Fprintf(w, "county: %s: %d of %d decisions written\n",
				p.Phase, p.Decisions, p.Total)
			phase, tenth = p.Phase, t
		}
	}
}

func printCounty(w io.Writer, o county.Options, res county.Result) error {
	rate := float64(res.Rows["decisions"]) / res.Elapsed.Seconds()
	fmt.Fprintf(w, "county %s (%s), %d, seed %d: %d townships, %d departments, %d villages; "+
		"written in %v (%.0f decisions/s)\n\n", res.Code, o.Name, res.Year, res.Seed,
		res.Units["township"], res.Units["department"], res.Units["village"],
		res.Elapsed.Round(time.Millisecond), rate)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS")
	names := make([]string, 0, len(res.Rows))
	for name := range res.Rows {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(tw, "%s\t%d\n", name, res.Rows[name])
	}
	fmt.Fprintln(tw, "\nVIOLATION\tPLANTED\tVARIANTS")
	for _, k := range county.Kinds() {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", k, res.Planted[k], variants(res, k))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nSegment objects are not stored; verify without "+
		"%s: liuhen verify --unit %s --skip %s\n", verify.CodeRecordingTampered, res.Code,
		verify.CodeRecordingTampered)
	return err
}

// variants lists the variants of kind planted, such as "circulation 3, kind 5".
func variants(res county.Result, k county.Kind) string {
	var out []string
	for key, n := range res.Variants {
		if name, ok := strings.CutPrefix(key, string(k)+"/"); ok {
			out = append(out, fmt.Sprintf("%s %d", name, n))
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/report"
)

func newMigrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withServices(cmd, needDatabase, func(config, services) error {
				fmt.Fprintln(cmd.OutOrStdout(), "database schema is up to date")
				return nil
			})
		},
	}
}

func newVerifyCommand() *cobra.Command {
	var (
		format, unit, from, to, rules, skip string
		rehash, failOnFindings              bool
		backdateDays, concurrency           int
		meeting                             int64
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every decision against the procedure list and the recordings",
		Long: `verify checks every decision whose matter needs a meeting: that it is linked to
an agenda item of a meeting of the right body, held before the decision and
after the earlier bodies the procedure list names took the matter up, with
quorum, a carrying vote, recusals kept and the leader speaking last where the
procedure list asks it, with a finished recording that covers the meeting and
the item, whose segments are all in the evidence store (and, with --rehash,
still hash to what was recorded). It also looks for spending split to stay
under a threshold, and for registrations and minutes written long after the
fact. Once a run has lasted a second, lines on stderr tell how far it got:
one when the decisions in scope are selected, one per rule, and one every
five seconds while segments are checked in the evidence store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := verifyOptions(unit, from, to, rules, skip, rehash, time.Local)
			if err != nil {
				return err
			}
			opts.BackdateDays, opts.Concurrency = backdateDays, concurrency
			opts.Meeting = meeting
			opts.Selected, opts.Progress, opts.ObjectsChecked = progressLines(cmd.ErrOrStderr())
			f, err := verify.ParseFormat(format)
			if err != nil {
				return usagef("--format %q: use table, json or csv", format)
			}
			// Only RECORDING_TAMPERED reads the evidence store.
			needsStore := opts.Runs(verify.CodeRecordingTampered)
			uses := needDatabase
			if needsStore {
				uses = needObjects
			}
			return withCheckedOptions(cmd, uses, opts, verifyChecks, func(_ config,
				svc services) error {
				var objects verify.ObjectChecker
				if needsStore {
					objects = objectChecker{svc.objects}
				}
				report, err := verify.Run(cmd.Context(), svc.pool, objects, opts)
				var oe *verify.OptionError
				if errors.As(err, &oe) {
					return flagErrors(err)
				} else if err != nil {
					return err
				}
				if err := report.Write(cmd.OutOrStdout(), f); err != nil {
					return err
				}
				if failOnFindings && len(report.Findings) > 0 {
					return errFindings
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: table, json or csv")
	f.StringVar(&unit, "unit", "", "org unit code: check only this unit and the units below it")
	f.Int64Var(&meeting, "meeting", 0,
		"meeting id: check only the decisions linked to its agenda items")
	f.StringVar(&from, "from", "", "check decisions made on or after this date (YYYY-MM-DD)")
	f.StringVar(&to, "to", "", "check decisions made up to and including this date (YYYY-MM-DD)")
	f.StringVar(&rules, "rules", "", "comma-separated finding codes to check (default: all): "+
		codeList())
	f.StringVar(&skip, "skip", "", "comma-separated finding codes to leave out, e.g. "+
		"RECORDING_TAMPERED for a generated county")
	f.IntVar(&backdateDays, "backdate-days", 30,
		"days after the fact a registration or the minutes may come before BACKDATED")
	f.BoolVar(&rehash, "rehash", false, "read every segment back and compare its SHA-256")
	f.IntVar(&concurrency, "concurrency", 0,
		"segments checked in the evidence store at once (0: the default, 16)")
	f.BoolVar(&failOnFindings, "fail-on-findings", false, "exit with status 1 when there are findings")
	return cmd
}

// codeList lists every finding code, for the help of --rules.
func codeList() string { return strings.Join(verify.Codes(), ", ") }

// verifyFlags names the flag behind each verify option.
var verifyFlags = map[string]string{
	"codes": "--rules", "skip": "--skip", "unit": "--unit", "meeting": "--meeting",
	"from": "--from", "to": "--to", "backdate_days": "--backdate-days",
	"concurrency": "--concurrency",
}

// flagErrors turns the *verify.OptionError values in err into one usage
// error that names the flags to fix.
func flagErrors(err error) error { return namedByFlag(err, verifyFlags) }

// namedByFlag turns the *fielderr.Error values in err into one usage error
// that names, by flags, the flag behind each field.
func namedByFlag(err error, flags map[string]string) error {
	var parts []string
	for _, fe := range fielderr.All(err) {
		name := flags[fe.Field]
		if name == "" {
			name = fe.Field
		}
		parts = append(parts, name+": "+fe.Reason)
	}
	if len(parts) == 0 {
		return usageError{err}
	}
	return usagef("%s", strings.Join(parts, "; "))
}

// quietFor is how long a verification runs before it reports its
// progress: a short run prints only its result.
const quietFor = time.Second

// progressLines returns the callbacks of verify.Options.Selected, Progress
// and ObjectsChecked, which write to w a line when the decisions in scope
// are selected, one per rule that has run, and one every few seconds while
// segments are checked in the store, once the run has lasted quietFor.
func progressLines(w io.Writer) (func(int, time.Duration), func(verify.RuleDone),
	func(int, int)) {
	start := time.Now()
	selected := func(n int, took time.Duration) {
		if time.Since(start) < quietFor {
			return
		}
		fmt.Fprintf(w, "verify: %s in scope, selected in %s\n", plural(n, "decision"),
			took.Round(time.Millisecond))
	}
	done := func(d verify.RuleDone) {
		if time.Since(start) < quietFor {
			return
		}
		fmt.Fprintf(w, "verify: %d/%d %s: %s in %s\n", d.N, d.Of, d.Code,
			plural(d.Findings, "finding"), d.Took.Round(time.Millisecond))
	}
	objects := func(n, of int) {
		if time.Since(start) < quietFor {
			return
		}
		fmt.Fprintf(w, "verify: %s: %d of %s checked in the evidence store\n",
			verify.CodeRecordingTampered, n, plural(of, "segment"))
	}
	return selected, done, objects
}

// plural writes n things, in the plural unless n is 1.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// codeFlag reads the finding codes of flag name. A value of commas and
// spaces alone names no rule, and is refused rather than read as no list
// (which runs every rule).
func codeFlag(name, value string) ([]string, error) {
	codes := verify.ParseCodes(value)
	if value != "" && len(codes) == 0 {
		return nil, usagef("%s %q names no rule; give finding codes separated by commas, "+
			"such as NO_MEETING,WRONG_BODY", name, value)
	}
	return codes, nil
}

// verifyOptions reads the flags shared by verify and report; dates are read
// in loc. The codes are checked with the other options (Options.Validate).
func verifyOptions(unit, from, to, rules, skip string, rehash bool,
	loc *time.Location) (verify.Options, error) {
	opts := verify.Options{Unit: unit, Rehash: rehash}
	var err error
	if opts.Codes, err = codeFlag("--rules", rules); err != nil {
		return opts, err
	}
	if opts.Skip, err = codeFlag("--skip", skip); err != nil {
		return opts, err
	}
	if from != "" {
		if opts.From, err = verify.ParseFromIn(from, loc); errors.Is(err, verify.ErrBadYear) {
			return opts, flagErrors(err)
		} else if err != nil {
			return opts, usagef("--from %q: write a date as YYYY-MM-DD or a time as RFC 3339", from)
		}
	}
	if to != "" {
		if opts.To, err = verify.ParseToIn(to, loc); errors.Is(err, verify.ErrBadYear) {
			return opts, flagErrors(err)
		} else if err != nil {
			return opts, usagef("--to %q: write a date as YYYY-MM-DD or a time as RFC 3339", to)
		}
	}
	return opts, nil
}

// optionChecks check the verify options of a command: offline what can be
// checked without the database, all every problem at once with it.
type optionChecks struct {
	offline func(verify.Options) error
	all     func(context.Context, *pgxpool.Pool, verify.Options) error
}

var (
	verifyChecks = optionChecks{verify.Options.Validate, verify.Check}
	reportChecks = optionChecks{report.Validate, report.Check}
)

// withCheckedOptions runs f with the services n names unless opts has a
// problem c finds without the database. Then every problem is told at once
// as bad usage: those only the database shows (an unknown org unit or
// meeting) beside the others, or, when the database cannot be reached, the
// others alone.
func withCheckedOptions(cmd *cobra.Command, n needs, opts verify.Options, c optionChecks,
	f func(config, services) error) error {
	offline := c.offline(opts)
	if offline == nil {
		return withServices(cmd, n, f)
	}
	err := withServices(cmd, needDatabase, func(_ config, svc services) error {
		return c.all(cmd.Context(), svc.pool, opts)
	})
	if errors.Is(err, verify.ErrInvalidOptions) {
		return flagErrors(err)
	}
	return flagErrors(offline)
}

func newSampleCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Load the sample township (idempotent): procedure list, meetings, decisions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withServices(cmd, needDatabase, func(_ config, svc services) error {
				s, err := agenda.LoadSample(cmd.Context(), svc.store)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "sample loaded; meeting to record: %d\n", s.MeetingID)
				return nil
			})
		},
	}
	cmd.AddCommand(newSampleCountyCommand())
	return cmd
}

func newTokenCommand() *cobra.Command {
	var meeting int64
	var inspector string
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "token (--meeting ID | --inspector NAME)",
		Short: "Issue a publish token for a meeting room, or an inspector token",
		Long: `token --meeting ID issues a publish token that lets one meeting room publish
that meeting and mark its items (valid 12h unless --ttl says otherwise).

token --inspector NAME issues an inspector token: it searches, watches and
exports everything and changes nothing; every search, view and export is in
the audit log under NAME (valid 720h unless --ttl says otherwise).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if inspector != "" || cmd.Flags().Changed("inspector") {
				if cmd.Flags().Changed("meeting") {
					return usagef("give --meeting or --inspector, not both")
				}
				return issueInspectorToken(cmd, inspector, ttl)
			}
			if meeting <= 0 {
				return usagef("--meeting: give the id of the meeting to publish, " +
					"or --inspector NAME for an inspector token")
			}
			if ttl < time.Hour || ttl > 720*time.Hour {
				return usagef("--ttl %v: give a duration from 1h to 720h, such as 12h", ttl)
			}
			return withServices(cmd, needDatabase, func(c config, svc services) error {
				return printToken(cmd.Context(), svc.store, c, meeting, ttl)
			})
		},
	}
	cmd.Flags().Int64Var(&meeting, "meeting", 0, "meeting id")
	cmd.Flags().StringVar(&inspector, "inspector", "", "the inspector's name, as the audit log "+
		"will show it")
	cmd.Flags().DurationVar(&ttl, "ttl", 12*time.Hour, "how long the token is valid")
	return cmd
}

func printToken(ctx context.Context, store *agenda.Store, c config, meeting int64,
	ttl time.Duration) error {
	token, err := store.CreatePublishToken(ctx, meeting, ttl)
	if errors.Is(err, agenda.ErrNotFound) {
		return usagef("meeting %d does not exist", meeting)
	} else if err != nil {
		return err
	}
	fmt.Fprintln(os.Stdout, token)
	fmt.Fprintf(os.Stderr, "meeting room page: %s/room/%d#token=%s\n", c.publicURL(), meeting, token)
	return nil
}

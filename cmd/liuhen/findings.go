package main

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
)

func newFindingsCommand() *cobra.Command {
	var state, code, severity, unit, format string
	var limit int
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List the findings kept by the sweeps, with their state and warnings",
		Long: `findings lists the findings that the sweeps of serve (every LIUHEN_ALERT_SWEEP)
or 'liuhen findings sweep' have kept, the last opened first: each with its
state (open, acknowledged, resolved), when it was opened and last seen, and
how its warnings to the webhooks went. It shows the newest --limit (1000) and
says how many more there are; --limit 0 shows them all. Acknowledge and
resolve them on the warnings page (/warnings) or through the API.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return usagef("--format %q: use table or json", format)
			}
			// A list flag given with no value (--state "", --code ,) would
			// read as no filter: for --state, every state, resolved ones too,
			// more than when it is left out.
			for _, name := range []string{"state", "code", "severity"} {
				if v := cmd.Flags().Lookup(name).Value.String(); cmd.Flags().Changed(name) &&
					len(splitList(v, strings.ToLower)) == 0 {
					return usagef("--%s %q: given empty; give a value, or leave --%s out",
						name, v, name)
				}
			}
			f := alert.Filter{States: splitList(state, strings.ToLower),
				Codes:      splitList(code, strings.ToUpper),
				Severities: splitList(severity, strings.ToLower), Unit: unit}
			if err := f.Validate(); err != nil {
				return namedByFlag(err, findingsFlags)
			}
			if limit < 0 {
				return usagef("--limit %d: give a positive number, or 0 for all", limit)
			}
			return withServices(cmd, needDatabase, func(_ config, svc services) error {
				list, total, err := alert.NewStore(svc.pool).Newest(cmd.Context(), f, limit)
				if errors.Is(err, alert.ErrInvalid) {
					return namedByFlag(err, findingsFlags)
				} else if err != nil {
					return err
				}
				if len(list) < total {
					fmt.Fprintf(cmd.ErrOrStderr(), "findings: showing the newest %d of %d; "+
						"narrow with --unit, --code, --severity or --state, or give --limit 0 "+
						"for all\n", len(list), total)
				}
				if format == "json" {
					return alert.WriteJSON(cmd.OutOrStdout(), list)
				}
				return alert.WriteTable(cmd.OutOrStdout(), list)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&state, "state", "open,acknowledged",
		"comma-separated states (open, acknowledged, resolved), or all")
	fl.StringVar(&code, "code", "", "comma-separated finding codes (default: all)")
	fl.StringVar(&severity, "severity", "", "comma-separated severities: low, medium, high")
	fl.StringVar(&unit, "unit", "", "org unit code: its findings and those of the units below")
	fl.StringVar(&format, "format", "table", "table or json")
	fl.IntVar(&limit, "limit", 1000, "show at most this many, the newest first; 0 for all")
	cmd.AddCommand(newSweepCommand())
	return cmd
}

// findingsFlags names the flag behind each field of alert.Filter.
var findingsFlags = map[string]string{"state": "--state", "code": "--code",
	"severity": "--severity", "unit": "--unit", "limit": "--limit"}

func splitList(s string, norm func(string) string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, norm(part))
		}
	}
	return out
}

func newSweepCommand() *cobra.Command {
	var skip string
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Sweep the findings now, as serve does every LIUHEN_ALERT_SWEEP",
		Long: `sweep runs the verifier over every decision (without rehashing; segment
objects are checked for presence and size) and keeps what it finds: new
findings open, findings no longer found are resolved, resolved ones found
again reopen. Warnings of new findings are queued for LIUHEN_ALERT_WEBHOOK_URL;
a running 'liuhen serve' sends them. The rules of LIUHEN_ALERT_SKIP and --skip
are left out, and their findings left as they are.

When MinIO cannot be reached, the sweep runs and keeps every other rule, as
serve's do, and leaves RECORDING_TAMPERED and its findings as they are; it
says so on stderr and exits with status 4. A sweep that leaves
RECORDING_TAMPERED out reads no MinIO setting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return sweep(cmd, skip) },
	}
	cmd.Flags().StringVar(&skip, "skip", "", "comma-separated finding codes to leave out, "+
		"besides those of LIUHEN_ALERT_SKIP")
	return cmd
}

// sweep runs one sweep of the findings, leaving out the rules of skip
// besides those of LIUHEN_ALERT_SKIP.
func sweep(cmd *cobra.Command, skip string) error {
	flagSkip, err := codeFlag("--skip", skip)
	if err != nil {
		return err
	}
	if err := (verify.Options{Skip: flagSkip}).Validate(); err != nil {
		return flagErrors(err)
	}
	// The MinIO settings matter only to RECORDING_TAMPERED: a sweep that
	// leaves it out runs whatever they say.
	uses := needAlerts
	if !slices.Contains(flagSkip, verify.CodeRecordingTampered) &&
		!slices.Contains(verify.ParseCodes(env("LIUHEN_ALERT_SKIP")),
			verify.CodeRecordingTampered) {
		uses |= needObjects
	}
	c, err := mustConfig(uses)
	if err != nil {
		return err
	}
	cfg := c.alertConfig()
	cfg.Skip = append(slices.Clone(cfg.Skip), flagSkip...)
	// Each list is valid (LIUHEN_ALERT_SKIP is checked with the settings);
	// together they may leave no rule.
	if bad := verify.OptionErrors(verify.Options{Skip: cfg.Skip}.Validate()); len(bad) > 0 {
		return usagef("--skip %s with LIUHEN_ALERT_SKIP=%s: %s", skip,
			strings.Join(c.AlertSkip, ","), bad[0].Reason)
	}
	tampered := !slices.Contains(cfg.Skip, verify.CodeRecordingTampered)
	svc, err := connect(cmd.Context(), c, false)
	if err != nil {
		return err
	}
	defer svc.close()
	var objects verify.ObjectChecker
	var storeErr error
	if tampered {
		// As serve's sweeps: an evidence store that cannot be reached leaves
		// RECORDING_TAMPERED out; a bad setting, refused credentials or a
		// bucket without object lock stop the sweep.
		ev := &evidence{}
		if storeErr = ev.open(cmd.Context(), c.storageConfig(), storage.OpenExisting); storeErr == nil {
			objects = ev
		} else if !evidenceUnreachable(storeErr) {
			return storeErr
		}
	}
	s, err := alert.NewSweeper(svc.pool, objects, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return usageError{err}
	}
	res, err := s.Sweep(cmd.Context())
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d decisions checked, %d findings: %d opened, "+
		"%d reopened, %d escalated, %d deescalated, %d resolved; %d warnings queued for %d "+
		"webhooks\n", res.Checked, res.Found, res.Opened, res.Reopened, res.Escalated,
		res.Deescalated, res.Resolved, res.Queued, len(c.AlertWebhooks))
	if !tampered || slices.Contains(res.Codes, verify.CodeRecordingTampered) {
		return nil
	}
	if storeErr == nil { // the store went away during the sweep
		storeErr = res.StoreErr
	}
	return partialError{fmt.Errorf("%s was not checked: %w. The other rules ran and what "+
		"they found is kept; %s's findings are left as an earlier sweep left them",
		verify.CodeRecordingTampered, storeErr, verify.CodeRecordingTampered)}
}

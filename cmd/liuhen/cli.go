package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/liuhen/liuhen/storage"
	"github.com/spf13/cobra"
)

// Exit statuses, as README.md documents them.
const (
	exitOK       = 0
	exitFindings = 1 // verify found something with --fail-on-findings; a bundle is invalid
	exitUsage    = 2 // bad command line or settings
	exitFailure  = 3 // the command could not do its work
)

// usageError is a mistake in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// badInputError is a file or input that cannot be used as it is; the
// error says what to fix. It exits with status 2 like a usage error, but
// without pointing at --help.
type badInputError struct{ err error }

func (e badInputError) Error() string { return e.err.Error() }
func (e badInputError) Unwrap() error { return e.err }

// errFindings ends a verify run that found problems when asked to fail.
var errFindings = errors.New("verification found problems")

func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	started := false
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }

	cmd, err := root.ExecuteC()
	var ue usageError
	var be badInputError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.As(err, &be):
		fmt.Fprintf(os.Stderr, "liuhen: %v\n", err)
		return exitUsage
	case !started || errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "liuhen: %v\nRun '%s --help' for usage.\n", err,
			cmd.CommandPath())
		return exitUsage
	default:
		fmt.Fprintf(os.Stderr, "liuhen: %v\n", err)
		return exitFailure
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "liuhen",
		Short: "Record decision meetings as evidence and check decisions against the procedure list",
		Long: `Liuhen (留痕) records decision meetings streamed over WHIP into write-once
evidence storage, and checks every registered decision against the
procedure list that says which meeting must decide it.

Settings come from LIUHEN_* environment variables; see README.md.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServeCommand(), newMigrateCommand(), newVerifyCommand(),
		newSampleCommand(), newTokenCommand(), newRecordingsCommand(), newPublishCommand(),
		newReportCommand(), newExportCommand(), newVerifyBundleCommand(), newKeygenCommand(),
		newImportCommand(), newFindingsCommand())
	return root
}

// config loads the settings, turning bad ones into a usage error.
func mustConfig() (config, error) {
	c, err := loadConfig()
	if errors.Is(err, storage.ErrInvalidConfig) {
		return c, usageError{fmt.Errorf("bad settings:\n%w\n(with the services of `make "+
			"services`, `. .liuhen/env` sets the LIUHEN_* variables)", err)}
	} else if err != nil {
		return c, usageError{fmt.Errorf("bad settings:\n%w", err)}
	}
	return c, nil
}

// withServices loads the settings, connects to PostgreSQL (migrating it)
// and, when withObjects is set, MinIO, runs f and closes the connections.
func withServices(cmd *cobra.Command, withObjects bool, f func(config, services) error) error {
	c, err := mustConfig()
	if err != nil {
		return err
	}
	svc, err := connect(cmd.Context(), c, withObjects)
	if err != nil {
		return err
	}
	defer svc.close()
	return f(c, svc)
}

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/liuhen/liuhen/storage"
)

// Exit statuses, as README.md documents them.
const (
	exitOK       = 0
	exitFindings = 1 // verify found something with --fail-on-findings; a bundle is invalid
	exitUsage    = 2 // bad command line or settings
	exitFailure  = 3 // the command could not do its work
	exitPartial  = 4 // it did its work but for a part it names, saying why (findings sweep without MinIO)
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

// partialError ends a command that did its work but a part the error
// names and says why it could not be done.
type partialError struct{ err error }

func (e partialError) Error() string { return e.err.Error() }
func (e partialError) Unwrap() error { return e.err }

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
	var pe partialError
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
	case errors.As(err, &pe):
		fmt.Fprintf(os.Stderr, "liuhen: %v\n", err)
		return exitPartial
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
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError(err) })
	root.AddCommand(newServeCommand(), newMigrateCommand(), newVerifyCommand(),
		newSampleCommand(), newTokenCommand(), newRecordingsCommand(), newPublishCommand(),
		newReportCommand(), newExportCommand(), newVerifyBundleCommand(), newKeygenCommand(),
		newImportCommand(), newFindingsCommand())
	decimalOnly(root)
	strictFlags(root)
	return root
}

// errGivenTwice and errGivenEmpty are the causes strictValue refuses a
// value with; flagError tells them.
var (
	errGivenTwice = errors.New("given more than once")
	errGivenEmpty = errors.New("given empty")
)

// strictFlags makes every flag of cmd and its subcommands refuse to be
// given twice (pflag would keep the last, so that --unit a --unit b checks
// b alone), except the lists made to be repeated, and every text flag
// refuse an empty value: leaving a flag out gives its default, and an
// empty --unit or --rules would read as no filter and widen the answer.
func strictFlags(cmd *cobra.Command) {
	wrap := func(f *pflag.Flag) {
		if _, done := f.Value.(*strictValue); done || strings.HasSuffix(f.Value.Type(), "Array") ||
			strings.HasSuffix(f.Value.Type(), "Slice") {
			return
		}
		f.Value = &strictValue{Value: f.Value}
	}
	cmd.Flags().VisitAll(wrap)
	cmd.PersistentFlags().VisitAll(wrap)
	for _, sub := range cmd.Commands() {
		strictFlags(sub)
	}
}

// strictValue is a flag value that may be set once, and not to blank text.
type strictValue struct {
	pflag.Value
	set bool
}

func (v *strictValue) Set(s string) error {
	switch {
	case v.set:
		return errGivenTwice
	case v.Type() == "string" && strings.TrimSpace(s) == "":
		return errGivenEmpty
	}
	v.set = true
	return v.Value.Set(s)
}

// decimalOnly makes every integer flag of cmd and its subcommands read
// decimal digits alone: pflag would take 010 as octal 8 and 0x10 as 16,
// so that `token --meeting 010` would name meeting 8, where the API reads
// 10.
func decimalOnly(cmd *cobra.Command) {
	wrap := func(f *pflag.Flag) {
		switch f.Value.Type() {
		case "int", "int8", "int16", "int32", "int64",
			"uint", "uint8", "uint16", "uint32", "uint64":
			if _, done := f.Value.(decimalValue); !done {
				f.Value = decimalValue{f.Value}
			}
		}
	}
	cmd.Flags().VisitAll(wrap)
	cmd.PersistentFlags().VisitAll(wrap)
	for _, sub := range cmd.Commands() {
		decimalOnly(sub)
	}
}

// decimalValue is an integer flag that refuses anything but an optional
// sign and decimal digits; 010 is ten.
type decimalValue struct{ pflag.Value }

func (v decimalValue) Set(s string) error {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return strconv.ErrSyntax
	}
	if trimmed := strings.TrimLeft(digits, "0"); trimmed != digits {
		if trimmed == "" {
			trimmed = "0"
		}
		s = strings.TrimSuffix(s, digits) + trimmed
	}
	return v.Value.Set(s)
}

// mustConfig loads the settings every command reads and those n names,
// turning bad ones into a usage error.
func mustConfig(n needs) (config, error) {
	c, err := loadConfigFor(n)
	if errors.Is(err, storage.ErrInvalidConfig) {
		return c, usageError{fmt.Errorf("bad settings:\n%w\n(with the services of `make "+
			"services`, `. .liuhen/env` sets the LIUHEN_* variables)", err)}
	} else if err != nil {
		return c, usageError{fmt.Errorf("bad settings:\n%w", err)}
	}
	return c, nil
}

// withServices loads the settings n names (mustConfig), connects to
// PostgreSQL (migrating it) and, when n has needObjects, MinIO, runs f and
// closes the connections.
func withServices(cmd *cobra.Command, n needs, f func(config, services) error) error {
	c, err := mustConfig(n)
	if err != nil {
		return err
	}
	svc, err := connect(cmd.Context(), c, n&needObjects != 0)
	if err != nil {
		return err
	}
	defer svc.close()
	return f(c, svc)
}

// flagError turns an error of reading the command line into a usage error
// that names the flag and says what it takes, for every command alike.
func flagError(err error) error {
	var invalid *pflag.InvalidValueError
	var missing *pflag.ValueRequiredError
	switch {
	case errors.As(err, &invalid) && errors.Is(err, errGivenTwice):
		f := invalid.GetFlag()
		return usagef("--%s is given more than once (%q the second time); give it once",
			f.Name, invalid.GetValue())
	case errors.As(err, &invalid) && errors.Is(err, errGivenEmpty):
		f := invalid.GetFlag()
		return usagef("--%s %q: given empty; give a value, or leave --%s out",
			f.Name, invalid.GetValue(), f.Name)
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		return usagef("--%s %q: %s", f.Name, invalid.GetValue(), expected(f, invalid.Unwrap()))
	case errors.As(err, &missing):
		f := missing.GetFlag()
		return usagef("--%s needs a value: %s", f.Name, expected(f, nil))
	}
	return usageError{err}
}

// expected says what flag f takes, with its default; cause is why a value
// was refused, told as it is for a flag of a type of Liuhen's own.
func expected(f *pflag.Flag, cause error) string {
	var what string
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64":
		what = "give a whole number"
	case "uint", "uint8", "uint16", "uint32", "uint64":
		what = "give a whole number, 0 or more"
	case "float32", "float64":
		what = "give a number such as 0.05"
	case "duration":
		what = "give a duration such as 90s, 30m or 12h"
	case "bool":
		what = "give true or false"
	default:
		if cause != nil {
			return cause.Error()
		}
		return "give " + f.Usage
	}
	if errors.Is(cause, strconv.ErrRange) {
		what = "out of range; " + what
	}
	// A default of 0 stands for "none" or "the usual", which --help says.
	if f.DefValue != "" && f.DefValue != "[]" && f.DefValue != "0" {
		what += " (default " + f.DefValue + ")"
	}
	return what
}

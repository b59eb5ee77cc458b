package main

import (
	"path/filepath"
	"strings"
	"testing"

	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestExitStatus checks the exit statuses README.md promises for bad
// usage; none of these cases reaches a database: the one they are given
// does not answer, so bad verify options are told without it.
func TestExitStatus(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", "postgres://x@127.0.0.1:1/x?connect_timeout=2")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"help", []string{"--help"}, nil, exitOK},
		{"unknown command", []string{"bogus"}, nil, exitUsage},
		{"unknown flag", []string{"verify", "--bogus"}, nil, exitUsage},
		{"bad format", []string{"verify", "--format", "xml"}, nil, exitUsage},
		{"bad date", []string{"verify", "--from", "2026-13-01"}, nil, exitUsage},
		{"unknown rule", []string{"verify", "--rules", "no_meeting,NO_QUORUMS"}, nil, exitUsage},
		{"negative backdate days", []string{"verify", "--backdate-days", "-3"}, nil, exitUsage},
		{"backdate days not a number", []string{"verify", "--backdate-days", "a"}, nil, exitUsage},
		{"negative concurrency", []string{"verify", "--concurrency", "-2"}, nil, exitUsage},
		{"skip of an unknown rule", []string{"verify", "--skip", "NO_MEETNG"}, nil, exitUsage},
		{"skip of every rule", []string{"verify", "--rules", "no_meeting", "--skip",
			"no_meeting"}, nil, exitUsage},
		{"report skip of an unknown rule", []string{"report", "--skip", "X"}, nil, exitUsage},
		{"sweep skip of an unknown rule", []string{"findings", "sweep", "--skip", "X"}, nil,
			exitUsage},
		{"rules of commas alone", []string{"verify", "--rules", ","}, nil, exitUsage},
		{"rules of a space alone", []string{"verify", "--rules", " "}, nil, exitUsage},
		{"report skip of commas alone", []string{"report", "--skip", " , "}, nil, exitUsage},
		{"sweep skip of commas alone", []string{"findings", "sweep", "--skip", ","}, nil,
			exitUsage},
		{"publish without URL", []string{"publish"}, nil, exitUsage},
		{"publish without media", []string{"publish", "http://127.0.0.1:1/whip/1"}, nil, exitUsage},
		{"publish with a non-HTTP URL", []string{"publish", "--audio", "x.ogg", "ftp://x/whip/1"}, nil, exitUsage},
		{"token without meeting", []string{"token"}, nil, exitUsage},
		{"token for a meeting and an inspector", []string{"token", "--meeting", "1",
			"--inspector", "王明"}, nil, exitUsage},
		{"inspector token without a name", []string{"token", "--inspector", " "}, nil,
			exitUsage},
		{"inspector token too short", []string{"token", "--inspector", "王明", "--ttl", "30m"},
			nil, exitUsage},
		{"serve without admin token", []string{"serve"}, map[string]string{"LIUHEN_ADMIN_TOKEN": ""}, exitUsage},
		{"bad setting", []string{"serve"}, map[string]string{"LIUHEN_SEGMENT_DURATION": "ten"}, exitUsage},
		{"listen address without a port", []string{"serve"},
			map[string]string{"LIUHEN_LISTEN": "notanaddr"}, exitUsage},
		{"listen port out of range", []string{"serve"},
			map[string]string{"LIUHEN_LISTEN": "127.0.0.1:99999"}, exitUsage},
		{"export without subject", []string{"export", "-o", "x.zip"}, nil, exitUsage},
		{"export of two subjects", []string{"export", "--decision", "1", "--agenda-item", "2",
			"-o", "x.zip"}, nil, exitUsage},
		{"export without output", []string{"export", "--decision", "1"}, nil, exitUsage},
		{"verify-bundle without file", []string{"verify-bundle", "--public-key", "x"}, nil, exitUsage},
		{"keygen --pem alone", []string{"keygen", "--pem"}, nil, exitUsage},
		{"findings in a bad format", []string{"findings", "--format", "xml"}, nil, exitUsage},
		{"findings with a negative limit", []string{"findings", "--limit", "-1"}, nil, exitUsage},
		{"findings of an unknown state", []string{"findings", "--state", "closed"}, nil,
			exitUsage},
		{"bad alert sweep", []string{"serve"}, map[string]string{"LIUHEN_ALERT_SWEEP": "often"},
			exitUsage},
		{"alert sweep too short", []string{"findings", "sweep"},
			map[string]string{"LIUHEN_ALERT_SWEEP": "10ms"}, exitUsage},
		{"webhook without secret", []string{"serve"}, map[string]string{
			"LIUHEN_ALERT_WEBHOOK_URL":    "https://hooks.example.org/x",
			"LIUHEN_ALERT_WEBHOOK_SECRET": ""}, exitUsage},
		{"database down", []string{"migrate"},
			map[string]string{"LIUHEN_DATABASE_URL": "postgres://x@127.0.0.1:1/x?connect_timeout=2"}, exitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if got := run(tt.args); got != tt.want {
				t.Errorf("liuhen %v: got exit status %d, want %d", tt.args, got, tt.want)
			}
		})
	}
}

// TestBadFlagValues checks that a flag given a value of the wrong kind is
// told by its name with what it takes, whatever the command, and exits 2.
func TestBadFlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--concurrency", "abc"}, `--concurrency "abc": give a whole number`},
		{[]string{"verify", "--concurrency", "99999999999999999999"},
			`--concurrency "99999999999999999999": out of range; give a whole number`},
		{[]string{"verify", "--rehash=maybe"}, `--rehash "maybe": give true or false`},
		{[]string{"verify", "--concurrency"}, `--concurrency needs a value: give a whole number`},
		{[]string{"token", "--meeting", "1", "--ttl", "soon"},
			`--ttl "soon": give a duration such as 90s, 30m or 12h (default 12h0m0s)`},
		{[]string{"sample", "county", "--violations", "lots"},
			`--violations "lots": give a number such as 0.05 (default 0.02)`},
		{[]string{"sample", "county", "--seed", "-1"},
			`--seed "-1": give a whole number, 0 or more (default 1)`},
		{[]string{"export", "--decision", "x", "-o", "x.zip"}, `--decision "x": give a whole number`},
		{[]string{"findings", "--limit", "ten"}, `--limit "ten": give a whole number (default 1000)`},
		{[]string{"recordings", "--meeting", "one"}, `--meeting "one": give a whole number`},
		{[]string{"publish", "--fps", "fast", "http://127.0.0.1:1/whip/1"},
			`--fps "fast": give a whole number (default 30)`},
		{[]string{"token", "--meeting", "0x10"}, `--meeting "0x10": give a whole number`},
		{[]string{"export", "--decision", "0b1", "-o", "x.zip"},
			`--decision "0b1": give a whole number`},
		{[]string{"findings", "--limit", "0o7"}, `--limit "0o7": give a whole number`},
		{[]string{"sample", "county", "--seed", "1_000"}, `--seed "1_000": give a whole number`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCaptured(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) ||
				strings.Contains(stderr, "strconv") || strings.Contains(stderr, "invalid argument") {
				t.Errorf("liuhen %v: got exit status %d and %q, want %d and %q", tt.args, code,
					stderr, exitUsage, tt.want)
			}
		})
	}
}

// TestKeygen checks that keygen writes a key once, never over it, and
// that --public reads it.
func TestKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "signing.key")
	t.Setenv("LIUHEN_SIGNING_KEY_FILE", path)
	if got := run([]string{"keygen", "--public"}); got != exitFailure {
		t.Errorf("keygen --public without a key: got exit status %d, want %d", got, exitFailure)
	}
	if got := run([]string{"keygen"}); got != exitOK {
		t.Fatalf("keygen: got exit status %d, want 0", got)
	}
	key, err := bundle.LoadKeyFile(path)
	if err != nil {
		t.Fatalf("load the key keygen wrote: %v", err)
	}
	if got := run([]string{"keygen"}); got != exitFailure {
		t.Errorf("keygen over a key: got exit status %d, want %d", got, exitFailure)
	}
	again, err := bundle.LoadKeyFile(path)
	if err != nil || !again.Equal(key) {
		t.Errorf("after a second keygen: got %v, want the first key kept", err)
	}
	for _, args := range [][]string{{"keygen", "--public"}, {"keygen", "--public", "--pem"}} {
		if got := run(args); got != exitOK {
			t.Errorf("liuhen %v: got exit status %d, want 0", args, got)
		}
	}
}

// TestIntegerFlagsAreDecimal checks that every integer flag reads base ten
// alone (a leading zero is no octal prefix), and that every flag but a
// list is refused when given twice.
func TestIntegerFlagsAreDecimal(t *testing.T) {
	root := newRootCommand()
	var flags []string
	var visit func(*cobra.Command)
	visit = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			v := f.Value
			if strict, ok := v.(*strictValue); ok {
				v = strict.Value
			} else if !strings.HasSuffix(v.Type(), "Array") {
				t.Errorf("%s --%s may be given twice: it is no strictValue", c.CommandPath(),
					f.Name)
			}
			if strings.HasPrefix(f.Value.Type(), "int") || strings.HasPrefix(f.Value.Type(), "uint") {
				if _, ok := v.(decimalValue); !ok {
					t.Errorf("%s --%s reads %s without decimalValue", c.CommandPath(), f.Name,
						f.Value.Type())
				}
				flags = append(flags, c.CommandPath()+" --"+f.Name)
			}
		})
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
	if len(flags) < 5 {
		t.Fatalf("found %d integer flags (%v), want the commands' id and count flags", len(flags),
			flags)
	}

	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	n := fs.Int64("n", 0, "")
	v := decimalValue{fs.Lookup("n").Value}
	for in, want := range map[string]int64{"010": 10, "-007": -7, "+5": 5, "0": 0, "000": 0} {
		if err := v.Set(in); err != nil || *n != want {
			t.Errorf("Set(%q): got %d, %v; want %d", in, *n, err, want)
		}
	}
	for _, in := range []string{"0x10", "0b1", "0o7", "1_000", " 1", "", "-", "1e3"} {
		if err := v.Set(in); err == nil {
			t.Errorf("Set(%q): got %d, want an error", in, *n)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
)

// TestCommandsCheckOnlyTheSettingsTheyUse runs the commands that use
// PostgreSQL alone with every MinIO setting unset or bad, and the settings
// of serve alone bad too: they work. The commands that use MinIO are
// refused (exit 2), naming the setting to fix, before they connect.
func TestCommandsCheckOnlyTheSettingsTheyUse(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	for _, name := range []string{"LIUHEN_MINIO_ENDPOINT", "LIUHEN_MINIO_ACCESS_KEY",
		"LIUHEN_MINIO_SECRET_KEY", "LIUHEN_MINIO_BUCKET"} {
		t.Setenv(name, "") // restored when the test ends
		os.Unsetenv(name)
	}
	for name, value := range map[string]string{
		"LIUHEN_MINIO_SECURE": "maybe", "LIUHEN_RETENTION_DAYS": "forever",
		"LIUHEN_SEGMENT_DURATION": "ten", "LIUHEN_SPOOL_MAX_BYTES": "lots",
		"LIUHEN_REPORT_SCHEDULE": "hourly", "LIUHEN_SIGNING_KEY_FILE": "",
		"LIUHEN_ALERT_SWEEP": "often",
	} {
		t.Setenv(name, value)
	}
	units := filepath.Join("..", "..", "testdata", "import", "units.csv")
	for _, args := range [][]string{
		{"migrate"},
		{"sample"},
		{"import", "units", units, "--dry-run"},
		{"findings", "--format", "json"},
		{"verify", "--rules", "NO_MEETING", "--format", "json"},
		{"token", "--meeting", "1"},
		{"token", "--inspector", "王明"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if code, _, stderr := runCaptured(t, args...); code != exitOK {
				t.Errorf("liuhen %v: got exit status %d (%s), want 0", args, code, stderr)
			}
		})
	}
	for _, tc := range []struct {
		args []string
		want []string // in the message
	}{
		{[]string{"verify"}, []string{"LIUHEN_MINIO_SECURE", "LIUHEN_RETENTION_DAYS"}},
		{[]string{"recordings", "--meeting", "1"}, []string{"LIUHEN_MINIO_SECURE"}},
		{[]string{"report", "--format", "csv"}, []string{"LIUHEN_RETENTION_DAYS"}},
		{[]string{"findings", "sweep"}, []string{"LIUHEN_MINIO_SECURE", "LIUHEN_ALERT_SWEEP"}},
		{[]string{"export", "--decision", "1", "-o", filepath.Join(t.TempDir(), "x.zip")},
			[]string{"LIUHEN_SIGNING_KEY_FILE", "LIUHEN_MINIO_SECURE"}},
		{[]string{"keygen", "--public"}, []string{"LIUHEN_SIGNING_KEY_FILE"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runCaptured(t, tc.args...)
			if code != exitUsage {
				t.Errorf("liuhen %v: got exit status %d (%s), want %d", tc.args, code, stderr,
					exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("liuhen %v: got %q, want it to name %s", tc.args, stderr, w)
				}
			}
			if strings.Contains(stderr, "LIUHEN_SEGMENT_DURATION") {
				t.Errorf("liuhen %v: got %q, which names a setting of serve alone", tc.args,
					stderr)
			}
		})
	}
}

// TestSweepWithoutTamperingChecksNoMinIOSetting checks that a sweep that
// leaves RECORDING_TAMPERED out, by its flag or by LIUHEN_ALERT_SKIP, runs
// with every MinIO setting bad, and that one that keeps it names them.
func TestSweepWithoutTamperingChecksNoMinIOSetting(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	t.Setenv("LIUHEN_MINIO_SECURE", "maybe")
	t.Setenv("LIUHEN_RETENTION_DAYS", "forever")
	t.Setenv("LIUHEN_ALERT_SKIP", "")
	if code, _, stderr := runCaptured(t, "findings", "sweep", "--skip",
		"RECORDING_TAMPERED"); code != exitOK {
		t.Errorf("--skip RECORDING_TAMPERED: got exit status %d (%s), want 0", code, stderr)
	}
	t.Setenv("LIUHEN_ALERT_SKIP", "recording_tampered")
	if code, _, stderr := runCaptured(t, "findings", "sweep"); code != exitOK {
		t.Errorf("LIUHEN_ALERT_SKIP=recording_tampered: got exit status %d (%s), want 0",
			code, stderr)
	}
	t.Setenv("LIUHEN_ALERT_SKIP", "NO_MEETING")
	code, _, stderr := runCaptured(t, "findings", "sweep")
	if code != exitUsage || !strings.Contains(stderr, "LIUHEN_MINIO_SECURE") {
		t.Errorf("RECORDING_TAMPERED kept: got exit status %d (%s), want %d naming "+
			"LIUHEN_MINIO_SECURE", code, stderr, exitUsage)
	}
}

// TestAlertSettingsAreToldByName checks that the alert settings, which
// alert.Config.Validate checks, are each told by the variable to fix.
func TestAlertSettingsAreToldByName(t *testing.T) {
	for name, value := range map[string]string{
		"LIUHEN_ALERT_SWEEP": "10ms", "LIUHEN_ALERT_MIN_SEVERITY": "urgent",
		"LIUHEN_ALERT_WEBHOOK_URL":    "https://hooks.example.org/x,mailto:a@example.org",
		"LIUHEN_ALERT_WEBHOOK_SECRET": "", "LIUHEN_ALERT_WEBHOOK_ATTEMPTS": "26",
		"LIUHEN_ALERT_SKIP": "no_meeting,NO_SUCH",
	} {
		t.Setenv(name, value)
	}
	_, err := loadConfigFor(needAlerts)
	if err == nil {
		t.Fatal("got no error, want one for each bad alert setting")
	}
	for _, want := range []string{"LIUHEN_ALERT_SWEEP: 10ms is too short",
		`LIUHEN_ALERT_MIN_SEVERITY: "urgent" is no severity`,
		`LIUHEN_ALERT_WEBHOOK_URL: "mailto:a@example.org" is not an http or https URL`,
		"LIUHEN_ALERT_WEBHOOK_SECRET: empty", "LIUHEN_ALERT_WEBHOOK_ATTEMPTS: 26 attempts",
		`LIUHEN_ALERT_SKIP: unknown finding code "NO_SUCH"; valid codes are ` + codeList()} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to say %q", err, want)
		}
	}
	t.Setenv("LIUHEN_ALERT_WEBHOOK_URL", " , ")
	if _, err := loadConfigFor(needAlerts); err == nil ||
		!strings.Contains(err.Error(), `LIUHEN_ALERT_WEBHOOK_URL=" , ": holds no URL`) {
		t.Errorf("commas alone: got %v, want LIUHEN_ALERT_WEBHOOK_URL told to hold a URL", err)
	}
	t.Setenv("LIUHEN_ALERT_WEBHOOK_URL", "")
	t.Setenv("LIUHEN_ALERT_WEBHOOK_ATTEMPTS", "eight")
	if _, err := loadConfigFor(needAlerts); err == nil ||
		!strings.Contains(err.Error(), `LIUHEN_ALERT_WEBHOOK_ATTEMPTS="eight": give a whole number`) {
		t.Errorf("attempts not a number: got %v", err)
	}
	if _, err := loadConfigFor(needDatabase); err != nil {
		t.Errorf("a command that sends no warnings: got %v, want no error", err)
	}
}

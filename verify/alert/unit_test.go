package alert

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/verify"
)

func TestSignature(t *testing.T) {
	// Computed apart with: printf '%s' '1767225600.{"type":"finding.opened"}' |
	//   openssl dgst -sha256 -hmac whsec-test
	got := Signature("whsec-test", time.Unix(1767225600, 0), []byte(`{"type":"finding.opened"}`))
	want := "t=1767225600,v1=becc717550eb89c7397a8e7ee7a78e0d9b3fc6a0fee0579869e22c8a644a44cc"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestFingerprint(t *testing.T) {
	id := func(n int64) *int64 { return &n }
	base := verify.Finding{Code: verify.CodeNoRecording, DecisionID: 4, MeetingID: id(2),
		AgendaItemID: id(4), Message: "one wording", Severity: verify.SeverityHigh}
	reworded := base
	reworded.Message, reworded.Severity = "another wording", verify.SeverityMedium
	if Fingerprint(base) != Fingerprint(reworded) {
		t.Error("a new wording or severity changed the fingerprint")
	}
	for name, change := range map[string]func(*verify.Finding){
		"code":        func(f *verify.Finding) { f.Code = verify.CodeWrongBody },
		"decision":    func(f *verify.Finding) { f.DecisionID = 5 },
		"meeting":     func(f *verify.Finding) { f.MeetingID = id(3) },
		"agenda item": func(f *verify.Finding) { f.AgendaItemID = nil },
		"recording":   func(f *verify.Finding) { f.RecordingID = id(2) },
		"object key":  func(f *verify.Finding) { f.ObjectKey = "meetings/2/x.webm" },
	} {
		t.Run(name, func(t *testing.T) {
			f := base
			change(&f)
			if Fingerprint(f) == Fingerprint(base) {
				t.Errorf("another %s gave the same fingerprint", name)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{1, 30 * time.Second}, {2, time.Minute}, {4, 4 * time.Minute}, {20, time.Hour}} {
		if got := backoff(30*time.Second, tc.attempt); got != tc.want {
			t.Errorf("after attempt %d: got %v, want %v", tc.attempt, got, tc.want)
		}
	}
}

func TestConfigRefusesBadSettings(t *testing.T) {
	for name, tc := range map[string]struct {
		c     Config
		field string
	}{
		"sweep too short":     {Config{Sweep: time.Millisecond}, "sweep"},
		"negative sweep":      {Config{Sweep: -5 * time.Minute}, "sweep"},
		"unknown severity":    {Config{MinSeverity: "critical"}, "min_severity"},
		"not a URL":           {Config{Webhooks: []string{"hooks.example.org"}, Secret: "s"}, "webhook_url"},
		"ftp URL":             {Config{Webhooks: []string{"ftp://hooks.example.org/x"}, Secret: "s"}, "webhook_url"},
		"webhook no secret":   {Config{Webhooks: []string{"https://hooks.example.org/x"}}, "webhook_secret"},
		"too many attempts":   {Config{Attempts: 26}, "attempts"},
		"negative timeout":    {Config{Timeout: -time.Second}, "timeout"},
		"negative retry base": {Config{RetryBase: -time.Second}, "retry_base"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tc.c.withDefaults()
			bad := fielderr.All(err)
			if !errors.Is(err, ErrInvalid) || len(bad) != 1 || bad[0].Field != tc.field {
				t.Errorf("got %v, want one error of field %s", err, tc.field)
			}
		})
	}
	for _, tc := range []struct {
		skip []string
		want string
	}{
		{[]string{"NO_SUCH"}, `skip: unknown finding code "NO_SUCH"; valid codes are ` +
			strings.Join(verify.Codes(), ", ")},
		{verify.Codes(), "skip: leaves no rule to run; leave fewer codes out"},
	} {
		if err := (Config{Skip: tc.skip}).Validate(); !errors.Is(err, ErrInvalid) ||
			err.Error() != tc.want {
			t.Errorf("skip %v: got %v, want %q", tc.skip, err, tc.want)
		}
	}
	got, err := Config{PublicURL: "http://x/"}.withDefaults()
	if err != nil || got.MinSeverity != verify.SeverityHigh || got.Attempts != DefaultAttempts ||
		got.Timeout != DefaultTimeout || got.RetryBase != DefaultRetryBase ||
		got.PublicURL != "http://x" {
		t.Errorf("defaults: got %+v, %v", got, err)
	}
}

func TestParseSettings(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 0, "0": 0, "off": 0, "OFF": 0,
		"5m": 5 * time.Minute, " 30s ": 30 * time.Second, "500ms": 500 * time.Millisecond} {
		if got, err := ParseSweep(in); err != nil || got != want {
			t.Errorf("ParseSweep(%q): got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"often", "5"} {
		if _, err := ParseSweep(in); err == nil {
			t.Errorf("ParseSweep(%q): got no error", in)
		}
	}
	hooks := SplitWebhooks(" https://a.example/x , ,http://b.example/y")
	if len(hooks) != 2 || hooks[1] != "http://b.example/y" {
		t.Errorf("SplitWebhooks: got %q", hooks)
	}
}

func TestRedactURL(t *testing.T) {
	got := redactURL("https://user:pw@hooks.example.org/in/abc?token=s3cret#x")
	if want := "https://hooks.example.org/in/abc"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

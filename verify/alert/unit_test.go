package alert

import (
	"errors"
	"testing"
	"time"

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
	for name, c := range map[string]Config{
		"sweep too short":   {Sweep: time.Millisecond},
		"unknown severity":  {MinSeverity: "critical"},
		"not a URL":         {Webhooks: []string{"hooks.example.org"}, Secret: "s"},
		"ftp URL":           {Webhooks: []string{"ftp://hooks.example.org/x"}, Secret: "s"},
		"webhook no secret": {Webhooks: []string{"https://hooks.example.org/x"}},
		"too many attempts": {Attempts: 26},
		"negative timeout":  {Timeout: -time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.withDefaults()
			if !errors.Is(err, ErrInvalid) || len(fieldErrors(err)) != 1 {
				t.Errorf("got %v, want one field error", err)
			}
		})
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
		"5m": 5 * time.Minute, " 30s ": 30 * time.Second} {
		if got, err := ParseSweep(in); err != nil || got != want {
			t.Errorf("ParseSweep(%q): got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"500ms", "often", "-5m"} {
		if _, err := ParseSweep(in); err == nil {
			t.Errorf("ParseSweep(%q): got no error", in)
		}
	}
	if got, err := ParseSeverity(" Medium "); err != nil || got != verify.SeverityMedium {
		t.Errorf("ParseSeverity: got %q, %v", got, err)
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent): got no error")
	}
	hooks, err := ParseWebhooks(" https://a.example/x , ,http://b.example/y")
	if err != nil || len(hooks) != 2 || hooks[1] != "http://b.example/y" {
		t.Errorf("ParseWebhooks: got %q, %v", hooks, err)
	}
	if _, err := ParseWebhooks("https://a.example/x,mailto:x@example.org"); err == nil {
		t.Error("ParseWebhooks with a mailto URL: got no error")
	}
}

func TestRedactURL(t *testing.T) {
	got := redactURL("https://user:pw@hooks.example.org/in/abc?token=s3cret#x")
	if want := "https://hooks.example.org/in/abc"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

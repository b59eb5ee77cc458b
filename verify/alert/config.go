package alert

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/verify"
)

// Defaults of Config.
const (
	DefaultSweep     = 5 * time.Minute
	DefaultAttempts  = 8
	DefaultTimeout   = 10 * time.Second
	DefaultRetryBase = 30 * time.Second
	maxAttempts      = 25
	maxRetryWait     = time.Hour
	minSweep         = time.Second // the shortest interval River's periodic jobs allow
)

// Config sets how findings are swept and warnings sent.
type Config struct {
	// Sweep is how often serve sweeps; 0 turns the periodic sweep off
	// (a sweep still runs when asked, as `liuhen findings sweep` does).
	Sweep time.Duration
	// MinSeverity is the lowest severity that is sent: low, medium or
	// high; "" means high.
	MinSeverity string
	// Webhooks are the URLs every warning is sent to; none sends nothing.
	Webhooks []string
	// Secret keys the HMAC-SHA256 signature of every warning; it is
	// required when there are webhooks.
	Secret string
	// Attempts is how often a warning is tried before it is given up; 0
	// means DefaultAttempts.
	Attempts int
	// Timeout bounds one attempt, from connecting to the last byte of the
	// answer; 0 means DefaultTimeout.
	Timeout time.Duration
	// RetryBase is the wait after the first failed attempt, doubled after
	// each further one up to an hour; 0 means DefaultRetryBase.
	RetryBase time.Duration
	// PublicURL is where users reach the server, for the links in a
	// warning, such as http://liuhen.example:8080; "" leaves links out.
	PublicURL string
	// Skip are finding codes sweeps leave out (verify.Options.Skip): their
	// findings are neither opened nor resolved. A database holding a
	// generated county, whose segment objects were never stored, sweeps
	// without RECORDING_TAMPERED.
	Skip []string
}

// Validate checks c, naming every bad setting at once: each is a
// *fielderr.Error wrapping ErrInvalid whose Field is the setting's name in
// snake case (sweep, min_severity, webhook_url, webhook_secret, attempts,
// timeout, skip, retry_base) and whose Reason quotes the bad value. NewSweeper
// and AddTo check c with it; a caller that reads the settings from
// somewhere else, such as environment variables, can call it first and
// tell the user each setting by the name the user gave it.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, invalid(field, format, args...))
	}
	if c.Sweep != 0 && c.Sweep < minSweep {
		bad("sweep", "%v is too short; use at least %v, or 0 to turn the sweep off", c.Sweep,
			minSweep)
	}
	if c.MinSeverity != "" && severityRank(c.MinSeverity) == 0 {
		bad("min_severity", "%q is no severity; use %s", c.MinSeverity,
			strings.Join(Severities(), ", "))
	}
	for _, u := range c.Webhooks {
		if err := checkWebhook(u); err != nil {
			bad("webhook_url", "%v", err)
		}
	}
	if len(c.Webhooks) > 0 && c.Secret == "" {
		bad("webhook_secret", "empty, but warnings to the webhooks are signed; give a long "+
			"random secret (e.g. the output of openssl rand -hex 32) and share it with the "+
			"receivers")
	}
	if c.Attempts < 0 || c.Attempts > maxAttempts {
		bad("attempts", "%d attempts; use 1 to %d, or 0 for %d", c.Attempts, maxAttempts,
			DefaultAttempts)
	}
	if c.Timeout < 0 {
		bad("timeout", "%v is negative; give how long one attempt may take, or 0 for %v",
			c.Timeout, DefaultTimeout)
	}
	for _, fe := range fielderr.All(verify.Options{Skip: c.Skip}.Validate()) {
		bad("skip", "%s", fe.Reason)
	}
	if c.RetryBase < 0 {
		bad("retry_base", "%v is negative; give the wait after the first failed attempt, "+
			"or 0 for %v", c.RetryBase, DefaultRetryBase)
	}
	return errors.Join(errs...)
}

// withDefaults checks c (Validate) and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	c.MinSeverity = cmp.Or(c.MinSeverity, verify.SeverityHigh)
	c.Attempts = cmp.Or(c.Attempts, DefaultAttempts)
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.RetryBase = cmp.Or(c.RetryBase, DefaultRetryBase)
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, nil
}

func checkWebhook(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http or https URL; give one such as "+
			"https://hooks.example.org/liuhen", raw)
	}
	return nil
}

// ParseSweep reads LIUHEN_ALERT_SWEEP: a duration such as 5m, or 0 or
// "off" for no periodic sweep. Validate checks the duration's range.
func ParseSweep(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" || strings.EqualFold(s, "off") {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("use a duration of at least %v such as 5m, or 0 or off", minSweep)
	}
	return d, nil
}

// SplitWebhooks reads a comma-separated list of webhook URLs, leaving out
// empty entries. Validate checks each URL.
func SplitWebhooks(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// redactURL writes a webhook URL without its user info and query, which
// may hold credentials, for the API and the logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

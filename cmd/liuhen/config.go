package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/verify"
	"github.com/liuhen/liuhen/verify/alert"
	"github.com/liuhen/liuhen/verify/report"
)

// config is every setting, read from LIUHEN_* environment variables; flags
// of a command may override them. A setting of a group a command does not
// use (needs) is left zero.
type config struct {
	DatabaseURL      string
	Listen           string
	PublicURL        string
	AdminToken       string
	MinIOEndpoint    string
	MinIOAccessKey   string
	MinIOSecretKey   string
	MinIOBucket      string
	MinIOSecure      bool
	RetentionDays    int
	SpoolDir         string
	SpoolMaxBytes    int64
	SegmentDuration  time.Duration
	ICEUDPPort       int
	ICEPublicIPs     []string
	ICELoopback      bool
	MaxSessions      int
	TranscodeWorkers int
	TranscodeSweep   time.Duration
	APIDeadline      time.Duration // see apiBounds
	APILongDeadline  time.Duration
	ReportSchedule   []string
	ReportUnit       string
	ReportFormats    []report.Format
	SigningKeyFile   string
	ImportMaxBytes   int64
	AlertSweep       time.Duration // 0: no periodic sweep
	AlertMinSeverity string
	AlertWebhooks    []string
	AlertSecret      string
	AlertAttempts    int
	AlertSkip        []string
	LogLevel         string
	LogFormat        string
}

// setting documents one environment variable; README.md lists the same.
type setting struct {
	name, def, help string
}

var settings = []setting{
	{"LIUHEN_DATABASE_URL", "postgres://liuhen:liuhen@127.0.0.1:54329/liuhen?sslmode=disable",
		"PostgreSQL connection URL"},
	{"LIUHEN_LISTEN", "127.0.0.1:8080", "address the HTTP server listens on"},
	{"LIUHEN_PUBLIC_URL", "", "URL users reach the server at, for printed links (default http://LISTEN)"},
	{"LIUHEN_ADMIN_TOKEN", "", "bearer token with every right; required by serve"},
	{"LIUHEN_MINIO_ENDPOINT", "127.0.0.1:9000", "MinIO host:port"},
	{"LIUHEN_MINIO_ACCESS_KEY", "", "MinIO access key"},
	{"LIUHEN_MINIO_SECRET_KEY", "", "MinIO secret key"},
	{"LIUHEN_MINIO_BUCKET", "liuhen-evidence", "bucket for evidence (created with object lock)"},
	{"LIUHEN_MINIO_SECURE", "false", "use HTTPS to reach MinIO"},
	{"LIUHEN_RETENTION_DAYS", "3650", "compliance retention of evidence objects, in days"},
	{"LIUHEN_SPOOL_DIR", ".liuhen/spool", "local directory for segments not yet stored"},
	{"LIUHEN_SPOOL_MAX_BYTES", "2GiB", "bound of the spool, in bytes or with KiB, MiB, GiB; " +
		"when full, recordings end interrupted and publishers are refused"},
	{"LIUHEN_SEGMENT_DURATION", "10s", "target length of a recording segment"},
	{"LIUHEN_ICE_UDP_PORT", "0", "one UDP port for all WebRTC media (0: ephemeral ports)"},
	{"LIUHEN_ICE_PUBLIC_IPS", "", "comma-separated IPs to announce, for a server behind 1:1 NAT"},
	{"LIUHEN_ICE_LOOPBACK", "true", "offer loopback ICE candidates, for publishers on this machine"},
	{"LIUHEN_MAX_SESSIONS", "64", "publishers recorded at once (8 at most per meeting)"},
	{"LIUHEN_TRANSCODE_WORKERS", "1", "viewing copies made at once by serve (0: none in this process)"},
	{"LIUHEN_TRANSCODE_SWEEP", "15s", "how often serve queues ended recordings for a viewing copy"},
	{"LIUHEN_API_DEADLINE", "10s", "how long a JSON API request may wait for PostgreSQL " +
		"before it is answered 503 (1s to 10m)"},
	{"LIUHEN_API_LONG_DEADLINE", "15m", "the same for verify, issuing a report, an import, " +
		"and an evidence bundle until its download starts (at least LIUHEN_API_DEADLINE, " +
		"at most 24h)"},
	{"LIUHEN_REPORT_SCHEDULE", "daily,weekly,monthly", "compliance reports serve issues by " +
		"itself: daily, weekly, monthly, comma-separated, or off"},
	{"LIUHEN_REPORT_UNIT", "", "org unit code the scheduled reports cover (default: all units)"},
	{"LIUHEN_REPORT_FORMATS", "html", "formats of each scheduled report: html, pdf, csv, json"},
	{"LIUHEN_SIGNING_KEY_FILE", ".liuhen/signing.key", "Ed25519 key that signs evidence " +
		"bundles (serve creates it when absent; keep it, and back it up)"},
	{"LIUHEN_IMPORT_MAX_BYTES", "32MiB", "largest spreadsheet liuhen import and " +
		"POST /api/v1/imports accept, in bytes or with KiB, MiB, GiB"},
	{"LIUHEN_ALERT_SWEEP", "5m", "how often serve sweeps the findings and warns of new ones; " +
		"0 or off: never"},
	{"LIUHEN_ALERT_MIN_SEVERITY", "high", "lowest severity of a finding sent to the webhooks: " +
		"low, medium or high"},
	{"LIUHEN_ALERT_WEBHOOK_URL", "", "comma-separated URLs each new finding is POSTed to"},
	{"LIUHEN_ALERT_SKIP", "", "comma-separated finding codes sweeps leave out, such as " +
		"RECORDING_TAMPERED for a generated county whose segments were never stored"},
	{"LIUHEN_ALERT_WEBHOOK_SECRET", "", "key of the HMAC-SHA256 signature of every warning; " +
		"required with webhooks"},
	{"LIUHEN_ALERT_WEBHOOK_ATTEMPTS", "8", "attempts of a warning before it is given up (1 to 25)"},
	{"LIUHEN_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LIUHEN_LOG_FORMAT", "text", "text or json"},
}

func env(name string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	for _, s := range settings {
		if s.name == name {
			return s.def
		}
	}
	return ""
}

// needs are the groups of settings a command reads besides those every
// command reads (LIUHEN_DATABASE_URL, LIUHEN_LISTEN, LIUHEN_PUBLIC_URL,
// LIUHEN_ADMIN_TOKEN and the logs'). loadConfigFor reads and checks only
// the groups asked for, so that a bad MinIO setting, say, does not stop a
// command that only uses PostgreSQL.
type needs uint8

const (
	needObjects needs = 1 << iota // the evidence store: LIUHEN_MINIO_*, LIUHEN_RETENTION_DAYS
	needSigning                   // LIUHEN_SIGNING_KEY_FILE
	needImport                    // LIUHEN_IMPORT_MAX_BYTES
	needAlerts                    // LIUHEN_ALERT_*
	needServer                    // what serve alone reads: recording, ICE, transcoding, reports

	needDatabase   needs = 0 // the settings every command reads, and no more
	needEverything       = needObjects | needSigning | needImport | needAlerts | needServer
)

// reader reads settings and collects every bad one.
type reader struct{ errs []error }

// parse reads the variable name with f; an error of f is told with the
// variable and its value.
func (r *reader) parse(name string, f func(string) error) {
	if err := f(env(name)); err != nil {
		r.errs = append(r.errs, fmt.Errorf("%s=%q: %v", name, env(name), err))
	}
}

// loadConfig reads every setting, as serve uses them, and reports every
// bad value at once.
func loadConfig() (config, error) { return loadConfigFor(needEverything) }

// loadConfigFor reads the settings every command reads and the groups n
// names, and reports every bad value among them at once.
func loadConfigFor(n needs) (config, error) {
	c := config{
		DatabaseURL: env("LIUHEN_DATABASE_URL"),
		Listen:      env("LIUHEN_LISTEN"),
		PublicURL:   env("LIUHEN_PUBLIC_URL"),
		AdminToken:  env("LIUHEN_ADMIN_TOKEN"),
		LogLevel:    env("LIUHEN_LOG_LEVEL"),
		LogFormat:   env("LIUHEN_LOG_FORMAT"),
	}
	var r reader
	for _, group := range []struct {
		need needs
		load func(*reader)
	}{{needObjects, c.loadObjects}, {needSigning, c.loadSigning}, {needImport, c.loadImport},
		{needAlerts, c.loadAlert}, {needServer, c.loadServer}} {
		if n&group.need != 0 {
			group.load(&r)
		}
	}
	r.parse("LIUHEN_LOG_LEVEL", func(v string) error {
		var l slog.Level
		return l.UnmarshalText([]byte(v))
	})
	if c.LogFormat != "text" && c.LogFormat != "json" {
		r.errs = append(r.errs, fmt.Errorf("LIUHEN_LOG_FORMAT=%q: use text or json",
			c.LogFormat))
	}
	return c, errors.Join(r.errs...)
}

// loadObjects reads the settings of the evidence store; storage.Open checks
// the rest of them when it connects.
func (c *config) loadObjects(r *reader) {
	c.MinIOEndpoint = env("LIUHEN_MINIO_ENDPOINT")
	c.MinIOAccessKey = env("LIUHEN_MINIO_ACCESS_KEY")
	c.MinIOSecretKey = env("LIUHEN_MINIO_SECRET_KEY")
	c.MinIOBucket = env("LIUHEN_MINIO_BUCKET")
	r.parse("LIUHEN_MINIO_SECURE", func(v string) (err error) {
		c.MinIOSecure, err = strconv.ParseBool(v)
		if err != nil {
			err = errors.New("use true or false")
		}
		return err
	})
	r.parse("LIUHEN_RETENTION_DAYS", func(v string) (err error) {
		c.RetentionDays, err = strconv.Atoi(v)
		if err != nil || c.RetentionDays < 1 || c.RetentionDays > 36500 {
			err = errors.New("use a whole number of days from 1 to 36500")
		}
		return err
	})
}

func (c *config) loadSigning(r *reader) {
	c.SigningKeyFile = env("LIUHEN_SIGNING_KEY_FILE")
	if c.SigningKeyFile == "" {
		r.errs = append(r.errs, errors.New("LIUHEN_SIGNING_KEY_FILE is empty: name the "+
			"file of the key that signs evidence bundles, or leave it unset for "+
			".liuhen/signing.key"))
	}
}

func (c *config) loadImport(r *reader) {
	r.parse("LIUHEN_IMPORT_MAX_BYTES", func(v string) (err error) {
		c.ImportMaxBytes, err = parseBytes(v)
		return err
	})
}

// loadServer reads what serve alone uses: the recorder's, transcoding's
// and the scheduled reports' settings.
func (c *config) loadServer(r *reader) {
	c.SpoolDir = env("LIUHEN_SPOOL_DIR")
	c.ReportUnit = env("LIUHEN_REPORT_UNIT")
	if v := env("LIUHEN_ICE_PUBLIC_IPS"); v != "" {
		c.ICEPublicIPs = strings.Split(v, ",")
	}
	r.parse("LIUHEN_MAX_SESSIONS", func(v string) (err error) {
		c.MaxSessions, err = strconv.Atoi(v)
		if err == nil && (c.MaxSessions < 1 || c.MaxSessions > 10000) {
			err = errors.New("use a number from 1 to 10000")
		}
		return err
	})
	r.parse("LIUHEN_ICE_LOOPBACK", func(v string) (err error) {
		c.ICELoopback, err = strconv.ParseBool(v)
		return err
	})
	r.parse("LIUHEN_SPOOL_MAX_BYTES", func(v string) (err error) {
		c.SpoolMaxBytes, err = parseBytes(v)
		return err
	})
	r.parse("LIUHEN_SEGMENT_DURATION", func(v string) (err error) {
		c.SegmentDuration, err = time.ParseDuration(v)
		if err == nil && c.SegmentDuration > 10*time.Minute {
			err = errors.New("use at most 10m: a crash loses up to one segment")
		}
		return err
	})
	r.parse("LIUHEN_ICE_UDP_PORT", func(v string) (err error) {
		c.ICEUDPPort, err = strconv.Atoi(v)
		return err
	})
	c.loadTranscoding(r)
	c.loadReports(r)
	c.loadDeadlines(r)
}

// loadDeadlines reads the bounds of API requests (apiBounds).
func (c *config) loadDeadlines(r *reader) {
	r.parse("LIUHEN_API_DEADLINE", func(v string) (err error) {
		c.APIDeadline, err = parseBound(v, time.Second, 10*time.Minute, "10s")
		return err
	})
	r.parse("LIUHEN_API_LONG_DEADLINE", func(v string) (err error) {
		c.APILongDeadline, err = parseBound(v, time.Second, 24*time.Hour, "15m")
		if err == nil && c.APIDeadline > 0 && c.APILongDeadline < c.APIDeadline {
			err = fmt.Errorf("use at least LIUHEN_API_DEADLINE (%v): verify, reports, "+
				"imports and exports take longer than other requests", c.APIDeadline)
		}
		return err
	})
}

// parseBound reads a duration from least to most, such as example.
func parseBound(v string, least, most time.Duration, example string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < least || d > most {
		return 0, fmt.Errorf("use a duration from %v to %v, such as %s", least, most, example)
	}
	return d, nil
}

func (c *config) loadTranscoding(r *reader) {
	r.parse("LIUHEN_TRANSCODE_WORKERS", func(v string) (err error) {
		c.TranscodeWorkers, err = strconv.Atoi(v)
		if err == nil && (c.TranscodeWorkers < 0 || c.TranscodeWorkers > 64) {
			err = errors.New("use 0 (no transcoding in this process) to 64")
		}
		return err
	})
	r.parse("LIUHEN_TRANSCODE_SWEEP", func(v string) (err error) {
		c.TranscodeSweep, err = time.ParseDuration(v)
		if err == nil && c.TranscodeSweep < time.Second {
			err = errors.New("use at least 1s")
		}
		return err
	})
}

func (c *config) loadReports(r *reader) {
	r.parse("LIUHEN_REPORT_SCHEDULE", func(v string) (err error) {
		c.ReportSchedule, err = report.ParseSchedule(v)
		return err
	})
	r.parse("LIUHEN_REPORT_FORMATS", func(v string) error {
		c.ReportFormats = nil
		for _, part := range strings.Split(v, ",") {
			f, err := report.ParseFormat(strings.TrimSpace(part))
			if err != nil {
				return err
			}
			c.ReportFormats = append(c.ReportFormats, f)
		}
		return nil
	})
}

// alertSettings names the variable behind each field alert.Config.Validate
// may name.
var alertSettings = map[string]string{
	"sweep": "LIUHEN_ALERT_SWEEP", "min_severity": "LIUHEN_ALERT_MIN_SEVERITY",
	"webhook_url": "LIUHEN_ALERT_WEBHOOK_URL", "webhook_secret": "LIUHEN_ALERT_WEBHOOK_SECRET",
	"attempts": "LIUHEN_ALERT_WEBHOOK_ATTEMPTS", "skip": "LIUHEN_ALERT_SKIP",
}

// loadAlert reads the LIUHEN_ALERT_* settings; alert.Config.Validate checks
// them, and each bad one is told by its variable's name.
func (c *config) loadAlert(r *reader) {
	c.AlertSecret = env("LIUHEN_ALERT_WEBHOOK_SECRET")
	r.parse("LIUHEN_ALERT_SWEEP", func(v string) (err error) {
		c.AlertSweep, err = alert.ParseSweep(v)
		return err
	})
	c.AlertMinSeverity = strings.ToLower(strings.TrimSpace(env("LIUHEN_ALERT_MIN_SEVERITY")))
	r.parse("LIUHEN_ALERT_WEBHOOK_URL", func(v string) error {
		c.AlertWebhooks = alert.SplitWebhooks(v)
		if len(c.AlertWebhooks) == 0 && strings.TrimSpace(v) != "" {
			return errors.New("holds no URL; give URLs separated by commas, or leave it " +
				"empty for no webhook")
		}
		return nil
	})
	c.AlertSkip = verify.ParseCodes(env("LIUHEN_ALERT_SKIP"))
	r.parse("LIUHEN_ALERT_WEBHOOK_ATTEMPTS", func(v string) (err error) {
		c.AlertAttempts, err = strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			err = errors.New("give a whole number of attempts, such as 8")
		}
		return err
	})
	for _, fe := range fielderr.All(c.alertConfig().Validate()) {
		name := alertSettings[fe.Field]
		if name == "" {
			name = "alert setting " + fe.Field
		}
		r.errs = append(r.errs, fmt.Errorf("%s: %s", name, fe.Reason))
	}
}

// alertConfig is the configuration of findings and warnings.
func (c config) alertConfig() alert.Config {
	return alert.Config{Sweep: c.AlertSweep, MinSeverity: c.AlertMinSeverity,
		Webhooks: c.AlertWebhooks, Secret: c.AlertSecret, Attempts: c.AlertAttempts,
		PublicURL: c.publicURL(), Skip: c.AlertSkip}
}

func (c config) logger() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func (c config) publicURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.Listen
}

// byteUnits are the suffixes parseBytes accepts.
var byteUnits = []struct {
	suffix string
	size   int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}}

// parseBytes reads a positive size: a number of bytes, or a whole number
// of KiB, MiB, GiB or TiB, such as "2GiB".
func parseBytes(v string) (int64, error) {
	num, unit := v, int64(1)
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			num, unit = strings.TrimSpace(n), u.size
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || n > (1<<62)/unit {
		return 0, errors.New("use a positive whole number of bytes, or of KiB, MiB, GiB " +
			"or TiB, such as 2GiB")
	}
	return n * unit, nil
}

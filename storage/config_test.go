package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{
		Endpoint:  "127.0.0.1:9000",
		AccessKey: "liuhen",
		SecretKey: "secret-key",
		Bucket:    "liuhen-evidence",
		Retention: 24 * time.Hour,
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string // the setting the error must name; "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"no retention is valid", func(c *Config) { c.Retention = 0 }, ""},
		{"empty endpoint", func(c *Config) { c.Endpoint = "" }, "LIUHEN_MINIO_ENDPOINT"},
		{"endpoint with scheme", func(c *Config) { c.Endpoint = "http://minio:9000" },
			"LIUHEN_MINIO_SECURE"},
		{"endpoint with path", func(c *Config) { c.Endpoint = "minio:9000/x" },
			"LIUHEN_MINIO_ENDPOINT"},
		{"empty access key", func(c *Config) { c.AccessKey = "" }, "LIUHEN_MINIO_ACCESS_KEY"},
		{"empty secret key", func(c *Config) { c.SecretKey = "" }, "LIUHEN_MINIO_SECRET_KEY"},
		{"empty bucket", func(c *Config) { c.Bucket = "" }, "LIUHEN_MINIO_BUCKET"},
		{"upper-case bucket", func(c *Config) { c.Bucket = "Evidence" }, "LIUHEN_MINIO_BUCKET"},
		{"negative retention", func(c *Config) { c.Retention = -time.Hour },
			"LIUHEN_RETENTION_DAYS"},
		{"retention over a century", func(c *Config) { c.Retention = MaxRetention + time.Hour },
			"LIUHEN_RETENTION_DAYS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.change(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("got error %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got message %q, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestRetentionDays(t *testing.T) {
	cases := []struct {
		retention time.Duration
		want      uint
	}{
		{time.Minute, 1},
		{24 * time.Hour, 1},
		{25 * time.Hour, 2},
		{DefaultRetention, 3650},
	}
	for _, tc := range cases {
		t.Run(tc.retention.String(), func(t *testing.T) {
			if got := (Config{Retention: tc.retention}).retentionDays(); got != tc.want {
				t.Errorf("got %d days, want %d", got, tc.want)
			}
		})
	}
}

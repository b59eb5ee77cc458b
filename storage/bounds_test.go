package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/liuhen/liuhen/internal/testenv"
)

func TestCallsToAnUnresponsiveMinIOEnd(t *testing.T) {
	cfg := Config{Endpoint: testenv.BlackHole(t), AccessKey: "liuhen",
		SecretKey: "liuhen-secret", Bucket: "liuhen-evidence", CallTimeout: 300 * time.Millisecond}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("new store: %v", err)
	}
	ctx := testContext(t) // a minute: the calls must end long before it
	calls := map[string]func() error{
		"stat":    func() error { _, err := s.Stat(ctx, "k"); return err },
		"rehash":  func() error { _, _, err := s.Rehash(ctx, "k"); return err },
		"presign": func() error { _, err := s.PresignGet(ctx, "k", time.Hour); return err },
		"ping":    func() error { return s.Ping(ctx) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "did not answer") {
				t.Errorf("got %v, want ErrUnavailable saying MinIO did not answer", err)
			}
			if ctx.Err() != nil {
				t.Errorf("the call ran until the test's own deadline")
			}
		})
	}
}

func TestOpenRefusedCredentials(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Config)
		setting string
	}{
		{"wrong secret key", func(c *Config) { c.SecretKey += "-wrong" }, "LIUHEN_MINIO_SECRET_KEY"},
		{"unknown access key", func(c *Config) { c.AccessKey = "nobody-here" },
			"LIUHEN_MINIO_ACCESS_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, 0)
			tt.change(&cfg)
			_, err := Open(testContext(t), cfg)
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.setting) {
				t.Errorf("got %v, want ErrInvalidConfig naming %s", err, tt.setting)
			}
		})
	}
}

package storage

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net"
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

// TestRehashThroughASlowLink checks that a rehash is bounded per read, not
// by its length: through a proxy that carries MinIO's answer at about half
// a MiB a second, 3 MiB take six seconds, longer than the call timeout plus
// a second per MiB, and the rehash still succeeds.
func TestRehashThroughASlowLink(t *testing.T) {
	s := openStore(t, 0)
	ctx := testContext(t)
	data := bytes.Repeat([]byte("liuhen"), 3<<20/6) // about 3 MiB, twelve reads
	sum := sha256.Sum256(data)
	if err := s.Put(ctx, "slow/k", bytes.NewReader(data), int64(len(data)), sum,
		"video/webm"); err != nil {
		t.Fatal(err)
	}
	cfg := s.cfg
	// A read of 256 KiB takes about half a second.
	cfg.Endpoint = trickle(t, cfg.Endpoint, 32<<10, 62*time.Millisecond)
	cfg.CallTimeout = time.Second
	slow, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	got, n, err := slow.Rehash(ctx, "slow/k")
	if err != nil || got != sum || n != int64(len(data)) {
		t.Fatalf("got %x, %d, %v; want %x, %d, nil", got, n, err, sum, len(data))
	}
	if took := time.Since(started); took < cfg.CallTimeout+3*time.Second {
		t.Errorf("the rehash took %v, under a second per MiB: the link was not slow", took)
	}
}

// trickle starts a TCP proxy to addr that passes requests on as they come
// and answers chunk bytes at a time, waiting pause between chunks.
func trickle(t *testing.T, addr string, chunk int, pause time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", addr)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				buf := make([]byte, chunk)
				for {
					n, err := up.Read(buf)
					if n > 0 {
						if _, werr := c.Write(buf[:n]); werr != nil {
							return
						}
						time.Sleep(pause)
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

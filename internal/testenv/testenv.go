// Package testenv gives tests the real services Liuhen runs on: a fresh,
// migrated PostgreSQL database and a MinIO server. The services are started
// by `make services` (scripts/services.sh), which also writes their
// addresses to .liuhen/env; a test that finds neither the environment nor
// that file fails with a message saying how to start them. Nothing is
// skipped.
package testenv

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/agenda"
)

const howToStart = "start the test services with `make services` " +
	"(or run everything with `make test`); see README.md, section Testing"

var loadEnvOnce sync.Once

// Getenv returns a LIUHEN_* setting from the environment or, failing that,
// from the .liuhen/env file that scripts/services.sh writes.
func Getenv(key string) string {
	loadEnvOnce.Do(loadEnvFile)
	return os.Getenv(key)
}

func loadEnvFile() {
	root, err := RepoRoot()
	if err != nil {
		return
	}
	f, err := os.Open(filepath.Join(root, ".liuhen", "env"))
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, strings.Trim(v, `'"`))
		}
	}
}

// RepoRoot finds the directory holding go.mod above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// DatabaseURL creates an empty database for the calling test, migrated to
// the current schema, and drops it when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	admin := Getenv("LIUHEN_DATABASE_URL")
	if admin == "" {
		t.Fatalf("LIUHEN_DATABASE_URL is not set: %s", howToStart)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at LIUHEN_DATABASE_URL: %v; %s", err, howToStart)
	}
	name := "liuhen_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		t.Fatalf("create test database: %v", err)
	}
	conn.Close(ctx)
	t.Cleanup(func() { dropDatabase(admin, name) })

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse LIUHEN_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	dsn := u.String()

	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	defer pool.Close()
	if err := agenda.Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return dsn
}

// Database is DatabaseURL with an open pool that is closed when the test
// ends.
func Database(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), DatabaseURL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func dropDatabase(admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// MinIO describes the MinIO server the tests use.
type MinIO struct {
	Endpoint  string
	AccessKey string
	SecretKey string
}

// MinIOServer returns the MinIO server from the environment, failing the
// test when none is configured.
func MinIOServer(t testing.TB) MinIO {
	t.Helper()
	m := MinIO{
		Endpoint:  Getenv("LIUHEN_MINIO_ENDPOINT"),
		AccessKey: Getenv("LIUHEN_MINIO_ACCESS_KEY"),
		SecretKey: Getenv("LIUHEN_MINIO_SECRET_KEY"),
	}
	if m.Endpoint == "" || m.AccessKey == "" || m.SecretKey == "" {
		t.Fatalf("LIUHEN_MINIO_ENDPOINT, LIUHEN_MINIO_ACCESS_KEY and "+
			"LIUHEN_MINIO_SECRET_KEY must be set: %s", howToStart)
	}
	return m
}

// MinIODataDir returns the directory the MinIO of `make services` keeps its
// drive in (.liuhen/minio), for tests that damage stored bytes the way a
// failing disk does. A test run against another MinIO fails here, saying
// so: those tests need the drive on this machine.
func MinIODataDir(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatalf("find the MinIO drive: %v", err)
	}
	dir := filepath.Join(root, ".liuhen", "minio")
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Fatalf("the MinIO drive %s is not there: this test damages an object on the "+
			"drive of the MinIO that `make services` starts; %s", dir, howToStart)
	}
	return dir
}

// BucketName returns a bucket name no other test uses.
func BucketName() string {
	return "liuhen-test-" + randomHex(6)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// BlackHole returns the address of a TCP listener that accepts connections
// and never answers, as a MinIO stopped with SIGSTOP does. It closes them
// when the test ends.
func BlackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

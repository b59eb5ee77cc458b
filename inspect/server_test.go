package inspect_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/agenda"
	"github.com/liuhen/liuhen/inspect"
	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/internal/testenv"
	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

const adminToken = "inspect-test-admin"

// server is the inspect API, behind the guard, over a county and a real
// evidence store.
type server struct {
	*county
	url     string
	objects *objectStore
	api     *inspect.API
}

func newServer(t testing.TB) *server {
	t.Helper()
	c := newCounty(t)
	objects := openObjects(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := inspect.NewAPI(c.pool, objects, logger)
	guard := access.NewGuard(adminToken, agenda.NewStore(c.pool)).
		WithInspectors(api.Tokens()).WithLogger(logger)
	r := chi.NewRouter()
	r.Route("/api/v1", func(r chi.Router) {
		r.Use(guard.Require)
		api.Mount(r)
		// A write that only checks reading, to show the guard refuses it.
		r.Post("/probe", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		})
	})
	hs := httptest.NewServer(r)
	t.Cleanup(hs.Close)
	return &server{county: c, url: hs.URL, objects: objects, api: api}
}

// objectStore adapts the evidence store to inspect.Objects, as cmd/liuhen
// does.
type objectStore struct{ s *storage.Store }

var _ inspect.Objects = (*objectStore)(nil)

func openObjects(t testing.TB) *objectStore {
	t.Helper()
	m := testenv.MinIOServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := storage.Open(ctx, storage.Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey,
		SecretKey: m.SecretKey, Bucket: testenv.BucketName()})
	if err != nil {
		t.Fatalf("open evidence store: %v", err)
	}
	return &objectStore{s}
}

func (o *objectStore) Stat(ctx context.Context, key string) (int64, error) {
	info, err := o.s.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, verify.ErrObjectMissing
	}
	return info.Size, err
}

func (o *objectStore) Rehash(ctx context.Context, key string, size int64) ([32]byte, int64,
	error) {
	sum, n, err := o.s.RehashIfSize(ctx, key, size)
	if errors.Is(err, storage.ErrNotFound) {
		return sum, n, verify.ErrObjectMissing
	}
	return sum, n, err
}

func (o *objectStore) PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL,
	error) {
	return o.s.PresignGet(ctx, key, ttl)
}

// call sends a request and returns the status and body.
func (s *server) call(t testing.TB, method, path, token, contentType, body string) (int,
	[]byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", "inspect-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// get sends GET and decodes a 200 answer into out.
func (s *server) get(t testing.TB, path, token string, out any) {
	t.Helper()
	status, body := s.call(t, http.MethodGet, path, token, "", "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: got %d %s, want 200", path, status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: decode %s: %v", path, body, err)
	}
}

// inspector issues an inspector token through the API.
func (s *server) inspector(t testing.TB, name string) (string, inspect.Inspector) {
	t.Helper()
	status, body := s.call(t, http.MethodPost, "/api/v1/inspector-tokens", adminToken,
		"application/json", `{"name":"`+name+`","ttl_hours":24}`)
	if status != http.StatusCreated {
		t.Fatalf("issue inspector token: got %d %s", status, body)
	}
	var out struct {
		Token     string
		Inspector inspect.Inspector
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Token, out.Inspector
}

// checkProblem checks that body is a problem document of status that
// names field (unless field is empty).
func checkProblem(t testing.TB, status int, body []byte, wantStatus int, field string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("got status %d %s, want %d", status, body, wantStatus)
	}
	var d problem.Details
	if err := json.Unmarshal(body, &d); err != nil || d.Status != wantStatus || d.Detail == "" {
		t.Fatalf("got %s (%v), want a problem document of status %d", body, err, wantStatus)
	}
	if field == "" {
		return
	}
	for _, f := range d.Errors {
		if f.Field == field && f.Reason != "" {
			return
		}
	}
	t.Errorf("got errors %+v, want one naming %s", d.Errors, field)
}

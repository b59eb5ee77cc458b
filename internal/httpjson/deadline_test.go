package httpjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/problem"
)

// waitThenFail is a handler that waits for its context to end, as a query
// to a PostgreSQL that does not answer does, and fails with a wrapped
// context error, as pgx does; answered reports whether Ended answered.
func waitThenFail(answered chan<- bool) http.Handler {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		err := fmt.Errorf("list meetings: %w", r.Context().Err())
		answered <- Ended(w, r, err, log)
	})
}

func TestBoundAnswers503WithRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bound func(time.Duration) func(http.Handler) http.Handler
	}{
		{"Bound", Bound},
		{"BoundUntilAnswer", BoundUntilAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answered := make(chan bool, 1)
			h := tc.bound(50 * time.Millisecond)(waitThenFail(answered))
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/meetings", nil))
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("answered after %v, want about the bound of 50ms", took)
			}
			if !<-answered {
				t.Fatal("Ended returned false, want it to answer the bound")
			}
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") !=
				RetryAfterDatabase {
				t.Errorf("got %d with Retry-After %q, want 503 with %s", w.Code,
					w.Header().Get("Retry-After"), RetryAfterDatabase)
			}
			var d problem.Details
			if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			want := "the request did not finish within 50ms, its bound, because PostgreSQL " +
				"or MinIO did not answer in time; the server's log names which. Try again shortly"
			if d.Detail != want || d.Status != http.StatusServiceUnavailable {
				t.Errorf("got %+v, want detail %q", d, want)
			}
		})
	}
}

func TestEndedWhenTheClientWentAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodGet, "/api/v1/meetings", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if !Ended(w, r, fmt.Errorf("query: %w", context.Canceled), log) {
		t.Fatal("got false, want the cancelled request taken as answered")
	}
	if w.Body.Len() != 0 || w.Header().Get("Retry-After") != "" {
		t.Errorf("got an answer (%d %s), want none: no one is there to read it", w.Code, w.Body)
	}
}

func TestEndedLeavesOtherErrorsToTheCaller(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct {
		name string
		ctx  func() context.Context
		err  error
	}{
		{"a live request", context.Background, errors.New("constraint violated")},
		{"a deadline of the handler's own, within the bound", context.Background,
			fmt.Errorf("stat: %w", context.DeadlineExceeded)},
		{"a constraint PostgreSQL checked", context.Background,
			fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"})},
		{"a cancelled request that failed for another reason", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, errors.New("constraint violated")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(tc.ctx())
			w := httptest.NewRecorder()
			if Ended(w, r, tc.err, log) {
				t.Errorf("got true (%d %s), want false: the caller answers %v", w.Code, w.Body,
					tc.err)
			}
		})
	}
}

// TestEndedWhenPostgreSQLCannotBeReached checks the 503 of a database
// that refuses connections, as a stopped PostgreSQL does, and of one
// shutting down.
func TestEndedWhenPostgreSQLCannotBeReached(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	pool, err := pgxpool.New(context.Background(), "postgres://liuhen@"+closed+"/liuhen")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	refused := pool.QueryRow(context.Background(), "SELECT 1").Scan(&n)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, err := range map[string]error{
		"connection refused": fmt.Errorf("list meetings: %w", refused),
		"shutting down": fmt.Errorf("list meetings: %w", &pgconn.PgError{Code: "57P01",
			Message: "terminating connection due to administrator command"}),
	} {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/meetings", nil)
			w := httptest.NewRecorder()
			if !Ended(w, r, err, log) {
				t.Fatalf("got false for %v, want a 503", err)
			}
			var d problem.Details
			if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
				t.Fatalf("body %s: %v", w.Body, err)
			}
			if w.Code != http.StatusServiceUnavailable ||
				w.Header().Get("Retry-After") != RetryAfterDatabase ||
				!strings.Contains(d.Detail, "PostgreSQL cannot be reached") {
				t.Errorf("got %d with Retry-After %q: %s; want 503 naming PostgreSQL", w.Code,
					w.Header().Get("Retry-After"), w.Body)
			}
		})
	}
}

// TestBoundUntilAnswerSparesAStartedAnswer checks that a download that
// started within the bound goes on past it.
func TestBoundUntilAnswerSparesAStartedAnswer(t *testing.T) {
	h := BoundUntilAnswer(30 * time.Millisecond)(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			select {
			case <-r.Context().Done():
				_, _ = io.WriteString(w, "cut off")
			case <-time.After(150 * time.Millisecond):
				_, _ = io.WriteString(w, "whole")
			}
		}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if got := w.Body.String(); got != "whole" {
		t.Errorf("got %q, want the whole answer, started before the bound passed", got)
	}
}

package httpjson

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/liuhen/liuhen/internal/problem"
)

// RetryAfterDatabase is the Retry-After, in seconds, of an answer cut off
// by its bound: PostgreSQL or MinIO did not answer, and a moment's wait is
// more likely to find it back than an immediate retry.
const RetryAfterDatabase = "30"

// DeadlineError is the cause of a request's context ending because its
// bound (Bound, BoundUntilAnswer) passed. It matches
// context.DeadlineExceeded.
type DeadlineError struct {
	Bound time.Duration
}

func (e *DeadlineError) Error() string {
	return fmt.Sprintf("the request did not finish within %v, its bound, because PostgreSQL "+
		"or MinIO did not answer in time", e.Bound)
}

// Is makes a DeadlineError match context.DeadlineExceeded.
func (e *DeadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// Bound returns middleware that gives each request's context a deadline d
// from when the request arrives: a request waiting on a PostgreSQL or a
// MinIO that accepts connections but never answers then ends with the
// deadline's error, which Ended answers 503. d <= 0 leaves requests unbounded.
func Bound(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeoutCause(r.Context(), d, &DeadlineError{Bound: d})
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// BoundUntilAnswer is Bound for answers that stream, such as a download
// that can legitimately take longer than any bound: the context ends when
// d passes before the handler starts its answer (its first WriteHeader or
// Write), and no longer once it has. A context ended by the bound reports
// context.Canceled from Err; its cause, which Ended reads, is the
// *DeadlineError.
func BoundUntilAnswer(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithCancelCause(r.Context())
			defer cancel(nil)
			timer := time.AfterFunc(d, func() { cancel(&DeadlineError{Bound: d}) })
			defer timer.Stop()
			aw := &answerWriter{ResponseWriter: w, started: func() { timer.Stop() }}
			next.ServeHTTP(aw, r.WithContext(ctx))
		})
	}
}

// answerWriter calls started once, when the answer starts.
type answerWriter struct {
	http.ResponseWriter
	once    sync.Once
	started func()
}

func (w *answerWriter) WriteHeader(code int) {
	w.once.Do(w.started)
	w.ResponseWriter.WriteHeader(code)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	w.once.Do(w.started)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer beneath, to flush a
// long download.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// BoundPassed returns the bound whose passing ended ctx, if one did.
func BoundPassed(ctx context.Context) (*DeadlineError, bool) {
	var de *DeadlineError
	if ctx.Err() == nil || !errors.As(context.Cause(ctx), &de) {
		return nil, false
	}
	return de, true
}

// Ended answers a request that failed with err for a reason outside its
// handler, and reports whether it did. When the request's bound passed
// (Bound, BoundUntilAnswer), whatever err it then failed with, the answer
// is 503 with Retry-After saying the request did not finish within its
// bound because PostgreSQL or MinIO did not answer, and log has a warning
// whose err, the error the request failed with, names which. When the
// client went away (the context was cancelled and err says so) there is no
// one to answer: log has err at debug level, since it is no failure of the
// server. When PostgreSQL could not be reached (DatabaseUnreachable), the
// answer is 503 with Retry-After saying so, and log has a warning with
// err. Otherwise Ended writes nothing and returns false, and the caller
// answers err itself.
func Ended(w http.ResponseWriter, r *http.Request, err error, log *slog.Logger) bool {
	if de, ok := BoundPassed(r.Context()); ok {
		log.Warn("request ended by its bound: PostgreSQL or MinIO did not answer in time",
			"method", r.Method, "path", r.URL.Path, "bound", de.Bound, "err", err)
		w.Header().Set("Retry-After", RetryAfterDatabase)
		problem.Write(w, http.StatusServiceUnavailable, de.Error()+
			"; the server's log names which. Try again shortly")
		return true
	}
	if r.Context().Err() != nil && errors.Is(err, context.Canceled) {
		log.Debug("request ended: the client went away", "method", r.Method,
			"path", r.URL.Path, "err", err)
		return true
	}
	if DatabaseUnreachable(err) {
		log.Warn("request failed: PostgreSQL cannot be reached", "method", r.Method,
			"path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", RetryAfterDatabase)
		problem.Write(w, http.StatusServiceUnavailable, "PostgreSQL cannot be reached, or "+
			"closed the connection; the server's log has the cause. Try again shortly")
		return true
	}
	return false
}

// DatabaseUnreachable reports whether err says that PostgreSQL could not be
// reached or would not serve: a connection that could not be opened (refused,
// or its login failed), one the driver had already closed, or PostgreSQL
// shutting down, starting up or out of connection slots. An error of a
// connection lost in the middle of a query is a bare network error, which
// could as well be MinIO's, and is not taken for one.
func DatabaseUnreachable(err error) bool {
	var connect *pgconn.ConnectError
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &connect), errors.Is(err, pgconn.ErrConnClosed):
		return true
	case errors.As(err, &pg):
		// 57P01-57P05: admin or crash shutdown, cannot connect now, ...;
		// 53300: too many connections.
		return strings.HasPrefix(pg.Code, "57P") || pg.Code == "53300"
	}
	return false
}

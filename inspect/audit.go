package inspect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

// Audited actions.
const (
	ActionSearch = "search" // GET /search
	ActionWatch  = "watch"  // the watch page's data
	ActionView   = "view"   // a link to play or download a recording's viewing copy
	ActionExport = "export" // an evidence bundle
)

// Entry is one record of the audit log: who did what, when and from where.
type Entry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorKind  string    `json:"actor_kind"` // admin, inspector or publisher
	ActorID    *int64    `json:"actor_id"`   // the inspector token, or the publisher's meeting
	Actor      string    `json:"actor"`      // "admin", the inspector's name, "meeting 7"
	Action     string    `json:"action"`
	Target     string    `json:"target"` // the path asked for
	Query      string    `json:"query"`  // its query, decoded
	RemoteAddr string    `json:"remote_addr"`
	UserAgent  string    `json:"user_agent"`
	// Status is the HTTP status of the answer, StatusClientClosed when
	// the client went away before it was complete, or 500 when the server
	// cut it off; nil while it is being sent.
	Status *int `json:"status"`
}

// StatusClientClosed is the status recorded for a request whose client
// went away before the answer was complete, so that the log does not say
// it was shown. It is nginx's code for that; HTTP has none, since no
// answer reached the client.
const StatusClientClosed = 499

// Audit writes and reads the audit log.
type Audit struct {
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// NewAudit returns the audit log of pool's database.
func NewAudit(pool *pgxpool.Pool, logger *slog.Logger) *Audit {
	return &Audit{pool: pool, logger: logger.With("component", "audit")}
}

// Record returns middleware that writes an entry of action for every
// request it passes on, before the handler runs, and its status after:
// the answer's, or what became of it (see Entry.Status). It must run after
// access.Guard's Require. When the entry cannot be written the request is
// refused with 503: nothing is shown without a record.
func (a *Audit) Record(action string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := access.FromContext(r.Context())
			if !ok {
				problem.Write(w, http.StatusUnauthorized, access.ErrNoToken.Error())
				return
			}
			id, err := a.begin(r.Context(), entryOf(r, p, action))
			if err != nil && httpjson.Ended(w, r, err, a.logger) {
				return
			}
			if err != nil {
				a.logger.Error("write audit entry", "action", action, "path", r.URL.Path,
					"err", err)
				w.Header().Set("Retry-After", "5")
				problem.Write(w, http.StatusServiceUnavailable, "the audit log could not be "+
					"written, and nothing is shown without a record; try again shortly")
				return
			}
			sw := &statusWriter{ResponseWriter: w}
			completed := false
			defer func() {
				// Also when the handler aborts the answer (http.ErrAbortHandler).
				a.finish(context.WithoutCancel(r.Context()), id,
					sw.outcome(r.Context(), completed))
			}()
			next.ServeHTTP(sw, r)
			completed = true
		})
	}
}

// storable makes s text PostgreSQL keeps: invalid UTF-8 and NUL bytes,
// which a query or a User-Agent may carry and which the request's own
// checks refuse afterwards, become U+FFFD, so the record is written.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// entryOf describes request r of principal p.
func entryOf(r *http.Request, p access.Principal, action string) Entry {
	e := Entry{Action: action, Target: r.URL.Path, RemoteAddr: r.RemoteAddr,
		UserAgent: storable(r.UserAgent())}
	if q, err := url.QueryUnescape(r.URL.RawQuery); err == nil {
		e.Query = storable(q)
	} else {
		e.Query = r.URL.RawQuery
	}
	// TODO(audit-proxy): behind a reverse proxy RemoteAddr is the proxy's;
	// a setting naming trusted proxies would let X-Forwarded-For be kept.
	switch {
	case p.IsAdmin():
		e.ActorKind, e.Actor = "admin", "admin"
	case p.IsInspector():
		id := p.InspectorID
		e.ActorKind, e.ActorID, e.Actor = "inspector", &id, p.Inspector
	default:
		id := p.MeetingID
		e.ActorKind, e.ActorID, e.Actor = "publisher", &id, "meeting "+strconv.FormatInt(id, 10)
	}
	return e
}

func (a *Audit) begin(ctx context.Context, e Entry) (int64, error) {
	var id int64
	err := a.pool.QueryRow(ctx, `INSERT INTO audit_log (actor_kind, actor_id, actor, action,
			target, query, remote_addr, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.ActorKind, e.ActorID, e.Actor, e.Action, e.Target, truncate(e.Query, 2000),
		e.RemoteAddr, truncate(e.UserAgent, 500)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("write audit entry: %w", err)
	}
	return id, nil
}

// auditFinishTimeout bounds the writing of an answer's status, which runs
// after the request's own context may have ended and before the answer
// reaches its client: a PostgreSQL that does not answer delays the answer
// by this much, not for ever, and leaves the entry without a status.
const auditFinishTimeout = 2 * time.Second

func (a *Audit) finish(ctx context.Context, id int64, status int) {
	ctx, cancel := context.WithTimeout(ctx, auditFinishTimeout)
	defer cancel()
	_, err := a.pool.Exec(ctx, `UPDATE audit_log SET status = $2 WHERE id = $1`, id, status)
	if err != nil {
		a.logger.Error("record audit status", "entry", id, "status", status, "err", err)
	}
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// AuditFilter chooses entries of the audit log: by actor (exact), action,
// and a period [From, To) of their time; a zero value leaves it open.
type AuditFilter struct {
	Actor, Action string
	From, To      time.Time
	Limit, Offset int
}

// List returns the entries f chooses, newest first.
func (a *Audit) List(ctx context.Context, f AuditFilter) ([]Entry, error) {
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From
	}
	if !f.To.IsZero() {
		to = &f.To
	}
	rows, err := a.pool.Query(ctx, `SELECT id, at, actor_kind, actor_id, actor, action, target,
			query, remote_addr, user_agent, status
		FROM audit_log
		WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2)
			AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
		ORDER BY at DESC, id DESC LIMIT $5 OFFSET $6`,
		f.Actor, f.Action, from, to, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) {
		var e Entry
		err := r.Scan(&e.ID, &e.At, &e.ActorKind, &e.ActorID, &e.Actor, &e.Action, &e.Target,
			&e.Query, &e.RemoteAddr, &e.UserAgent, &e.Status)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return append(make([]Entry, 0, len(out)), out...), nil
}

// statusWriter remembers the status of an answer, and whether writing it
// failed.
type statusWriter struct {
	http.ResponseWriter
	status   int
	writeErr error
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return n, err
}

// Unwrap lets http.ResponseController reach the writer beneath, to flush
// a long export.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// outcome is the status to record for the answer once the handler has
// returned (completed) or aborted it. A request whose context was
// cancelled before the handler returned lost its client (net/http cancels
// it when the connection closes), and so did one whose answer could not be
// written, whatever status the handler chose. One ended by its bound
// (httpjson.BoundUntilAnswer's cause) did not: its answer says so.
func (w *statusWriter) outcome(ctx context.Context, completed bool) int {
	switch {
	case w.writeErr != nil || errors.Is(context.Cause(ctx), context.Canceled):
		return StatusClientClosed
	case !completed:
		return http.StatusInternalServerError
	case w.status == 0:
		return http.StatusOK
	}
	return w.status
}

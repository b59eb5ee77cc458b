package inspect

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
)

// API serves search, watch data, inspector tokens and the audit log as
// JSON, with errors as RFC 9457 problem details.
type API struct {
	search *Searcher
	watch  *Watcher
	tokens *Tokens
	audit  *Audit
	logger *slog.Logger
}

// NewAPI returns the API over the database and the evidence store.
func NewAPI(pool *pgxpool.Pool, objects Objects, logger *slog.Logger) *API {
	logger = logger.With("component", "inspect-api")
	return &API{search: NewSearcher(pool), watch: NewWatcher(pool, objects, logger),
		tokens: NewTokens(pool), audit: NewAudit(pool, logger), logger: logger}
}

// Tokens returns the inspector tokens, for access.Guard.WithInspectors.
func (a *API) Tokens() *Tokens { return a.tokens }

// Audit returns the audit log, whose Record middleware other routes use.
func (a *API) Audit() *Audit { return a.audit }

// Mount adds the routes to r, the router of /api/v1, which must already
// authenticate requests (access.Guard's Require):
//
//	GET    /search                   admin and inspectors; audited
//	GET    /agenda-items/{id}/watch  admin and inspectors; audited
//	GET    /inspector-tokens         admin
//	POST   /inspector-tokens         admin
//	GET    /inspector-tokens/{id}    admin
//	DELETE /inspector-tokens/{id}    admin: revoke
//	GET    /audit                    admin
func (a *API) Mount(r chi.Router) {
	inspect := r.With(access.ReadersOnly)
	inspect.With(a.audit.Record(ActionSearch)).Get("/search", a.serveSearch)
	inspect.With(a.audit.Record(ActionWatch)).Get("/agenda-items/{id}/watch", a.serveWatch)
	admin := r.With(access.AdminOnly)
	admin.Get("/inspector-tokens", a.listTokens)
	admin.Post("/inspector-tokens", a.createToken)
	admin.Get("/inspector-tokens/{id}", a.getToken)
	admin.Delete("/inspector-tokens/{id}", a.revokeToken)
	admin.Get("/audit", a.listAudit)
}

func (a *API) serveSearch(w http.ResponseWriter, r *http.Request) {
	q, err := ParseQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.search.Search(r.Context(), q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, res)
}

func (a *API) serveWatch(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	v, err := a.watch.Watch(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, v)
}

// fail answers an error: bad input 400, unknown records 404, findings not
// swept yet 503 with what to do, a request whose bound passed 503 and one
// whose client went away not at all (httpjson.Ended). Anything else is
// logged once and answered 503, since it means the database could not be
// read.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, a.logger) {
		return
	}
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
			Detail: "the request has bad parameters; fix each one listed in errors",
			Errors: ie.Fields})
	case errors.Is(err, ErrNotFound):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNotSwept):
		w.Header().Set("Retry-After", "60")
		problem.Write(w, http.StatusServiceUnavailable, err.Error())
	default:
		a.logger.Error("serve request", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		problem.Write(w, http.StatusServiceUnavailable,
			"the database could not be read; it has been logged, try again shortly")
	}
}

// created answers 201 with v and the Location of the new resource.
func created(w http.ResponseWriter, r *http.Request, v any, id int64) {
	w.Header().Set("Location", fmt.Sprintf("%s/%d", r.URL.Path, id))
	httpjson.Write(w, http.StatusCreated, v)
}

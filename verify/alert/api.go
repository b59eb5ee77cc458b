package alert

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/fielderr"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
)

// maxBodyBytes bounds the body of a change of state.
const maxBodyBytes = 16 << 10

// listParams are the query parameters of GET /findings.
var listParams = []string{"state", "code", "severity", "unit", "limit", "offset"}

// API serves kept findings: GET /findings lists them, GET /findings/{id}
// gives one with its events and deliveries, POST
// /findings/{id}/acknowledge and /findings/{id}/resolve change its state,
// each recorded with the person the body names ("by") and the credential
// of the request. The caller puts it behind authentication; who may use it
// is the caller's choice.
type API struct {
	store  *Store
	logger *slog.Logger
}

// NewAPI returns the API of store.
func NewAPI(store *Store, logger *slog.Logger) *API {
	return &API{store: store, logger: logger.With("component", "alert-api")}
}

// Register adds the API's routes to r, the router of /api/v1.
func (a *API) Register(r chi.Router) {
	r.Get("/findings", a.list)
	r.Get("/findings/{id}", a.get)
	r.Post("/findings/{id}/acknowledge", a.change(a.store.Acknowledge))
	r.Post("/findings/{id}/resolve", a.change(a.store.Resolve))
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.RawQuery)
	if err == nil {
		var page Page
		if page, err = a.store.List(r.Context(), f); err == nil {
			httpjson.Write(w, http.StatusOK, page)
			return
		}
	}
	a.fail(w, r, err)
}

// parseFilter reads the query of GET /findings; state, code and severity
// take several values, comma-separated or repeated; unit, limit and
// offset take one, and one given more than once is refused
// (param.WithoutRepeated), as is a parameter given empty
// (param.WithoutEmpty).
func parseFilter(raw string) (Filter, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return Filter{}, invalid("query", "cannot read the query string: %v; escape it as "+
			"a URL query", err)
	}
	var errs []error
	for _, fe := range param.Unknown(q, listParams) {
		errs = append(errs, invalid(fe.Field, "%s", fe.Reason))
	}
	q, empty := param.WithoutEmpty(q, listParams)
	for _, name := range empty {
		errs = append(errs, invalid(name, "%s", param.EmptyReason))
	}
	q, repeated := param.WithoutRepeated(q, []string{"unit", "limit", "offset"})
	for _, fe := range repeated {
		errs = append(errs, invalid(fe.Field, "%s", fe.Reason))
	}
	f := Filter{States: values(q, "state", strings.ToLower),
		Codes:      values(q, "code", strings.ToUpper),
		Severities: values(q, "severity", strings.ToLower), Unit: q.Get("unit")}
	if f.Limit, err = param.Limit(q.Get("limit"), 0, MaxLimit); err != nil {
		errs = append(errs, invalid("limit", "%v", err))
	}
	if f.Offset, err = param.Offset(q.Get("offset")); err != nil {
		errs = append(errs, invalid("offset", "%v", err))
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return f, errors.Join(errs...)
}

func values(q url.Values, name string, norm func(string) string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, norm(part))
			}
		}
	}
	return out
}

func (a *API) get(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	d, err := a.store.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, d)
}

// changeBody is what POST acknowledge and resolve read.
type changeBody struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// change serves a change of state by do. The body names the person who
// makes it; the credential it came with is the principal's.
func (a *API) change(do func(ctx context.Context, id int64, c Change) (Detail,
	error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := param.PathID(w, r)
		if !ok {
			return
		}
		body, ok := readChange(w, r)
		if !ok {
			return
		}
		d, err := do(r.Context(), id, Change{By: body.By, Via: via(r.Context()),
			Reason: body.Reason})
		if err != nil {
			a.fail(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, d)
	}
}

// via names the credential of a request: the admin token is the only one
// that changes findings, and "" stands for none known (a router without
// authentication).
func via(ctx context.Context) string {
	if p, ok := access.FromContext(ctx); ok && p.IsAdmin() {
		return ViaAdminToken
	}
	return ""
}

// readChange reads the JSON body of a change; an empty body names no one,
// which the store refuses. httpjson.Read refuses a name or reason that is
// not Unicode, naming the field.
func readChange(w http.ResponseWriter, r *http.Request) (changeBody, bool) {
	var body changeBody
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return body, true
	}
	ok := httpjson.Read(w, r, &body, maxBodyBytes,
		`send an object such as {"by": "张三", "reason": "linked to its agenda item"}`)
	return body, ok
}

// fail answers an error of the store: 400 for bad input, 404 for an
// unknown finding, 409 for a change its state does not allow, 503 when the
// request's bound passed, nothing when the client went away
// (httpjson.Ended), and 500 (logged here, once) for the rest.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, a.logger) {
		return
	}
	switch {
	case errors.Is(err, ErrInvalid):
		problem.BadRequest(w, fielderr.Problems(err))
	case errors.Is(err, ErrNotFound):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrConflict):
		problem.Write(w, http.StatusConflict, err.Error())
	default:
		a.logger.Error("findings request failed", "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"the findings could not be read or changed; the server log has the cause")
	}
}

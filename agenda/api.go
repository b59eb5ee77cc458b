package agenda

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

// API serves the agenda as JSON, with errors as RFC 9457 problem details.
// Every request needs a bearer token: the admin token may do everything; a
// publish token may read and mark its own meeting and read the catalogue
// (org units, bodies, matters, decisions).
type API struct {
	store  *Store
	guard  *access.Guard
	logger *slog.Logger
	router chi.Router
}

// NewAPI returns the API of store, guarded by guard.
func NewAPI(store *Store, guard *access.Guard, logger *slog.Logger) *API {
	a := &API{store: store, guard: guard, logger: logger.With("component", "agenda-api")}
	a.router = a.routes()
	return a
}

// Routes returns the API's router, to be mounted at /api/v1.
func (a *API) Routes() chi.Router { return a.router }

func (a *API) routes() chi.Router {
	r := chi.NewRouter()
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, http.StatusNotFound, "no endpoint at "+r.URL.Path)
	})
	r.MethodNotAllowed(a.methodNotAllowed)
	r.Use(a.guard.Require)

	a.catalogueRoutes(r)
	a.meetingRoutes(r)
	a.minutesRoutes(r)
	r.Get("/decisions", listOf(a, decisionFilter, a.store.ListDecisions))
	r.With(access.AdminOnly).Post("/decisions",
		createOf(a, a.store.CreateDecision, Decision.id, "/decisions/%d"))
	r.Get("/decisions/{id}", getOf(a, a.store.GetDecision))
	r.With(access.AdminOnly).Patch("/decisions/{id}", patchOf(a, a.store.UpdateDecision))
	return r
}

// catalogueRoutes mounts org units, bodies, members, seats and matters:
// any token reads them, the admin token writes them.
func (a *API) catalogueRoutes(r chi.Router) {
	admin := r.With(access.AdminOnly)
	r.Get("/org-units", listOf(a, orgUnitFilter, a.store.ListOrgUnits))
	admin.Post("/org-units", createOf(a, a.store.CreateOrgUnit, OrgUnit.id, "/org-units/%d"))
	r.Get("/org-units/{id}", getOf(a, a.store.GetOrgUnit))
	admin.Patch("/org-units/{id}", patchOf(a, a.store.UpdateOrgUnit))
	r.Get("/bodies", listOf(a, bodyFilter, a.store.ListBodies))
	admin.Post("/bodies", createOf(a, a.store.CreateBody, Body.id, "/bodies/%d"))
	r.Get("/bodies/{id}", getOf(a, a.store.GetBody))
	admin.Patch("/bodies/{id}", patchOf(a, a.store.UpdateBody))
	r.Get("/members", listOf(a, memberFilter, a.store.ListMembers))
	admin.Post("/members", createOf(a, a.store.CreateMember, Member.id, "/members/%d"))
	r.Get("/members/{id}", getOf(a, a.store.GetMember))
	admin.Patch("/members/{id}", patchOf(a, a.store.UpdateMember))
	r.Get("/body-seats", listOf(a, seatFilter, a.store.ListBodySeats))
	admin.Post("/body-seats",
		createOf(a, a.store.CreateBodySeat, BodySeat.id, "/body-seats/%d"))
	r.Get("/body-seats/{id}", getOf(a, a.store.GetBodySeat))
	admin.Patch("/body-seats/{id}", patchOf(a, a.store.UpdateBodySeat))
	r.Get("/matters", listOf(a, matterFilter, a.store.ListMatters))
	admin.Post("/matters", createOf(a, a.store.CreateMatter, Matter.id, "/matters/%d"))
	r.Get("/matters/{id}", getOf(a, a.store.GetMatter))
	admin.Patch("/matters/{id}", patchOf(a, a.store.UpdateMatter))
}

// meetingRoutes mounts meetings and agenda items: the admin token reads and
// writes them all, a publish token reads and marks its own meeting.
func (a *API) meetingRoutes(r chi.Router) {
	admin := r.With(access.AdminOnly)
	r.Get("/meetings", a.listMeetings)
	admin.Post("/meetings", a.createMeeting)
	r.Get("/meetings/{id}", a.getMeeting)
	admin.Patch("/meetings/{id}", patchOf(a, a.store.UpdateMeeting))
	r.Get("/meetings/{id}/agenda-items", a.listAgendaItems)
	admin.Post("/meetings/{id}/agenda-items", a.createAgendaItem)
	admin.Post("/meetings/{id}/publish-tokens", a.createPublishToken)
	r.Get("/agenda-items", a.findAgendaItems)
	r.Get("/agenda-items/{id}", a.getAgendaItem)
	admin.Patch("/agenda-items/{id}", patchOf(a, a.store.UpdateAgendaItem))
	r.Post("/agenda-items/{id}/marks", a.markAgendaItem)
	r.Post("/agenda-items/{id}/index-points", a.addIndexPoint)
}

// methodNotAllowed answers 405 with the Allow header (RFC 9110 §15.5.6).
func (a *API) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rctx := chi.RouteContext(r.Context()); rctx != nil && rctx.RoutePath != "" {
		path = rctx.RoutePath
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete} {
		if a.router.Match(chi.NewRouteContext(), m, path) {
			allowed = append(allowed, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	problem.Write(w, http.StatusMethodNotAllowed,
		fmt.Sprintf("%s is not allowed here; use %s", r.Method, strings.Join(allowed, " or ")))
}

func principal(r *http.Request) access.Principal {
	p, _ := access.FromContext(r.Context())
	return p
}

// canRead answers 403 and returns false when the principal may not read
// meeting id.
func canRead(w http.ResponseWriter, r *http.Request, id int64) bool {
	if principal(r).CanReadMeeting(id) {
		return true
	}
	problem.Write(w, http.StatusForbidden,
		fmt.Sprintf("this token does not give access to meeting %d", id))
	return false
}

func canWrite(w http.ResponseWriter, r *http.Request, id int64) bool {
	if principal(r).CanWriteMeeting(id) {
		return true
	}
	problem.Write(w, http.StatusForbidden,
		fmt.Sprintf("this token may not change meeting %d", id))
	return false
}

// decode reads a JSON body into the input dst points to. When the body is
// unreadable it answers and returns false; when some fields are of the
// wrong type or unknown it answers 400 listing those and every other bad
// field of the input.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) (map[string]bool, bool) {
	present, rerr := readJSON(w, r, dst)
	if rerr == nil {
		return present, true
	}
	if rerr.fields != nil {
		rerr.fields = mergeChecks(rerr.fields, dst)
	}
	writeRequestError(w, rerr)
	return nil, false
}

func writeRequestError(w http.ResponseWriter, e *requestError) {
	problem.WriteDetails(w, problem.Details{Status: e.status, Detail: e.detail, Errors: e.fields})
}

// fail answers an error of the store: bad input as 422, conflicts as 409,
// unknown records as 404, a request whose bound passed as 503 and one
// whose client went away not at all (httpjson.Ended). Anything else is
// logged once and answered 500 without details.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, a.logger) {
		return
	}
	var ve *ValidationError
	var ce *ConflictError
	switch {
	case errors.As(err, &ve):
		problem.WriteDetails(w, problem.Details{Status: http.StatusUnprocessableEntity,
			Detail: "the request has invalid fields; fix each one listed in errors",
			Errors: ve.Fields})
	case errors.As(err, &ce):
		d := problem.Details{Status: http.StatusConflict, Detail: ce.Error()}
		if ce.Field != "" {
			d.Errors = []problem.FieldError{{Field: ce.Field, Reason: ce.Reason}}
		}
		problem.WriteDetails(w, d)
	case errors.Is(err, ErrNotFound):
		problem.Write(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrNoOpenRecording), errors.Is(err, ErrNoOpenIndexPoint):
		problem.Write(w, http.StatusConflict, err.Error())
	default:
		a.logger.Error("serve request", "method", r.Method, "path", r.URL.Path, "err", err)
		problem.Write(w, http.StatusInternalServerError,
			"internal error; it has been logged, try again later")
	}
}

// created answers 201 with the new resource and its Location, a path under
// the API's mount point.
func created(w http.ResponseWriter, r *http.Request, v any, format string, args ...any) {
	w.Header().Set("Location", mountPrefix(r)+fmt.Sprintf(format, args...))
	httpjson.Write(w, http.StatusCreated, v)
}

// mountPrefix is the path where the API's router is mounted, such as
// "/api/v1".
func mountPrefix(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.RoutePath == "" {
		return ""
	}
	return strings.TrimSuffix(r.URL.Path, rctx.RoutePath)
}

package agenda

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/liuhen/liuhen/internal/access"
	"github.com/liuhen/liuhen/internal/httpjson"
)

// minutesRoutes mounts what the minutes keep: a meeting's attendance, who
// should have attended, and an agenda item's recusals and statements. Each
// list is read by the admin token or the meeting's publish token, and
// written whole (PUT {"items": [...]}) by the admin token.
func (a *API) minutesRoutes(r chi.Router) {
	admin := r.With(access.AdminOnly)
	r.Get("/meetings/{id}/attendance", getListOf(a, ownMeeting, a.store.Attendance))
	admin.Put("/meetings/{id}/attendance", putListOf(a, true, a.store.SetAttendance))
	r.Get("/meetings/{id}/expected-attendees",
		getListOf(a, ownMeeting, a.store.MeetingAttendees))
	itemMeeting := a.store.AgendaItemMeeting
	r.Get("/agenda-items/{id}/recusals", getListOf(a, itemMeeting, a.store.Recusals))
	admin.Put("/agenda-items/{id}/recusals", putListOf(a, true, a.store.SetRecusals))
	r.Get("/agenda-items/{id}/statements", getListOf(a, itemMeeting, a.store.Statements))
	admin.Put("/agenda-items/{id}/statements", putListOf(a, false, a.store.SetStatements))
}

// getListOf serves a minutes list of the record in the path, to a principal
// that may read the meeting meetingOf returns for the record.
func getListOf[T any](a *API, meetingOf func(context.Context, int64) (int64, error),
	read func(context.Context, int64) ([]T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, rerr := pathID(r)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		if rerr := newParams(r).done(); rerr != nil {
			writeRequestError(w, rerr) // a list of one meeting is short: no paging
			return
		}
		meeting, err := meetingOf(r.Context(), id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if !canRead(w, r, meeting) {
			return
		}
		items, err := read(r.Context(), id)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, List[T]{Items: items})
	}
}

// putListOf serves the replacement of a minutes list of the record in the
// path by the body's items; once says that a member may be listed once.
func putListOf[In listEntry, T any](a *API, once bool,
	write func(context.Context, int64, []In) ([]T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, rerr := pathID(r)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		items, rerr := readItems[In](w, r, once)
		if rerr != nil {
			writeRequestError(w, rerr)
			return
		}
		list, err := write(r.Context(), id, items)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		httpjson.Write(w, http.StatusOK, List[T]{Items: list})
	}
}

// ownMeeting is the meetingOf of a meeting's own lists.
func ownMeeting(_ context.Context, id int64) (int64, error) { return id, nil }

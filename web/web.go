// Package web serves Liuhen's pages: the meeting-room page that publishes a
// meeting over WHIP and marks its agenda items, the secretary's pages that
// list meetings with their agendas and record who attended, the warnings
// page of open findings, and the inspectors' search and watch pages.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
)

//go:embed static
var static embed.FS

// Handler serves the pages. The pages hold no data of their own: they call
// the JSON API with the token the user gives them.
//
// TODO(secretary-token): recording attendance needs the admin token in the
// secretary's browser; a token limited to one unit's minutes would fix it.
func Handler() http.Handler {
	files, _ := fs.Sub(static, "static")
	r := chi.NewRouter()
	r.Get("/", page(files, "index.html"))
	r.Get("/room/{meeting}", idPage(files, "meeting", "room.html"))
	r.Get("/secretary", page(files, "secretary.html"))
	r.Get("/secretary/meetings/{meeting}", idPage(files, "meeting", "attendance.html"))
	r.Get("/warnings", page(files, "warnings.html"))
	r.Get("/search", page(files, "search.html"))
	r.Get("/watch/{item}", idPage(files, "item", "watch.html"))
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(files)))
	return r
}

func page(files fs.FS, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, files, name)
	}
}

// idPage serves a page of the meeting or agenda item whose id is the path
// parameter param, 404 when the id is not a positive integer.
func idPage(files fs.FS, param, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.ParseInt(chi.URLParam(r, param), 10, 64); err != nil || id <= 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, files, name)
	}
}

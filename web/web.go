// Package web serves Liuhen's pages: the meeting-room page that publishes a
// meeting over WHIP and marks its agenda items, and the inspectors' search
// and watch pages.
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
func Handler() http.Handler {
	files, _ := fs.Sub(static, "static")
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, files, "index.html")
	})
	r.Get("/room/{meeting}", func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.ParseInt(chi.URLParam(r, "meeting"), 10, 64); err != nil || id <= 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, files, "room.html")
	})
	r.Get("/search", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, files, "search.html")
	})
	r.Get("/watch/{item}", func(w http.ResponseWriter, r *http.Request) {
		if id, err := strconv.ParseInt(chi.URLParam(r, "item"), 10, 64); err != nil || id <= 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, files, "watch.html")
	})
	r.Handle("/static/*", http.StripPrefix("/static/", http.FileServerFS(files)))
	return r
}

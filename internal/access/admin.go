package access

import (
	"net/http"

	"github.com/liuhen/liuhen/internal/problem"
)

// AdminOnly lets a request through only when Require has found the admin
// token on it; any other principal gets 403.
func AdminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := FromContext(r.Context()); !p.IsAdmin() {
			problem.Write(w, http.StatusForbidden, "this request needs the admin token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ReadersOnly lets a request through only when it comes from the admin or
// an inspector, who may read everything; a publish token gets 403.
func ReadersOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, _ := FromContext(r.Context()); !p.ReadsEverything() {
			problem.Write(w, http.StatusForbidden,
				"this request needs the admin token or an inspector token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

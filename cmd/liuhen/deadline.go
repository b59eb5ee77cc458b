package main

import (
	"net/http"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/httpjson"
)

// apiBounds bound how long a request may wait for PostgreSQL, which may
// accept connections and never answer (SIGSTOP, a half-open network):
// without a bound such a request would be held until its client gives up.
// A request whose bound passes is answered 503 with Retry-After by its
// package's fail (httpjson.Ended). The bound is on the request's context,
// which the token check and the audit log use too, so it is picked here,
// before the router of /api/v1 checks the token, by the route's group
// (routeGroup).
type apiBounds struct {
	short time.Duration // LIUHEN_API_DEADLINE
	long  time.Duration // LIUHEN_API_LONG_DEADLINE
}

// boundGroup is how a route is bounded.
type boundGroup int

const (
	// unbounded: the route streams for as long as its client wants, or
	// never waits for PostgreSQL.
	unbounded boundGroup = iota
	// shortBound: the model's reads and writes, searches, findings,
	// tokens, the audit log and /healthz, which take milliseconds.
	shortBound
	// longBound: verify, issuing a report and imports, which read or write
	// much of the database and take minutes on a county's worth of it (see
	// BENCHMARKS.md); an import's upload counts against it too.
	longBound
	// boundUntilDownload: evidence bundles, bounded as longBound while the
	// bundle is planned from the database and its objects checked, and not
	// once its bytes flow, which for a long meeting takes as long as the
	// client's network needs.
	boundUntilDownload
)

// routeGroup tells how the request to path with method is bounded. A WHIP
// POST (/whip/{meeting}), which checks the token and the meeting and opens
// the recording's track in PostgreSQL, is bounded short: the session it
// starts lives on the server's context, not the request's, and its media
// flow over UDP beside it. WHIP's other requests are left unbounded: the
// end of a session (DELETE) closes its track however long PostgreSQL
// takes, rather than leave it open.
func routeGroup(method, path string) boundGroup {
	if path == "/healthz" {
		return shortBound
	}
	if rest, ok := strings.CutPrefix(path, "/whip/"); ok && method == http.MethodPost &&
		!strings.Contains(rest, "/") {
		return shortBound
	}
	route, ok := strings.CutPrefix(path, "/api/v1/")
	switch {
	case !ok, route == "openapi.json", route == "openapi.yaml":
		return unbounded
	case route == "verify", strings.HasPrefix(route, "imports/"),
		route == "reports" && method == http.MethodPost:
		return longBound
	case strings.HasSuffix(route, "/evidence"):
		return boundUntilDownload
	}
	return shortBound
}

// middleware bounds each request by its route's group.
func (b apiBounds) middleware(next http.Handler) http.Handler {
	short := httpjson.Bound(b.short)(next)
	long := httpjson.Bound(b.long)(next)
	download := httpjson.BoundUntilAnswer(b.long)(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch routeGroup(r.Method, r.URL.Path) {
		case shortBound:
			short.ServeHTTP(w, r)
		case longBound:
			long.ServeHTTP(w, r)
		case boundUntilDownload:
			download.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

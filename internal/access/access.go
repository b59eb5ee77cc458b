// Package access decides who a request comes from: the administrator, a
// meeting room holding a publish token of one meeting, or an inspector
// (RFC 6750 bearer tokens).
package access

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

// Principal is who a request acts for: the administrator, the holder of a
// publish token of MeetingID, or the inspector named Inspector, holding
// the inspector token InspectorID.
type Principal struct {
	Admin       bool
	MeetingID   int64
	InspectorID int64
	Inspector   string
}

// IsAdmin reports whether p holds the admin token.
func (p Principal) IsAdmin() bool { return p.Admin }

// IsInspector reports whether p holds an inspector token, which may read,
// search, watch and export everything and change nothing.
func (p Principal) IsInspector() bool { return p.InspectorID != 0 }

// ReadsEverything reports whether p may read every meeting: the
// administrator and inspectors.
func (p Principal) ReadsEverything() bool { return p.Admin || p.IsInspector() }

// CanWriteMeeting reports whether p may change meeting id: publish to it and
// mark its agenda items.
func (p Principal) CanWriteMeeting(id int64) bool {
	return p.Admin || (p.MeetingID != 0 && p.MeetingID == id)
}

// CanReadMeeting reports whether p may read meeting id: those who may
// write it, and inspectors.
func (p Principal) CanReadMeeting(id int64) bool {
	return p.IsInspector() || p.CanWriteMeeting(id)
}

// TokenLookup finds the meeting a publish token was issued for. For a token
// it does not know, or one that expired, it returns an error matching
// ErrUnknownToken; any other error is a failure of the lookup itself.
type TokenLookup interface {
	PublishTokenMeeting(ctx context.Context, token string) (int64, error)
}

// InspectorPrefix starts every inspector token, so that the guard asks
// InspectorLookup about those only.
const InspectorPrefix = "lhi_"

// InspectorLookup finds the inspector an inspector token was issued to:
// the token's id and the inspector's name. For a token it does not know,
// or one that expired or was revoked, it returns an error matching
// ErrUnknownToken; any other error is a failure of the lookup itself.
type InspectorLookup interface {
	InspectorToken(ctx context.Context, token string) (id int64, name string, err error)
}

// Guard authenticates requests by their bearer token.
type Guard struct {
	adminHash  [sha256.Size]byte
	hasAdmin   bool
	lookup     TokenLookup
	live       LiveSessions
	inspectors InspectorLookup
	logger     *slog.Logger
}

// LiveSessions knows the publisher sessions being recorded, by the SHA-256
// of the token that opened each. The recorder implements it.
type LiveSessions interface {
	// LiveMeeting returns the meeting of a live session opened with the
	// token whose SHA-256 is sum, and false when there is none.
	LiveMeeting(sum [sha256.Size]byte) (int64, bool)
}

// NewGuard returns a guard that accepts adminToken as the administrator
// (an empty adminToken accepts no one as administrator) and asks lookup
// about every other token.
func NewGuard(adminToken string, lookup TokenLookup) *Guard {
	return &Guard{
		adminHash: sha256.Sum256([]byte(adminToken)),
		hasAdmin:  adminToken != "",
		lookup:    lookup,
		logger:    slog.Default(),
	}
}

// WithInspectors makes g accept the inspector tokens that lookup knows.
func (g *Guard) WithInspectors(lookup InspectorLookup) *Guard {
	g.inspectors = lookup
	return g
}

// WithLogger makes g log failed token lookups to logger.
func (g *Guard) WithLogger(logger *slog.Logger) *Guard {
	g.logger = logger
	return g
}

// WithLiveSessions makes g accept the token of a live session as a
// publish token of its meeting, for as long as the session lasts, even
// once the token has expired: a meeting may outlast its token, and the
// room goes on marking its agenda items. It must be called before g
// serves requests.
func (g *Guard) WithLiveSessions(live LiveSessions) *Guard {
	g.live = live
	return g
}

// Authenticate returns the principal of r's bearer token. It returns
// ErrNoToken when there is none and an error matching ErrUnknownToken when
// the token is wrong or expired; other errors mean the lookup failed.
func (g *Guard) Authenticate(r *http.Request) (Principal, error) {
	token, ok := BearerToken(r)
	if !ok {
		return Principal{}, ErrNoToken
	}
	if g.isAdmin(token) {
		return Principal{Admin: true}, nil
	}
	if g.live != nil {
		if id, ok := g.live.LiveMeeting(sha256.Sum256([]byte(token))); ok {
			return Principal{MeetingID: id}, nil
		}
	}
	if p, err := g.inspector(r.Context(), token); !errors.Is(err, ErrUnknownToken) {
		return p, err
	}
	if g.lookup == nil {
		return Principal{}, ErrUnknownToken
	}
	id, err := g.lookup.PublishTokenMeeting(r.Context(), token)
	if errors.Is(err, ErrUnknownToken) {
		return Principal{}, ErrUnknownToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up publish token: %w", err)
	}
	return Principal{MeetingID: id}, nil
}

// inspector looks up a token that starts with InspectorPrefix. Any other
// token, and one the lookup does not know, is ErrUnknownToken: a publish
// token may start with the prefix by chance.
func (g *Guard) inspector(ctx context.Context, token string) (Principal, error) {
	if g.inspectors == nil || !strings.HasPrefix(token, InspectorPrefix) {
		return Principal{}, ErrUnknownToken
	}
	id, name, err := g.inspectors.InspectorToken(ctx, token)
	if errors.Is(err, ErrUnknownToken) {
		return Principal{}, ErrUnknownToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up inspector token: %w", err)
	}
	return Principal{InspectorID: id, Inspector: name}, nil
}

// isAdmin compares hashes so that the comparison takes the same time
// whatever the token's length and content.
func (g *Guard) isAdmin(token string) bool {
	h := sha256.Sum256([]byte(token))
	return g.hasAdmin && subtle.ConstantTimeCompare(h[:], g.adminHash[:]) == 1
}

// BearerToken returns the token of r's Authorization header, and false
// when it has none.
func BearerToken(r *http.Request) (string, bool) {
	return bearerToken(r.Header.Get("Authorization"))
}

// bearerToken takes the token of an Authorization header of the Bearer
// scheme (RFC 6750 §2.1); the scheme name is case-insensitive (RFC 9110
// §11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Require passes requests with a valid token on to next, with their
// Principal in the context, and answers the others 401 with a Bearer
// challenge (RFC 6750 §3). An inspector's request that could change
// something (any method but GET, HEAD and OPTIONS) is answered 403.
func (g *Guard) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := g.Authenticate(r)
		switch {
		case errors.Is(err, ErrNoToken):
			w.Header().Set("WWW-Authenticate", `Bearer realm="liuhen"`)
			problem.Write(w, http.StatusUnauthorized, err.Error())
		case errors.Is(err, ErrUnknownToken):
			w.Header().Set("WWW-Authenticate",
				`Bearer realm="liuhen", error="invalid_token"`)
			problem.Write(w, http.StatusUnauthorized,
				"the bearer token is unknown or expired: ask the administrator for a new one")
		case err != nil:
			g.lookupFailed(w, r, err)
		case p.IsInspector() && !safeMethod(r.Method):
			problem.Write(w, http.StatusForbidden, "an inspector token reads, searches, "+
				"watches and exports, and changes nothing; ask the administrator to make "+
				"this change")
		default:
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		}
	})
}

// lookupFailed answers a request whose token could not be looked up: as
// httpjson.Ended does when the request's context ended (its bound passed,
// or its client went away), and otherwise 503, logged here.
func (g *Guard) lookupFailed(w http.ResponseWriter, r *http.Request, err error) {
	if httpjson.Ended(w, r, err, g.logger) {
		return
	}
	g.logger.Error("authenticate request", "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "5")
	problem.Write(w, http.StatusServiceUnavailable,
		"the token could not be checked right now; try again shortly")
}

// safeMethod reports whether method is safe (RFC 9110 §9.2.1) in the sense
// that the server answers it without changing anything.
func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

type contextKey struct{}

// NewContext returns ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, contextKey{}, p)
}

// FromContext returns the principal that Require put in ctx, and false when
// there is none.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(contextKey{}).(Principal)
	return p, ok
}

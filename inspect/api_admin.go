package inspect

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/param"
	"github.com/liuhen/liuhen/internal/problem"
	"github.com/liuhen/liuhen/verify"
)

// maxBody bounds a request body: a token request is a name and a number.
const maxBody = 64 << 10

// tokenRequest is the body of POST /inspector-tokens.
type tokenRequest struct {
	Name     string `json:"name"`
	TTLHours *int   `json:"ttl_hours"`
}

// issuedToken answers POST /inspector-tokens: the token, shown this once.
type issuedToken struct {
	Token     string    `json:"token"`
	Inspector Inspector `json:"inspector"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in tokenRequest
	if !httpjson.Read(w, r, &in, maxBody, "send name and ttl_hours") {
		return
	}
	ttl := DefaultTokenTTL
	if in.TTLHours != nil {
		// Bounded before the multiplication, which a huge number would wrap
		// round into the valid range; Create says what the range is.
		h := min(max(*in.TTLHours, -1), int(MaxTokenTTL.Hours())+1)
		ttl = time.Duration(h) * time.Hour
	}
	rec, token, err := a.tokens.Create(r.Context(), in.Name, ttl)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.logger.Info("inspector token issued", "token", rec.ID, "inspector", rec.Name,
		"expires", rec.ExpiresAt)
	created(w, r, issuedToken{Token: token, Inspector: rec}, rec.ID)
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) {
	if !noParams(w, r) {
		return
	}
	list, err := a.tokens.List(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string][]Inspector{"inspectors": list})
}

func (a *API) getToken(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	rec, err := a.tokens.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, rec)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := param.PathID(w, r)
	if !ok {
		return
	}
	rec, err := a.tokens.Revoke(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.logger.Info("inspector token revoked", "token", rec.ID, "inspector", rec.Name)
	httpjson.Write(w, http.StatusOK, rec)
}

// auditParams are the parameters of GET /audit.
var auditParams = []string{"actor", "action", "from", "to", "limit", "offset"}

var auditActions = []string{ActionSearch, ActionWatch, ActionView, ActionExport}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	f, err := parseAuditFilter(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	entries, err := a.audit.List(r.Context(), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"entries": entries, "limit": f.Limit,
		"offset": f.Offset})
}

func parseAuditFilter(v url.Values) (AuditFilter, error) {
	var fe fieldErrors
	for name, vs := range v {
		if !slices.Contains(auditParams, name) {
			fe.add(name, "unknown parameter; use "+strings.Join(auditParams, ", "))
		} else if len(vs) > 1 {
			fe.add(name, "must be given at most once")
		}
	}
	get := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	f := AuditFilter{Actor: get("actor"), Action: get("action")}
	if reason := checkCode(f.Actor); reason != "" {
		fe.add("actor", reason)
	}
	checkEnum(&fe, "action", f.Action, auditActions)
	f.From = parseTime(&fe, "from", get("from"), verify.ParseFrom)
	f.To = parseTime(&fe, "to", get("to"), verify.ParseTo)
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fe.add("to", "the period ends before it starts: give a 'to' later than 'from'")
	}
	f.Limit = parseInt(&fe, "limit", get("limit"), 1, param.MaxLimit, 100)
	f.Offset = parseInt(&fe, "offset", get("offset"), 0, param.MaxOffset, 0)
	slices.SortFunc(fe, func(a, b problem.FieldError) int {
		return strings.Compare(a.Field, b.Field)
	})
	return f, fe.err()
}

// noParams answers 400 when the request has query parameters.
func noParams(w http.ResponseWriter, r *http.Request) bool {
	if len(r.URL.Query()) == 0 {
		return true
	}
	var fe []problem.FieldError
	for name := range r.URL.Query() {
		fe = append(fe, problem.FieldError{Field: name, Reason: "unknown parameter"})
	}
	problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
		Detail: "this endpoint takes no query parameters", Errors: fe})
	return false
}

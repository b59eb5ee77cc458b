package agenda

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/liuhen/liuhen/internal/param"
)

// params reads a request's query parameters and collects every bad one.
type params struct {
	values url.Values
	used   map[string]bool
	errs   fieldErrors
}

func newParams(r *http.Request) *params {
	return &params{values: r.URL.Query(), used: map[string]bool{}}
}

// one returns the single value of name, and false when it is absent.
func (q *params) one(name string) (string, bool) {
	q.used[name] = true
	vs, ok := q.values[name]
	switch {
	case !ok:
		return "", false
	case len(vs) > 1:
		q.errs.add(name, "must be given at most once")
		return "", false
	}
	return vs[0], true
}

func (q *params) id(name string) *int64 {
	s, ok := q.one(name)
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		q.errs.add(name, "must be a positive integer")
		return nil
	}
	return &id
}

func (q *params) time(name string) *time.Time {
	s, ok := q.one(name)
	if !ok {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		q.errs.add(name, `must be an RFC 3339 date-time such as 2026-03-01T00:00:00+08:00 `+
			`(write + as %2B in a URL)`)
		return nil
	}
	return &t
}

// text reads a parameter that must not be empty, such as a code.
func (q *params) text(name string) *string {
	s, ok := q.one(name)
	if !ok {
		return nil
	}
	var fe fieldErrors
	fe.checkText(name, s, maxName, false)
	if len(fe) > 0 {
		q.errs = append(q.errs, fe...)
		return nil
	}
	return &s
}

func (q *params) date(name string) *Date {
	s, ok := q.one(name)
	if !ok {
		return nil
	}
	d, err := ParseDate(s)
	if err != nil {
		q.errs.add(name, errDateFormat.Error())
		return nil
	}
	return &d
}

func (q *params) integer(name string, min, max, def int) int {
	s, _ := q.one(name)
	n, err := param.Int(s, min, max, def)
	if err != nil {
		q.errs.add(name, err.Error())
	}
	return n
}

func (q *params) page() Page {
	return Page{
		Limit:  q.integer("limit", 1, MaxLimit, DefaultLimit),
		Offset: q.integer("offset", 0, MaxOffset, 0),
	}
}

// enumParam reads a parameter that must be one of valid.
func enumParam[T ~string](q *params, name string, valid []T) *T {
	s, ok := q.one(name)
	if !ok {
		return nil
	}
	v := T(s)
	if !oneOf(v, valid) {
		q.errs.add(name, "must be one of: "+joinValues(valid))
		return nil
	}
	return &v
}

// done reports parameters the endpoint does not know, and returns every
// problem found, or nil.
func (q *params) done() *requestError {
	var unknown []string
	for name := range q.values {
		if !q.used[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		q.errs.add(name, "is not a known query parameter")
	}
	if len(q.errs) == 0 {
		return nil
	}
	return &requestError{status: http.StatusBadRequest,
		detail: "the query has bad parameters; fix each one listed in errors", fields: q.errs}
}

// pathID reads the positive integer id in the URL path.
func pathID(r *http.Request) (int64, *requestError) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		var fe fieldErrors
		fe.add("id", "must be a positive integer")
		return 0, &requestError{status: http.StatusBadRequest,
			detail: "the id in the URL path must be a positive integer", fields: fe}
	}
	return id, nil
}

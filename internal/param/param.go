// Package param reads the path and query parameters that Liuhen's HTTP APIs
// share: a record's id in the path, whole numbers such as the limit and
// offset of a page, whose bounds it holds for every list endpoint, and the
// rules for a parameter given empty or given more than once.
package param

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/liuhen/liuhen/internal/problem"
)

// Bounds of a page of every list endpoint; the OpenAPI document's Limit
// and Offset parameters state the same. An endpoint whose pages cost more
// to read, such as a search, may set lower ones of its own.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	// MaxOffset keeps an offset, and the next page's offset after it, in a
	// 32-bit integer for every client.
	MaxOffset = 1<<31 - 1
)

// idReason is what PathID tells a client about a bad id.
const idReason = "must be a positive integer, such as 42"

// PathID reads the route's {id}, a positive integer. When it is not one it
// answers 400 with a problem naming the parameter, and returns false.
func PathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	s := r.PathValue("id") // chi sets it as net/http's ServeMux does
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
			Detail: fmt.Sprintf("the id in the URL path (%q) %s", s, idReason),
			Errors: []problem.FieldError{{Field: "id", Reason: idReason}}})
		return 0, false
	}
	return id, true
}

// Int reads s as a whole number from lo to hi; "" gives def. The error's
// text is the reason to show beside the parameter's name.
func Int(s string, lo, hi, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return def, fmt.Errorf("got %q; give a whole number from %d to %d", s, lo, hi)
	}
	return n, nil
}

// Limit reads the page size s: 1 to max, "" giving def.
func Limit(s string, def, max int) (int, error) { return Int(s, 1, max, def) }

// Offset reads the number of items to skip s: 0 to MaxOffset, "" giving 0.
func Offset(s string) (int, error) { return Int(s, 0, MaxOffset, 0) }

// List is one page of a listing. NextOffset is the offset of the next
// page, 0 when this page is the last.
type List[T any] struct {
	Items      []T `json:"items"`
	NextOffset int `json:"next_offset,omitempty"`
}

// Cut makes the page of limit items from offset out of items, which a
// query read with a LIMIT of limit+1: an extra item says another page
// follows. Items is never nil, so that an empty page is [] in JSON.
func Cut[T any](items []T, limit, offset int) List[T] {
	l := List[T]{Items: items}
	if len(items) > limit {
		l.Items, l.NextOffset = items[:limit], offset+limit
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return l
}

// Unknown returns a FieldError for each parameter of q that is not one of
// known, sorted by name: the APIs refuse it, so that a misspelt filter
// (units=, a format= a list does not take) cannot silently widen an answer.
func Unknown(q url.Values, known []string) []problem.FieldError {
	var bad []problem.FieldError
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(known, name) {
			bad = append(bad, problem.FieldError{Field: name,
				Reason: "unknown query parameter; valid ones are " + strings.Join(known, ", ")})
		}
	}
	return bad
}

// Bool reads a query parameter that is true or false, those words alone,
// as every API reads one: 1, t or yes would be read by one client as a
// flag and by another as a typing slip.
func Bool(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("got %q; give true or false", v)
}

// EmptyReason is what every API says of a query parameter given without a
// value.
const EmptyReason = "given empty; give a value, or leave the parameter out"

// WithoutEmpty returns q less the parameters of known given without a
// value (name=, a bare name, or spaces alone, or commas and spaces alone,
// which a comma-separated list reads as no value), and their names, in the
// order of known. The APIs refuse such a parameter with EmptyReason rather
// than take it as left out, so that a filter left blank by mistake cannot
// widen an answer (codes=, would run every rule), and read the rest as
// given.
func WithoutEmpty(q url.Values, known []string) (url.Values, []string) {
	noValue := func(r rune) bool { return r == ',' || unicode.IsSpace(r) }
	blank := func(v string) bool { return strings.TrimFunc(v, noValue) == "" }
	var empty []string
	for _, name := range known {
		if slices.ContainsFunc(q[name], blank) {
			empty = append(empty, name)
		}
	}
	rest := make(url.Values, len(q))
	for name, vs := range q {
		if !slices.Contains(empty, name) {
			rest[name] = vs
		}
	}
	return rest, empty
}

// RepeatedReason is what every API says of a query parameter that takes one
// value but was given n times.
func RepeatedReason(n int) string { return fmt.Sprintf("given %d times; give it once", n) }

// WithoutRepeated returns q less the parameters of known given more than
// once (unit=a&unit=b), and a FieldError with RepeatedReason for each, in
// the order of known. The APIs refuse such a parameter rather than read one
// of its values, so that a client is never answered for a filter it did
// not mean; a list is given once, comma-separated.
func WithoutRepeated(q url.Values, known []string) (url.Values, []problem.FieldError) {
	var repeated []problem.FieldError
	rest := make(url.Values, len(q))
	for name, vs := range q {
		rest[name] = vs
	}
	for _, name := range known {
		if n := len(q[name]); n > 1 {
			repeated = append(repeated, problem.FieldError{Field: name, Reason: RepeatedReason(n)})
			delete(rest, name)
		}
	}
	return rest, repeated
}

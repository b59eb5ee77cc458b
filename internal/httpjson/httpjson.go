// Package httpjson reads the JSON bodies and writes the JSON answers of
// Liuhen's HTTP APIs; errors go out as problem details (package problem).
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/liuhen/liuhen/internal/problem"
)

// Write sends v as JSON with the given status. An encoding failure after
// the header is sent cannot change the answer, so it is dropped: the values
// written are the APIs' own types, which always encode.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Read decodes the body of r, a single JSON object, into dst, at most max
// bytes. It answers the request itself and returns false when the body is
// not that: 415 for another content type, 413 for a body over max, 400 for
// bad JSON, an unknown or mistyped field or a second value, each saying
// what to send (expect, such as `send name and ttl_hours`), and 400 naming
// the fields whose text is not Unicode (BadText), which decoding would
// quietly store as U+FFFD.
func Read(w http.ResponseWriter, r *http.Request, dst any, max int64, expect string) bool {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil ||
		mt != "application/json" {
		problem.Write(w, http.StatusUnsupportedMediaType,
			"send the body as JSON with Content-Type: application/json; "+expect)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err == nil && BadText(body) {
		problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
			Detail: "the body holds text that is not Unicode; " + expect,
			Errors: badTextFields(body)})
		return false
	}
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		err = dec.Decode(dst)
		if err == nil && dec.Decode(&struct{}{}) != io.EOF {
			err = errors.New("the body holds more than one JSON value")
		}
	}
	var tooLarge *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &tooLarge):
		problem.Write(w, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the body is over %d bytes; %s", max, expect))
	case errors.As(err, &typeErr):
		problem.WriteDetails(w, problem.Details{Status: http.StatusBadRequest,
			Detail: "a field has the wrong type; " + expect, Errors: []problem.FieldError{{
				Field: typeErr.Field, Reason: "has the wrong type: got a JSON " +
					typeErr.Value}}})
	default:
		d := problem.Details{Status: http.StatusBadRequest,
			Detail: "the body is not the JSON object expected: " + err.Error() + "; " + expect}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			d.Errors = []problem.FieldError{{Field: strings.Trim(name, `"`),
				Reason: "unknown field; " + expect}}
		}
		problem.WriteDetails(w, d)
	}
	return false
}

// badTextFields names the fields of a JSON object whose values hold text
// that is not Unicode; none when body is no object or the bad text lies
// elsewhere (a name, a value nested deeper than the object's own fields).
func badTextFields(body []byte) []problem.FieldError {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	var out []problem.FieldError
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if BadText(fields[name]) {
			out = append(out, problem.FieldError{Field: name, Reason: ReasonBadText})
		}
	}
	return out
}

package agenda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

// maxBodyBytes bounds a JSON request body.
const maxBodyBytes = 1 << 20

// requestError is a request the API cannot read: its status, what to fix,
// and the bad fields when there are some.
type requestError struct {
	status int
	detail string
	fields []problem.FieldError
}

func (e *requestError) Error() string { return e.detail }

func badRequest(format string, args ...any) *requestError {
	return &requestError{status: http.StatusBadRequest, detail: fmt.Sprintf(format, args...)}
}

// checker is an input that validates itself.
type checker interface{ check() error }

// readJSON decodes a request body holding one JSON object into the struct
// dst points to. Unlike json.Decoder with DisallowUnknownFields, which stops
// at the first problem, it decodes field by field so that every unknown,
// repeated or mistyped field is reported at once. It returns the names of
// the fields present.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) (map[string]bool, *requestError) {
	fields, fe, rerr := readObject(w, r)
	if rerr != nil {
		return nil, rerr
	}
	fe = append(fe, decodeFields(fields, dst)...)
	present := presentFields(fields)
	if len(fe) > 0 {
		return present, fieldsError(fe)
	}
	return present, nil
}

// readObject reads a request body holding one JSON object and splits it
// into its members; fe reports the members given twice.
func readObject(w http.ResponseWriter, r *http.Request) (
	fields map[string]json.RawMessage, fe fieldErrors, rerr *requestError) {
	if err := checkJSONType(r.Header.Get("Content-Type")); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, nil, &requestError{status: http.StatusRequestEntityTooLarge,
			detail: fmt.Sprintf("request body is larger than %d bytes", maxBodyBytes)}
	}
	if err != nil {
		return nil, nil, badRequest("read request body: %v", err)
	}
	return splitObject(data)
}

func presentFields(fields map[string]json.RawMessage) map[string]bool {
	present := make(map[string]bool, len(fields))
	for k := range fields {
		present[k] = true
	}
	return present
}

// fieldsError is the 400 answer to fields of the wrong type or name.
func fieldsError(fe []problem.FieldError) *requestError {
	return &requestError{status: http.StatusBadRequest,
		detail: "the request body has fields of the wrong type or name; " +
			"fix each one listed in errors", fields: fe}
}

func checkJSONType(header string) *requestError {
	mt, _, err := mime.ParseMediaType(header)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return &requestError{status: http.StatusUnsupportedMediaType,
		detail: "send the request body as JSON with the header Content-Type: application/json"}
}

// splitObject splits a JSON object into its members, reporting members
// given twice.
func splitObject(data []byte) (map[string]json.RawMessage, fieldErrors, *requestError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, badRequest("the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil {
		return nil, nil, badRequest("the request body is not valid JSON: %v", err)
	} else if tok != json.Delim('{') {
		return nil, nil, badRequest("the request body must be a JSON object")
	}
	fields := map[string]json.RawMessage{}
	var fe fieldErrors
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, badRequest("the request body is not valid JSON: %v", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, badRequest("the request body is not valid JSON: %v", err)
		}
		if _, dup := fields[key]; dup {
			fe.add(key, "is given more than once")
		}
		fields[key] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, badRequest("the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, badRequest("the request body must hold exactly one JSON object")
	}
	return fields, fe, nil
}

// decodeFields decodes each member into the field of dst whose json name
// matches exactly, in name order.
func decodeFields(fields map[string]json.RawMessage, dst any) fieldErrors {
	v := reflect.ValueOf(dst).Elem()
	index := jsonFields(v.Type())
	var fe fieldErrors
	for _, name := range sortedNames(fields) {
		i, ok := index[name]
		if !ok {
			fe.add(name, "is not a known field")
			continue
		}
		f := v.Field(i)
		if httpjson.BadText(fields[name]) {
			fe.add(name, httpjson.ReasonBadText)
			continue
		}
		if isNull(fields[name]) && !nullable(f.Type()) {
			fe.add(name, typeReason(f.Type())+", not null")
			continue
		}
		if err := json.Unmarshal(fields[name], f.Addr().Interface()); err != nil {
			fe.add(name, typeReason(f.Type()))
		}
	}
	return fe
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// nullable reports whether JSON null means something for a field of type
// t: nil for a pointer, an empty list for a slice. For other types
// encoding/json would leave the field as it was.
func nullable(t reflect.Type) bool {
	return t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice
}

// jsonFields maps the json names of a struct's fields to their index.
func jsonFields(t reflect.Type) map[string]int {
	index := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		index[name] = i
	}
	return index
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	amountType = reflect.TypeFor[Amount]()
	dateType   = reflect.TypeFor[Date]()
)

// typeReason says what a field of type t must hold.
func typeReason(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case timeType:
		return `must be an RFC 3339 date-time string such as "2026-03-01T09:00:00+08:00"`
	case amountType:
		return errAmountFormat.Error()
	case dateType:
		return errDateFormat.Error()
	}
	switch t.Kind() {
	case reflect.String:
		return "must be a string"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "must be an integer"
	case reflect.Bool:
		return "must be true or false"
	case reflect.Slice:
		return "must be a JSON list; each item " + typeReason(t.Elem())
	}
	return "has the wrong type"
}

// mergeChecks adds the errors of in's own checks for the fields that
// decoding did not already report, so that a client sees every problem at
// once.
func mergeChecks(fe []problem.FieldError, in any) []problem.FieldError {
	c, ok := in.(checker)
	if !ok {
		return fe
	}
	var ve *ValidationError
	if !errors.As(c.check(), &ve) {
		return fe
	}
	return mergeFields(fe, ve.Fields)
}

// mergeFields adds the errors of more for the fields fe does not name.
func mergeFields(fe, more []problem.FieldError) []problem.FieldError {
	reported := map[string]bool{}
	for _, f := range fe {
		reported[f.Field] = true
	}
	for _, f := range more {
		if !reported[f.Field] {
			fe = append(fe, f)
		}
	}
	return fe
}

// readItems reads a body {"items": [...]} into a list, decoding each entry
// field by field like readJSON; a bad field of an entry is named
// items[i].field, i from 0. once says that a member may be listed once
// only, for the checks reported with the decoding errors.
func readItems[T listEntry](w http.ResponseWriter, r *http.Request, once bool) (
	[]T, *requestError) {
	fields, fe, rerr := readObject(w, r)
	if rerr != nil {
		return nil, rerr
	}
	for _, name := range sortedNames(fields) {
		if name != "items" {
			fe.add(name, "is not a known field")
		}
	}
	raw, ok := fields["items"]
	var entries []json.RawMessage
	switch {
	case !ok:
		fe.add("items", "is required: a list, empty to clear it")
	case isNull(raw) || json.Unmarshal(raw, &entries) != nil:
		fe.add("items", "must be a JSON list of objects")
	}
	items := make([]T, len(entries))
	notObjects := map[string]bool{}
	for i, e := range entries {
		p := fmt.Sprintf("items[%d]", i)
		obj, dups, rerr := splitObject(e)
		if rerr != nil {
			fe.add(p, "must be a JSON object")
			notObjects[p] = true
			continue
		}
		for _, f := range append(dups, decodeFields(obj, &items[i])...) {
			fe.add(p+"."+f.Field, f.Reason)
		}
	}
	if len(fe) == 0 {
		return items, nil
	}
	var checks fieldErrors
	for _, f := range checkEntries(items, once) {
		if entry, _, _ := strings.Cut(f.Field, "."); !notObjects[entry] {
			checks = append(checks, f)
		}
	}
	return nil, fieldsError(mergeFields(fe, checks))
}

func sortedNames(fields map[string]json.RawMessage) []string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

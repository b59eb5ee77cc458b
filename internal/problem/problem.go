// Package problem writes HTTP error responses as RFC 9457 problem details.
package problem

import (
	"encoding/json"
	"net/http"
	"strings"
)

// ContentType is the media type of a problem document (RFC 9457 §3).
const ContentType = "application/problem+json"

// Details is a problem document. Type is left as "about:blank" (RFC 9457
// §4.2.1), so Title is the standard reason phrase of Status.
type Details struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists every problem found in the request, for example every bad
	// field of a JSON body, so that a client can fix them all at once.
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError names one bad part of a request and what to do about it.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Write sends a problem with the given status and a detail that tells the
// client what to fix.
func Write(w http.ResponseWriter, status int, detail string) {
	WriteDetails(w, Details{Status: status, Detail: detail})
}

// WriteDetails sends d, filling in the type and title when they are empty.
func WriteDetails(w http.ResponseWriter, d Details) {
	if d.Type == "" {
		d.Type = "about:blank"
	}
	if d.Title == "" {
		d.Title = http.StatusText(d.Status)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(d.Status)
	_ = json.NewEncoder(w).Encode(d)
}

// BadRequest sends 400 with every bad field of the request, each also told
// in the detail ("fix these: field: reason; …"), so that a client showing
// only the detail still shows all there is to fix.
func BadRequest(w http.ResponseWriter, fields []FieldError) {
	reasons := make([]string, len(fields))
	for i, f := range fields {
		reasons[i] = f.Field + ": " + f.Reason
	}
	WriteDetails(w, Details{Status: http.StatusBadRequest, Errors: fields,
		Detail: "fix these: " + strings.Join(reasons, "; ")})
}

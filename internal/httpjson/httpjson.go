// Package httpjson writes the JSON answers of Liuhen's HTTP APIs; errors go
// out as problem details (package problem).
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write sends v as JSON with the given status. An encoding failure after
// the header is sent cannot change the answer, so it is dropped: the values
// written are the APIs' own types, which always encode.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

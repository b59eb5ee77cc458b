package problem

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBadRequest(t *testing.T) {
	rec := httptest.NewRecorder()
	BadRequest(rec, []FieldError{{Field: "limit", Reason: "give 1 to 500"},
		{Field: "unit", Reason: "no unit has code \"x\""}})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status: got %d, want 400", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("content type: got %q, want %q", ct, ContentType)
	}
	var d Details
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("body: %v", err)
	}
	want := `fix these: limit: give 1 to 500; unit: no unit has code "x"`
	if d.Detail != want || d.Title != "Bad Request" || len(d.Errors) != 2 ||
		d.Errors[1].Field != "unit" {
		t.Errorf("got %+v, want detail %q, title Bad Request and both fields", d, want)
	}
}

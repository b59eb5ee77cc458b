package agenda

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/httpjson"
	"github.com/liuhen/liuhen/internal/problem"
)

type decodeTarget struct {
	Name   string  `json:"name"`
	Count  int64   `json:"count"`
	Amount *Amount `json:"amount"`
	Hidden int64   `json:"-"`
}

func postJSON(body, contentType string) (*httptest.ResponseRecorder, *http.Request) {
	r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return httptest.NewRecorder(), r
}

func TestReadJSON(t *testing.T) {
	w, r := postJSON(`{"name":"a","count":3,"amount":1.5}`, "application/json; charset=utf-8")
	var got decodeTarget
	present, rerr := readJSON(w, r, &got)
	if rerr != nil {
		t.Fatalf("got error %v, want none", rerr)
	}
	want := decodeTarget{Name: "a", Count: 3, Amount: new(Amount(150))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if !present["name"] || present["Hidden"] {
		t.Errorf("got present %v, want name and not Hidden", present)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		wantStatus  int
		wantFields  []problem.FieldError
	}{
		{"no content type", `{}`, "", http.StatusUnsupportedMediaType, nil},
		{"form content type", `{}`, "application/x-www-form-urlencoded",
			http.StatusUnsupportedMediaType, nil},
		{"empty", "  ", "application/json", http.StatusBadRequest, nil},
		{"syntax", `{"name":`, "application/json", http.StatusBadRequest, nil},
		{"array", `[1]`, "application/json", http.StatusBadRequest, nil},
		{"null", `null`, "application/json", http.StatusBadRequest, nil},
		{"two objects", `{} {}`, "application/json", http.StatusBadRequest, nil},
		{"too large", `{"name":"` + strings.Repeat("x", maxBodyBytes) + `"}`,
			"application/json", http.StatusRequestEntityTooLarge, nil},
		{"every bad field", `{"name":5,"count":"x","amount":-2,"extra":1,"Hidden":2}`,
			"application/json", http.StatusBadRequest, []problem.FieldError{
				{Field: "Hidden", Reason: "is not a known field"},
				{Field: "amount", Reason: errAmountFormat.Error()},
				{Field: "count", Reason: "must be an integer"},
				{Field: "extra", Reason: "is not a known field"},
				{Field: "name", Reason: "must be a string"},
			}},
		{"case differs", `{"Name":"a"}`, "application/json", http.StatusBadRequest,
			[]problem.FieldError{{Field: "Name", Reason: "is not a known field"}}},
		{"repeated", `{"name":"a","name":"b"}`, "application/json", http.StatusBadRequest,
			[]problem.FieldError{{Field: "name", Reason: "is given more than once"}}},
		{"fraction for integer", `{"count":1.5}`, "application/json", http.StatusBadRequest,
			[]problem.FieldError{{Field: "count", Reason: "must be an integer"}}},
		{"invalid UTF-8", "{\"name\":\"a\xff\"}", "application/json", http.StatusBadRequest,
			[]problem.FieldError{{Field: "name", Reason: httpjson.ReasonBadText}}},
		{"lone high surrogate", `{"name":"a\ud800b"}`, "application/json",
			http.StatusBadRequest, []problem.FieldError{{Field: "name", Reason: httpjson.ReasonBadText}}},
		{"lone low surrogate", `{"name":"\uDC00"}`, "application/json",
			http.StatusBadRequest, []problem.FieldError{{Field: "name", Reason: httpjson.ReasonBadText}}},
		{"high surrogate at the end", `{"name":"\ud83d"}`, "application/json",
			http.StatusBadRequest, []problem.FieldError{{Field: "name", Reason: httpjson.ReasonBadText}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, r := postJSON(tt.body, tt.contentType)
			var dst decodeTarget
			_, rerr := readJSON(w, r, &dst)
			if rerr == nil {
				t.Fatalf("got no error, want status %d", tt.wantStatus)
			}
			if rerr.status != tt.wantStatus || rerr.detail == "" {
				t.Errorf("got status %d detail %q, want %d with a detail",
					rerr.status, rerr.detail, tt.wantStatus)
			}
			if !reflect.DeepEqual(rerr.fields, tt.wantFields) {
				t.Errorf("got fields %v, want %v", rerr.fields, tt.wantFields)
			}
		})
	}
}

func TestReadJSONKeepsText(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"name":"\ud83d\ude00 会议"}`, "\U0001F600 会议"},
		{`{"name":"a\\ud800"}`, `a\ud800`}, // an escaped backslash, not an escape
		{`{"name":"\u4e61\"\\"}`, "乡\"\\"},
	}
	for _, tt := range tests {
		w, r := postJSON(tt.body, "application/json")
		var got decodeTarget
		if _, rerr := readJSON(w, r, &got); rerr != nil {
			t.Errorf("%s: got error %v, want none", tt.body, rerr)
		} else if got.Name != tt.want {
			t.Errorf("%s: got name %q, want %q", tt.body, got.Name, tt.want)
		}
	}
}

func TestMergeChecks(t *testing.T) {
	in := &DecisionInput{Title: ""}
	decoded := []problem.FieldError{{Field: "matter_id", Reason: "must be an integer"}}
	got := mergeChecks(decoded, in)
	fields := map[string]string{}
	for _, f := range got {
		fields[f.Field] = f.Reason
	}
	if fields["matter_id"] != "must be an integer" {
		t.Errorf("got matter_id %q, want the decoding reason kept", fields["matter_id"])
	}
	for _, f := range []string{"org_unit_id", "title", "decided_at"} {
		if fields[f] != requiredText {
			t.Errorf("got %s %q, want %q", f, fields[f], requiredText)
		}
	}
}

func TestKindsValid(t *testing.T) {
	if !BodyGovernmentExecutive.Valid() || BodyKind("party").Valid() {
		t.Error("got wrong BodyKind.Valid results")
	}
	if !CategoryOther.Valid() || Category("").Valid() {
		t.Error("got wrong Category.Valid results")
	}
	if !LevelVillage.Valid() || Level("city").Valid() {
		t.Error("got wrong Level.Valid results")
	}
}
